"""Stops the user left out: two ATRs on the protective side, or the first stock's distance."""

from __future__ import annotations

import math
from typing import Any

import pytest

from app.services.signals.rule import decide, expected_direction
from app.services.signals.stops import default_stop, scale_stop
from tests.services.signals.plans import plan


@pytest.mark.parametrize(
    ("entry", "atr", "direction", "stop"),
    [
        (185.50, 1.75, "Long", 182.00),
        (185.50, 1.75, "Short", 189.00),
        (100.00, 0.123, "Long", 99.75),  # 99.754 to the cent
        (0.50, 0.0123, "Long", 0.4754),  # sub-dollar: four decimals
        (100.00, 0.0, "Long", 100.00),  # a flat series: the rule will hold
    ],
)
def test_default_stop_is_two_atrs_on_the_protective_side(
    entry: float, atr: float, direction: Any, stop: float
) -> None:
    assert default_stop(entry, atr, direction) == stop


@pytest.mark.parametrize(
    ("entry", "atr", "direction", "message"),
    [
        pytest.param(100.0, -1.0, "Long", "atr", id="negative-atr"),
        pytest.param(100.0, math.nan, "Long", "atr", id="nan-atr"),
        pytest.param(10.0, 6.0, "Long", "not a price", id="below-zero"),
        pytest.param(0.0, 1.0, "Short", "entry", id="zero-entry"),
    ],
)
def test_default_stop_refusals(entry: float, atr: float, direction: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        default_stop(entry, atr, direction)


@pytest.mark.parametrize(
    "predicted", [pytest.param(190.0, id="long"), pytest.param(181.0, id="short")]
)
def test_a_default_stop_always_passes_the_stop_rule(predicted: float) -> None:
    direction = expected_direction(predicted, 185.5, "quant")
    stop = default_stop(185.5, 1.75, direction)
    assert decide(plan(predicted_price=predicted, stop_loss=stop)).trade_signal == "Enter"


@pytest.mark.parametrize(
    ("first_entry", "first_stop", "entry", "hint", "stop"),
    [
        (185.50, 182.00, 400.00, None, 392.45),  # 1.8868 % below, like the first stock's stop
        (185.50, 182.00, 400.00, "Long", 392.45),
        (185.50, 182.00, 400.00, "Short", 407.55),  # same distance on a short's protective side
        (185.50, 182.00, 185.50, None, 182.00),
        (185.50, 182.00, 0.80, None, 0.7849),
        (100.0, 103.0, 50.0, None, 51.5),  # a short's stop stays above
        (100.0, 103.0, 50.0, "Long", 48.5),
    ],
)
def test_scale_stop_keeps_the_first_stocks_percentage(
    first_entry: float, first_stop: float, entry: float, hint: Any, stop: float
) -> None:
    assert scale_stop(first_entry, first_stop, entry, hint) == stop


@pytest.mark.parametrize(
    ("first_stop", "hint", "message"),
    [
        pytest.param(0.0, None, "first_stop", id="no-first-stop"),
        pytest.param(250.0, "Long", "100 %", id="distance-of-100-percent-or-more"),
    ],
)
def test_scale_stop_refusals(first_stop: float, hint: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        scale_stop(100.0, first_stop, 50.0, hint)
