"""The platform's closed sets of values, each defined once.

The API's schemas, the signal engine and the dashboards all name these, so a
generated client sees one named enum per set (an Enum becomes a `$ref` in the
OpenAPI document, a `Literal` an inline copy). Each is a `StrEnum`: a member
compares equal to its string and serialises as exactly that string.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class TradeSignal(StrEnum):
    """What to do: open a position, close one, or stay out."""

    Enter = "Enter"
    Exit = "Exit"
    Hold = "Hold"


class Direction(StrEnum):
    """Which way the position faces (a Long-only segment's Short call is an Exit)."""

    Long = "Long"
    Short = "Short"


class Architecture(StrEnum):
    """The network an agent trains (requests accept it in any letter case); `auto`
    trains all three on the same split and serves the best on validation loss."""

    LSTM = "LSTM"
    CNN = "CNN"
    Transformer = "Transformer"
    auto = "auto"


# The networks a training run builds (`auto` is a choice among these, not a network of
# its own); the trainer and the settings key them by their upper-case names.
TRAINED_ARCHITECTURES = tuple(a for a in Architecture if a is not Architecture.auto)


class DataSource(StrEnum):
    """Where an agent's bars come from (docs/MARKET_DATA.md)."""

    synthetic = "synthetic"
    csv = "csv"
    refinitiv = "refinitiv"
    bloomberg = "bloomberg"
    sample = "sample"


class DataFrequency(StrEnum):
    """The bar lengths an agent can be trained on."""

    MINUTE_1 = "1min"
    MINUTE_5 = "5min"
    MINUTE_15 = "15min"
    MINUTE_30 = "30min"
    HOUR_1 = "1h"
    DAY_1 = "1d"
    WEEK_1 = "1wk"

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> Any:
        """Name the members for generated clients (`x-enum-varnames`): the values are
        not identifiers, and `VALUE_5` would mean nothing to a reader."""
        schema = handler.resolve_ref_schema(handler(core_schema))
        schema["x-enum-varnames"] = [member.name for member in cls]
        return schema


class Feature(StrEnum):
    """The indicators the feature pipeline computes (requests accept any letter case)."""

    SMA = "SMA"
    EMA = "EMA"
    MACD = "MACD"
    volatility = "volatility"
    RSI = "RSI"
    BBANDS = "BBANDS"
    ATR = "ATR"
    VWAP = "VWAP"
    OBV = "OBV"
    returns = "returns"


class Skill(StrEnum):
    """`edge` when the model beat the naive no-change forecast on held-out data."""

    edge = "edge"
    no_edge = "no_edge"
