"""Prediction requests and answers (SPEC §6): the seed's thirteen fields in, its
eight fields out, with the names exactly as the seed spells them, and beside them
the typed figures a client needs (`PredictionFields`).

Field rules that need one field are checked here (so FastAPI reports them with
their paths); rules that need the calendar, the user or the database are checked
in `app.services.predictions.validation`, which reports them the same way.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from typing_extensions import TypedDict

from app.core.clock import DEFAULT_TIMEZONE, Window
from app.core.instruments import UnknownInstrument, resolve
from app.core.segments import UserSegment
from app.core.vocabulary import (
    Architecture,
    DataFrequency,
    DataSource,
    Direction,
    Skill,
    TradeSignal,
)
from app.schemas.agents import (
    SYMBOL_DESCRIPTION,
    FeatureIn,
    FrequencyIn,
    HorizonText,
    ModelPreferences,
    SymbolIn,
)
from app.schemas.base import Output, Stored, shape

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _instant(moment: datetime) -> datetime:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    try:
        utc = aware.astimezone(UTC)
    except OverflowError:  # 0001-01-01 east of UTC is before year 1
        utc = EARLIEST - timedelta(days=1)
    if not EARLIEST <= utc < LATEST:
        raise ValueError("must fall between 1900-01-01 and 2200-01-01")
    return aware


# A moment a caller names (`as_of`, a date filter). Without an offset it is read as
# UTC: the database compares only aware instants and refuses a naive one. Bounded,
# because a moment near year 1 or 9999 overflows when moved to the exchange's time
# zone or a horizon is added to it.
Instant = Annotated[datetime, AfterValidator(_instant)]
# A share price the signal engine can do exact decimal arithmetic on: from a
# hundredth of a cent (sub-penny quotes) to a billion (far above any listed share,
# in any currency). Beyond that the engine's 28-digit decimals overflow (a 500).
MIN_PRICE = 0.0001
MAX_PRICE = 1e9
Price = Annotated[float, Field(ge=MIN_PRICE, le=MAX_PRICE, allow_inf_nan=False)]
MAX_STOCKS = 20
HHMM_PATTERN = r"^([01]?\d|2[0-3]):[0-5]\d$"

SEED_EXAMPLE: dict[str, Any] = {
    "user_segment": "short_term_trader",
    "stocks": ["AAPL", "MSFT"],
    "data_frequency": "1min",
    "prediction_horizon": "1h",
    "confidence_level": 0.7,
    "entry_window": {"start": "10:00", "end": "11:30"},
    "exit_window": {"end": "14:00"},
    "entry_price": 185.50,
    "stop_loss": 182.00,
    "capital_at_risk": 0.02,
    "features": ["SMA", "EMA", "MACD", "volatility"],
    "sentiment_enabled": True,
    "model_preferences": {"architecture": "LSTM", "epochs": 20},
}


# The currency of an instrument-less answer (agents from before instruments, the
# examples); an agent's own is its instrument's (`currency_of`).
DEFAULT_CURRENCY = "USD"

_SEED_EIGHT: dict[str, Any] = {
    "predicted_price": 187.25,
    "confidence": 0.85,
    "trade_signal": "Enter",
    "direction": "Long",
    "suggested_exit_time": "14:00",
    "position_size": 200,
    "suggestion_text": "Entering LONG on AAPL at $185.50 with stop-loss $182.00. Trade size: "
    "200 shares. Confidence: 0.85.",
    "risk_metrics": {"max_loss": "$700", "risk_reward_ratio": 1.5},
}
# The seed's eight as a client reads them typed (SPEC §6): the same call's figures.
_SEED_TYPED: dict[str, Any] = {
    "currency": DEFAULT_CURRENCY,
    "max_loss_amount": 700.0,
    "suggested_exit_at": "2025-06-02T14:00:00-04:00",
    "predicted_price_low": 185.9,
    "predicted_price_high": 188.6,
    "interval_coverage": 0.8,
    "skill": "edge",
    "in_sample": False,
}
# The seed's answer to SEED_EXAMPLE: its eight fields at the top level (the seed's
# figures, which are illustrative), then SPEC §6's fields beside them.
SEED_RESPONSE_EXAMPLE: dict[str, Any] = {
    **_SEED_EIGHT,
    **_SEED_TYPED,
    "prediction_id": "6f1c2d7e-8b0a-4c5e-9d3f-2a1b0c9e8d7f",
    "symbol": "AAPL",
    "agent_id": "0b5e7c1a-3d2f-4e6a-8b9c-1d0e2f3a4b5c",
    "as_of": "2025-06-02T14:15:00Z",
    "data_source": "synthetic",
    "warnings": [],
    "cached": False,
    "predictions": [
        {
            "symbol": "AAPL",
            **_SEED_EIGHT,
            **_SEED_TYPED,
            "prediction_id": "6f1c2d7e-8b0a-4c5e-9d3f-2a1b0c9e8d7f",
            "agent_id": "0b5e7c1a-3d2f-4e6a-8b9c-1d0e2f3a4b5c",
            "agent_version_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
            "as_of": "2025-06-02T14:15:00Z",
            "entry_price": 185.5,
            "stop_loss": 182.0,
            "stale": False,
            "warnings": [],
        },
        {
            "symbol": "MSFT",
            "predicted_price": 468.1,
            "confidence": 0.64,
            "trade_signal": "Hold",
            "direction": "Long",
            "suggested_exit_time": "14:00",
            "position_size": 0,
            "suggestion_text": "Holding on MSFT: the predicted move of 0.02% is below the 0.05% "
            "minimum edge. Confidence: 0.64.",
            "risk_metrics": {"max_loss": "$0", "risk_reward_ratio": 0.01},
            "currency": DEFAULT_CURRENCY,
            "max_loss_amount": 0.0,
            "suggested_exit_at": "2025-06-02T14:00:00-04:00",
            "predicted_price_low": 465.3,
            "predicted_price_high": 470.9,
            "interval_coverage": 0.8,
            "skill": "edge",
            "in_sample": False,
            "prediction_id": "1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a",
            "agent_id": "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b",
            "agent_version_id": "3f4a5b6c-7d8e-4f9a-8b1c-2d3e4f5a6b7c",
            "as_of": "2025-06-02T14:15:00Z",
            "entry_price": 468.0,
            "stop_loss": 459.17,
            "stale": False,
            "warnings": ["Hold: the predicted move of 0.02% is below the 0.05% minimum edge."],
        },
    ],
}


class TimeWindow(BaseModel):
    """A wall-clock window, "HH:MM", in the request's `timezone` (by default the
    instrument's exchange zone)."""

    model_config = ConfigDict(extra="forbid")

    start: str | None = Field(default=None, pattern=HHMM_PATTERN, examples=["10:00"])
    end: str = Field(pattern=HHMM_PATTERN, examples=["11:30"])

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindow:
        self.window()  # start before end
        return self

    def window(self) -> Window:
        return Window.parse(self.start, self.end)


class PredictPreferences(ModelPreferences):
    """In /predict only the architecture matters (it picks the agent); the rest is
    echoed into the creation request of a 409."""


def _tickers(values: list[str]) -> list[str]:
    """Each symbol in its canonical spelling; one instrument named twice (AAPL and
    AAPL.O) is refused, since both would pick the same agent."""
    cleaned: list[str] = []
    seen: dict[str, str] = {}
    for value in values:
        instrument = resolve(value)
        if instrument.symbol in seen:
            first = seen[instrument.symbol]
            also = "" if first == instrument.entered else f" (as {first})"
            raise ValueError(f"{instrument.entered} is listed twice{also}")
        seen[instrument.symbol] = instrument.entered
        cleaned.append(instrument.entered)
    return cleaned


def _key(symbol: str) -> str:
    """An `agent_ids` key spelled as `stocks` is: a key naming no instrument is kept
    (upper-cased) and matches no stock."""
    try:
        return resolve(symbol).entered
    except UnknownInstrument:
        return symbol.strip().upper()


class PredictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [SEED_EXAMPLE]})

    user_segment: UserSegment
    stocks: list[str] = Field(
        min_length=1,
        max_length=MAX_STOCKS,
        description="Symbols, each in any form an agent accepts: " + SYMBOL_DESCRIPTION,
        examples=[["AAPL", "MSFT"], ["AAPL.O", "VOD LN Equity"]],
    )
    data_frequency: FrequencyIn = Field(description="Bar length; any letter case.")
    prediction_horizon: HorizonText
    confidence_level: float = Field(default=0.6, ge=0.5, lt=1)
    entry_window: TimeWindow | None = None
    exit_window: TimeWindow | None = None
    entry_price: Price | None = None
    stop_loss: Price | None = None
    capital_at_risk: float = Field(default=0.02, gt=0, le=0.25)
    features: list[FeatureIn] | None = Field(
        default=None, max_length=20, description="Indicators; any letter case."
    )
    sentiment_enabled: bool = False
    model_preferences: PredictPreferences | None = None
    # Beyond the seed's thirteen (SPEC §6).
    agent_ids: dict[str, uuid.UUID] | None = Field(
        default=None, description="{symbol: agent_id}; default: your newest READY match"
    )
    as_of: Instant | None = Field(
        default=None, description="Predict from the bars complete at this instant (default now)"
    )
    account_equity: float | None = Field(default=None, gt=0, le=1e12, allow_inf_nan=False)
    timezone: str = Field(
        default=DEFAULT_TIMEZONE,
        max_length=64,
        description="IANA zone the windows are read in and `suggested_exit_time` is written "
        "in. Left out: each stock's exchange zone (America/New_York for a US share, "
        "Europe/London for VOD.L); naming one, even America/New_York, applies it to every "
        "stock",
    )

    @field_validator("stocks", mode="after")
    @classmethod
    def _valid_tickers(cls, values: list[str]) -> list[str]:
        return _tickers(values)

    @field_validator("agent_ids", mode="after")
    @classmethod
    def _upper_keys(cls, value: dict[str, uuid.UUID] | None) -> dict[str, uuid.UUID] | None:
        return None if value is None else {_key(k): v for k, v in value.items()}

    @property
    def architecture(self) -> Architecture | None:
        return self.model_preferences.architecture if self.model_preferences else None


class RiskMetricsOut(Output):
    max_loss: str = Field(
        examples=["$700", "£1,401"],
        description="The loss at the stop in the instrument's money: $700 in dollars, £ for "
        "pence-quoted London shares",
    )
    risk_reward_ratio: float = Field(examples=[1.5])


class SignalFields(Output):
    """The seed's eight fields."""

    predicted_price: float
    confidence: float = Field(ge=0.5, le=1)
    trade_signal: TradeSignal
    direction: Direction
    suggested_exit_time: str
    position_size: int = Field(ge=0)
    suggestion_text: str
    risk_metrics: RiskMetricsOut


class TypedSignalFields(SignalFields):
    """The seed's eight, then its money and time figures typed (/trade-signal too)."""

    currency: str = Field(
        examples=[DEFAULT_CURRENCY, "GBX"],
        description="The instrument's currency: ISO 4217 code of every price, and of every "
        "amount except for GBX (London prices in pence), whose amounts are in GBP",
    )
    max_loss_amount: float = Field(
        ge=0,
        description="`risk_metrics.max_loss` as a number: the loss if the stop is hit, in "
        "the currency's money (GBP for GBX)",
    )
    suggested_exit_at: datetime = Field(
        description="`suggested_exit_time` as an ISO-8601 instant with its offset"
    )


class PredictionFields(TypedSignalFields):
    """What /predict answers of each stock beside the seed's eight (SPEC §6)."""

    predicted_price_low: float | None = Field(
        description="Low end of the split-conformal prediction interval; null for a model "
        "trained before intervals"
    )
    predicted_price_high: float | None = Field(description="High end of the interval")
    interval_coverage: float | None = Field(
        ge=0,
        le=1,
        description="The share of outcomes the interval is built to hold, e.g. 0.8 (the "
        "share it held on the test split is in the agent's metrics)",
    )
    skill: Skill | None = Field(
        description="no_edge: on held-out data the model did not beat the naive no-change "
        "forecast; null when unknown"
    )
    in_sample: bool = Field(
        description="as_of lies inside this model's training, validation or test data: "
        "warned about, and never counted in the live track record"
    )


class StockPrediction(PredictionFields):
    symbol: str
    prediction_id: uuid.UUID
    agent_id: uuid.UUID
    agent_version_id: uuid.UUID
    as_of: datetime = Field(description="When the last bar used closed")
    entry_price: float
    stop_loss: float
    stale: bool = Field(description="The model is older than its frequency's expiry")
    warnings: list[str]


class PredictResponse(PredictionFields):
    """The first stock's fields at the top level, every stock in `predictions`."""

    model_config = ConfigDict(json_schema_extra={"examples": [SEED_RESPONSE_EXAMPLE]})

    prediction_id: uuid.UUID
    symbol: str
    agent_id: uuid.UUID
    as_of: datetime
    data_source: DataSource
    warnings: list[str]
    cached: bool
    predictions: list[StockPrediction]


class TradeSignalRequest(BaseModel):
    """The signal engine alone, for a forecast the caller brings."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "symbol": "AAPL",
                    "predicted_price": 187.25,
                    "confidence": 0.85,
                    "entry_price": 185.50,
                    "stop_loss": 182.00,
                    "capital_at_risk": 0.02,
                    "confidence_level": 0.7,
                    "user_segment": "short_term_trader",
                    "prediction_horizon": "1h",
                    "entry_window": {"start": "10:00", "end": "11:30"},
                    "exit_window": {"end": "14:00"},
                    "as_of": "2025-06-02T14:15:00Z",
                    "account_equity": 35000,
                }
            ]
        },
    )

    symbol: SymbolIn
    predicted_price: Price
    confidence: float = Field(ge=0, le=1)
    entry_price: Price
    stop_loss: Price
    capital_at_risk: float = Field(default=0.02, gt=0, le=0.25)
    confidence_level: float = Field(default=0.6, ge=0.5, lt=1)
    user_segment: UserSegment
    prediction_horizon: HorizonText | None = None
    entry_window: TimeWindow | None = None
    exit_window: TimeWindow | None = None
    as_of: Instant | None = None
    account_equity: float | None = Field(default=None, gt=0, le=1e12, allow_inf_nan=False)
    timezone: str = Field(
        default=DEFAULT_TIMEZONE,
        max_length=64,
        description="IANA zone the windows are read in and `suggested_exit_time` is written "
        "in. Left out: the symbol's exchange zone (America/New_York for a US share, "
        "Europe/London for VOD.L)",
    )


class TradeSignalResponse(TypedSignalFields):
    # The caller's own confidence, echoed: anything in [0, 1] (below the 0.5 a
    # calibrated model never goes under, the answer is a low-confidence Hold).
    confidence: float = Field(ge=0, le=1)
    symbol: str
    warnings: list[str]


@shape
class StoredWindow(TypedDict, total=False):
    start: str
    end: str


@shape
class StoredPreferences(TypedDict, total=False):
    architecture: Architecture
    epochs: int
    lookback: int
    layers: int
    units: int
    dropout: float
    learning_rate: float
    batch_size: int
    seed: int


@shape
class StoredPredictRequest(TypedDict, total=False):
    """A stored /predict request (`PredictRequest` as validated, nulls left out)."""

    user_segment: UserSegment
    stocks: list[str]
    data_frequency: str
    prediction_horizon: str
    confidence_level: float
    entry_window: StoredWindow
    exit_window: StoredWindow
    entry_price: float
    stop_loss: float
    capital_at_risk: float
    features: list[str]
    sentiment_enabled: bool
    model_preferences: StoredPreferences
    agent_ids: dict[str, str]
    as_of: str
    account_equity: float
    timezone: str


@shape
class StoredRiskMetrics(TypedDict):
    max_loss: str
    risk_reward_ratio: float


@shape
class StoredStockPrediction(TypedDict, total=False):
    """A stored answer for one stock (`StockPrediction`; older rows lack newer keys)."""

    symbol: str
    predicted_price: float
    confidence: float
    trade_signal: TradeSignal
    direction: Direction
    suggested_exit_time: str
    position_size: int
    suggestion_text: str
    risk_metrics: StoredRiskMetrics
    currency: str
    max_loss_amount: float
    suggested_exit_at: str
    predicted_price_low: float | None
    predicted_price_high: float | None
    interval_coverage: float | None
    skill: Skill | None
    in_sample: bool
    prediction_id: str
    agent_id: str
    agent_version_id: str
    as_of: str
    entry_price: float
    stop_loss: float
    stale: bool
    warnings: list[str]


class PredictionRecord(Output):
    """A stored prediction: what was asked, what was answered, how it turned out."""

    id: uuid.UUID
    agent_id: uuid.UUID | None
    agent_version_id: uuid.UUID | None
    symbol: str
    data_source: DataSource
    data_frequency: DataFrequency
    prediction_horizon: str
    trade_signal: TradeSignal
    direction: Direction
    entry_price: float
    stop_loss: float
    predicted_price: float
    confidence: float
    position_size: int
    reference_price: float | None = Field(
        description="The close the forecast was made from, which `correct` is judged from "
        "(null on older calls, judged from entry_price)"
    )
    in_sample: bool = Field(description="as_of inside the model's data: not in track records")
    as_of: datetime
    target_time: datetime
    latency_ms: float
    cached: bool
    realised_price: float | None
    correct: bool | None
    realised_at: datetime | None
    created_at: datetime
    request: Annotated[dict[str, Any], Stored(StoredPredictRequest)] = Field(
        description="What was asked: the /predict request, as sent after validation"
    )
    response: Annotated[dict[str, Any], Stored(StoredStockPrediction)] = Field(
        description="What was answered for this stock (one item of `predictions`)"
    )


class PredictionPage(Output):
    items: list[PredictionRecord]
    next_cursor: str | None
