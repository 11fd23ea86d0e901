"""The words: suggestion texts to the letter, numbers shown with enough digits, dollars."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from app.core.clock import Window
from app.services.signals.rule import decide
from app.services.signals.text import figure_above, price_pair
from tests.services.signals.plans import (
    BEARISH,
    LONG_ONLY,
    MAY_SHORT,
    SEED_MARGIN,
    SEED_TEXT,
    SEGMENTS,
    ny,
    plan,
)

# 2025-03-20 14:30 UTC: 10:30 in New York (EDT), 14:30 in London (GMT).
MARCH_20 = datetime(2025, 3, 20, 14, 30, tzinfo=UTC)

SUGGESTIONS = [
    *(
        pytest.param({"user_segment": s, **SEED_MARGIN}, SEED_TEXT, id=f"{s}-long")
        for s in SEGMENTS
    ),
    *(
        pytest.param(
            {**BEARISH, "user_segment": s, **SEED_MARGIN},
            "Entering SHORT on AAPL at $185.50 with stop-loss $189.00. "
            "Trade size: 200 shares. Confidence: 0.85.",
            id=f"{s}-short",
        )
        for s in MAY_SHORT
    ),
    *(
        pytest.param(
            {"user_segment": s, "predicted_price": 183.10, "confidence": 0.81},
            "Exit or avoid a long position in AAPL: the model expects $183.10 (below $185.50). "
            "Confidence: 0.81.",
            id=f"{s}-exit",
        )
        for s in LONG_ONLY
    ),
    pytest.param(
        {"predicted_price": 185.50, "min_edge": 0.0},
        "Holding on AAPL: the model predicts no move from $185.50. "
        "The model expects $185.50 (the same as $185.50). Confidence: 0.85.",
        id="no-move",
    ),
    pytest.param(
        {"confidence": 0.65},
        "Holding on AAPL: confidence 0.65 is below your 0.70 threshold. "
        "The model expects $190.75 (above $185.50). Confidence: 0.65.",
        id="confidence-below-level",
    ),
    pytest.param(
        {"predicted_price": 185.55},
        "Holding on AAPL: the predicted move of 0.03% is below the 0.05% minimum edge. "
        "The model expects $185.55 (above $185.50). Confidence: 0.85.",
        id="below-the-minimum-edge",
    ),
    pytest.param(
        {"bar_time": datetime(2025, 6, 10, 13, 45, tzinfo=UTC)},  # 09:45 EDT
        "Holding on AAPL: the bar at 09:45 is outside your entry window 10:00-11:30 "
        "(America/New_York). The model expects $190.75 (above $185.50). Confidence: 0.85.",
        id="bar-shown-in-the-windows-zone",
    ),
    pytest.param(
        {
            "entry_price": 1234.5,
            "stop_loss": 1200,
            "predicted_price": 1300.0,
            "account_equity": 1_000_000,
        },
        "Entering LONG on AAPL at $1,234.50 with stop-loss $1,200.00. "
        "Trade size: 579 shares. Confidence: 0.85.",
        id="prices-with-two-decimals-and-separators",
    ),
    # below $1 the prices are written on the $0.0001 tick, never as "$0.05"
    pytest.param(
        {
            "entry_price": 0.0512,
            "stop_loss": 0.0480,
            "predicted_price": 0.0600,
            "account_equity": 10_000,
        },
        "Entering LONG on AAPL at $0.0512 with stop-loss $0.0480. "
        "Trade size: 62,500 shares. Confidence: 0.85.",
        id="sub-dollar-enter",
    ),
    pytest.param(
        {"entry_price": 0.05, "stop_loss": 0.0480, "predicted_price": 0.06},
        "Entering LONG on AAPL at $0.05 with stop-loss $0.0480. "
        "Trade size: 1,000,000 shares. Confidence: 0.85.",  # ⌊2,000 ÷ 0.002⌋
        id="sub-dollar-whole-cents-keep-two-decimals",
    ),
    pytest.param(
        {
            "user_segment": "investor",
            "entry_price": 0.0512,
            "stop_loss": 0.0480,
            "predicted_price": 0.0498,
        },
        "Exit or avoid a long position in AAPL: the model expects $0.0498 (below $0.0512). "
        "Confidence: 0.85.",
        id="sub-dollar-exit",
    ),
    # two prices the tick would write alike are written with their digits
    pytest.param(
        {"predicted_price": 185.504},
        "Holding on AAPL: the predicted move of 0.00% is below the 0.05% minimum edge. "
        "The model expects $185.504 (above $185.500). Confidence: 0.85.",
        id="prices-that-round-alike-keep-their-digits",
    ),
]


@pytest.mark.parametrize(("overrides", "text"), SUGGESTIONS)
def test_suggestion_text(overrides: dict[str, Any], text: str) -> None:
    assert decide(plan(**overrides)).suggestion_text == text


FRAGMENTS = [
    pytest.param(
        {"confidence": 0.6996},
        "confidence 0.6996 is below your 0.7000 threshold",
        id="confidence-just-under-the-level-with-enough-digits",
    ),
    pytest.param(
        {"predicted_price": 100.049, "entry_price": 100.0, "stop_loss": 98.0},
        "the predicted move of 0.049% is below the 0.050% minimum edge",
        id="move-just-under-the-edge-with-enough-digits",
    ),
    pytest.param(
        {"predicted_price": 100.06, "entry_price": 100.0, "stop_loss": 98.0, "min_edge": 0.0007},
        "the predicted move of 0.06% is below the 0.07% minimum edge",
        id="custom-minimum-edge-as-given",
    ),
    pytest.param(
        {"confidence": 0.752, "confidence_level": 0.755},
        "confidence 0.752 is below your 0.755 threshold",
        id="odd-threshold-as-given",
    ),
    pytest.param(
        {"bar_time": ny(11, 30, 30)}, "the bar at 11:30:30 is outside", id="bar-with-seconds"
    ),
    pytest.param(
        {"bar_time": ny(12), "entry_window": Window.parse(None, "11:30")},
        "outside your entry window until 11:30",
        id="window-without-start",
    ),
    pytest.param(
        {"bar_time": MARCH_20, "entry_window": Window.parse("14:00", "15:00")},
        "the bar at 10:30 is outside your entry window 14:00-15:00 (America/New_York)",
        id="window-read-in-new-york-not-london",
    ),
    pytest.param(
        {
            "account_equity": 100,
            "capital_at_risk": 0.02,
            "entry_price": 50.0,
            "stop_loss": 45.0,
            "predicted_price": 60.0,
        },
        "Trade size: 0 shares.",
        id="zero-shares",
    ),
    pytest.param(
        {
            "account_equity": 200,
            "capital_at_risk": 0.25,
            "entry_price": 100.0,
            "stop_loss": 60.0,
            "predicted_price": 160.0,
        },
        "Trade size: 1 share. ",
        id="one-share-is-singular",
    ),
]


@pytest.mark.parametrize(("overrides", "fragment"), FRAGMENTS)
def test_suggestion_text_says(overrides: dict[str, Any], fragment: str) -> None:
    assert fragment in decide(plan(**overrides)).suggestion_text


@pytest.mark.parametrize(
    ("overrides", "first_warning"),
    [
        pytest.param(
            {"confidence": 0.65},
            "Hold: confidence 0.65 is below your 0.70 threshold.",
            id="confidence-below-level",
        ),
        pytest.param(
            {"predicted_price": 185.55},
            "Hold: the predicted move of 0.03% is below the 0.05% minimum edge.",
            id="below-the-minimum-edge",
        ),
        # a long's stop above the entry does not hold an Exit: it is a warning
        *(
            pytest.param(
                {**BEARISH, "user_segment": s, "bar_time": ny(13)},
                "Stop-loss: a long position needs its stop-loss below the entry, but the "
                "stop-loss $189.00 is above the entry $185.50.",
                id=f"{s}-exit-with-a-stop-above",
            )
            for s in LONG_ONLY
        ),
        pytest.param(
            {"entry_price": 0.0512, "stop_loss": 0.0480, "predicted_price": 0.0537},
            "Risk/reward 0.78 is below 1: the expected move of $0.0025 a share is smaller "
            "than the $0.0032 a share risked to the stop.",
            id="sub-dollar-amounts-a-share",
        ),
        pytest.param(
            {"entry_price": 0.0512, "stop_loss": 0.0530, "predicted_price": 0.0600},
            "Hold: a long position needs its stop-loss below the entry, but the stop-loss "
            "$0.0530 is above the entry $0.0512.",
            id="sub-dollar-stop-on-the-wrong-side",
        ),
        pytest.param(
            {"entry_price": 0.05121, "stop_loss": 0.05124, "predicted_price": 0.0600},
            "Hold: a long position needs its stop-loss below the entry, but the stop-loss "
            "$0.05124 is above the entry $0.05121.",
            id="off-tick-prices-are-not-rounded-into-a-contradiction",
        ),
    ],
)
def test_first_warning(overrides: dict[str, Any], first_warning: str) -> None:
    assert decide(plan(**overrides)).warnings[0] == first_warning


@pytest.mark.parametrize(
    ("first", "second", "texts"),
    [
        ("185.50", "182.00", ("$185.50", "$182.00")),
        ("185.504", "185.50", ("$185.504", "$185.500")),
        ("185.50", "185.5", ("$185.50", "$185.50")),  # equal prices stay equal
        ("0.0512", "0.0480", ("$0.0512", "$0.0480")),
        ("0.05121", "0.05124", ("$0.05121", "$0.05124")),
        ("1234.501", "1234.5", ("$1,234.501", "$1,234.500")),
    ],
)
def test_price_pair(first: str, second: str, texts: tuple[str, str]) -> None:
    assert price_pair(Decimal(first), Decimal(second)) == texts


@pytest.mark.parametrize(
    ("value", "floor", "text"),
    [
        ("12.5", "0", "12.5"),
        ("9.137", "3", "9.1"),
        ("3.04", "3", "3.04"),  # not "3.0" over a 3-ATR threshold
        ("3.0004", "3", "3.0004"),
        ("0.043", "0", "0.04"),  # not "0.0"
        ("5.04", "5", "5.04"),  # not "5.0" over a 5 % threshold
        ("5.05", "5", "5.1"),  # half-up
    ],
)
def test_figure_above(value: str, floor: str, text: str) -> None:
    assert figure_above(Decimal(value), Decimal(floor)) == text
