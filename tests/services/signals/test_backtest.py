"""The rule on arrays: the backtest's positions are `position_of(decide(...))` per bar."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.services.signals.backtest import backtest_positions, position_of
from app.services.signals.rule import DEFAULT_MIN_EDGE, decide, expected_direction
from app.services.signals.stops import default_stop
from tests.services.signals.plans import BEARISH, LONG_ONLY, MAY_SHORT, SEED_MARGIN, ny, plan


@pytest.mark.parametrize(
    ("overrides", "position"),
    [
        *(
            pytest.param({**BEARISH, "user_segment": s, **SEED_MARGIN}, -1, id=f"{s}-short")
            for s in MAY_SHORT
        ),
        *(
            pytest.param(
                {"user_segment": s, "predicted_price": 183.10, "confidence": 0.81},
                0,
                id=f"{s}-exit-is-flat",
            )
            for s in LONG_ONLY
        ),
        pytest.param({"confidence": 0.65}, 0, id="hold-is-flat"),
    ],
)
def test_position_of(overrides: dict[str, Any], position: int) -> None:
    assert position_of(decide(plan(**overrides))) == position


def test_backtest_positions_table() -> None:
    r = [0.01, -0.01, 0.01, 0.0, 0.0004, -0.02, math.nan, 0.03]
    c = [0.80, 0.80, 0.50, 0.9, 0.900, 0.75, 0.90, math.nan]
    got = backtest_positions(
        predicted_log_returns=r, confidence=c, confidence_level=0.7, user_segment="quant"
    )
    assert got.tolist() == [1, -1, 0, 0, 0, -1, 0, 0]
    assert got.dtype == np.int8
    long_only = backtest_positions(
        predicted_log_returns=r, confidence=c, confidence_level=0.7, user_segment="investor"
    )
    assert long_only.tolist() == [1, 0, 0, 0, 0, 0, 0, 0]


def test_backtest_positions_entry_window_mask_and_min_edge() -> None:
    r = np.array([0.01, 0.01, -0.001])
    c = np.full(3, 0.9)
    mask = np.array([True, False, True])
    got = backtest_positions(
        predicted_log_returns=r,
        confidence=c,
        confidence_level=0.7,
        user_segment="short_term_trader",
        in_entry_window=mask,
    )
    assert got.tolist() == [1, 0, -1]
    strict = backtest_positions(
        predicted_log_returns=r,
        confidence=c,
        confidence_level=0.7,
        user_segment="short_term_trader",
        min_edge=0.005,
    )
    assert strict.tolist() == [1, 1, 0]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(
            {"predicted_log_returns": [0.1, 0.2], "confidence": [0.9]}, "shape", id="shapes"
        ),
        pytest.param(
            {"in_entry_window": [True, False]}, "in_entry_window", id="entry-window-shape"
        ),
        pytest.param({"user_segment": "retail"}, "user_segment", id="unknown-segment"),
    ],
)
def test_backtest_positions_refusals(arguments: dict[str, Any], message: str) -> None:
    base: dict[str, Any] = {
        "predicted_log_returns": [0.1],
        "confidence": [0.9],
        "confidence_level": 0.5,
        "user_segment": "quant",
    }
    with pytest.raises(ValueError, match=message):
        backtest_positions(**{**base, **arguments})


@settings(max_examples=300, deadline=None)
@given(
    r=st.floats(-0.05, 0.05, allow_nan=False),
    confidence=st.floats(0.5, 1.0),
    level=st.sampled_from([0.5, 0.6, 0.7, 0.8]),
    segment=st.sampled_from(["short_term_trader", "investor", "manager", "quant"]),
    min_edge=st.sampled_from([0.0, DEFAULT_MIN_EDGE, 0.002]),
    in_window=st.booleans(),
)
def test_backtest_positions_agree_with_decide(
    r: float, confidence: float, level: float, segment: str, min_edge: float, in_window: bool
) -> None:
    entry = 100.0
    predicted = entry * math.exp(r)
    assume(predicted != entry or r == 0)
    assume(abs(abs(predicted - entry) / entry - min_edge) > 1e-9)  # float vs decimal at the tie
    direction = expected_direction(predicted, entry, segment)
    signal = decide(
        plan(
            predicted_price=predicted,
            entry_price=entry,
            confidence=confidence,
            confidence_level=level,
            user_segment=segment,
            min_edge=min_edge,
            stop_loss=default_stop(entry, 1.0, direction),
            bar_time=ny(10, 30) if in_window else ny(9),
        )
    )
    vector = backtest_positions(
        predicted_log_returns=[math.log(predicted / entry)],
        confidence=[confidence],
        confidence_level=level,
        user_segment=segment,
        min_edge=min_edge,
        in_entry_window=[in_window],
    )
    assert vector.tolist() == [position_of(signal)]
