"""The rule on arrays, for the training backtest.

An agent is scored by the positions the signal rule would have taken, so the
backtest must not carry a second, drifting copy of the rule: `backtest_positions`
is `position_of(decide(...))` per bar, vectorised (a property test holds them
equal).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from app.core.segments import LONG_ONLY_SEGMENTS
from app.services.signals.rule import DEFAULT_MIN_EDGE, SEGMENTS, Signal


def position_of(signal: Signal) -> int:
    """+1 for Enter Long, −1 for Enter Short, 0 otherwise (Exit and Hold are flat)."""
    if signal.trade_signal != "Enter":
        return 0
    return 1 if signal.direction == "Long" else -1


def backtest_positions(
    *,
    predicted_log_returns: npt.ArrayLike,
    confidence: npt.ArrayLike,
    confidence_level: float,
    user_segment: str,
    min_edge: float = DEFAULT_MIN_EDGE,
    in_entry_window: npt.ArrayLike | None = None,
) -> npt.NDArray[np.int8]:
    """The rule on arrays of forecasts: `position_of(decide(...))` per bar.

    Each bar's entry is its close and its forecast is `close·exp(r)`, so the move is
    |exp(r) − 1|. The backtest places stops on the protective side (`default_stop`),
    so the wrong-side rule never fires; `in_entry_window` (bools) applies the entry
    window when the caller has bar times, otherwise every bar may enter. A Short
    call of a long-only segment is an Exit, i.e. flat. Non-finite forecasts or
    confidences are held.
    """
    if user_segment not in SEGMENTS:
        raise ValueError(f"unknown user_segment {user_segment!r}")
    r = np.asarray(predicted_log_returns, dtype=np.float64)
    c = np.asarray(confidence, dtype=np.float64)
    if r.shape != c.shape:
        raise ValueError(f"forecasts {r.shape} and confidences {c.shape} differ in shape")
    with np.errstate(invalid="ignore"):
        tradable = (
            np.isfinite(r)
            & np.isfinite(c)
            & (c >= confidence_level)
            & (r != 0)
            & (np.abs(np.expm1(r)) >= min_edge)
        )
    if in_entry_window is not None:
        window = np.asarray(in_entry_window, dtype=bool)
        if window.shape != r.shape:
            raise ValueError(f"in_entry_window {window.shape} and forecasts {r.shape} differ")
        tradable &= window
    side = np.sign(np.where(tradable, r, 0.0))
    if user_segment in LONG_ONLY_SEGMENTS:
        side = np.maximum(side, 0.0)
    return side.astype(np.int8)
