"""The signal rule: a forecast and a trade plan → Enter / Exit / Hold, sized and timed.

Pure (no I/O, no FastAPI, no database) so that every caller applies one rule;
docs/SIGNALS.md describes it for users. One idea per module: `rule` decides,
`sizing` sizes, `stops` places missing stops, `exit_time` times the exit, `text`
words it and `backtest` runs the rule on arrays. The names below are the
package's public surface.
"""

from app.services.signals.backtest import backtest_positions, position_of
from app.services.signals.rule import (
    DEFAULT_MIN_EDGE,
    FAR_ENTRY_ATRS,
    FAR_ENTRY_FRACTION,
    LOW_CONFIDENCE,
    MAX_CAPITAL_AT_RISK,
    SEGMENTS,
    Direction,
    HoldReason,
    RiskMetrics,
    Signal,
    SignalInput,
    TradeSignal,
    decide,
    expected_direction,
)
from app.services.signals.stops import STOP_ATR_MULTIPLE, default_stop, scale_stop

__all__ = [
    "DEFAULT_MIN_EDGE",
    "FAR_ENTRY_ATRS",
    "FAR_ENTRY_FRACTION",
    "LOW_CONFIDENCE",
    "MAX_CAPITAL_AT_RISK",
    "SEGMENTS",
    "STOP_ATR_MULTIPLE",
    "Direction",
    "HoldReason",
    "RiskMetrics",
    "Signal",
    "SignalInput",
    "TradeSignal",
    "backtest_positions",
    "decide",
    "default_stop",
    "expected_direction",
    "position_of",
    "scale_stop",
]
