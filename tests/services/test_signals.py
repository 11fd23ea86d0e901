"""The §6 signal rule: every branch, the SPEC's arithmetic, windows, zones and texts."""

from __future__ import annotations

import json
import math
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.services.signals import (
    DEFAULT_MIN_EDGE,
    LOW_CONFIDENCE,
    HoldReason,
    SignalInput,
    Window,
    backtest_positions,
    decide,
    default_stop,
    expected_direction,
    format_usd,
    parse_hhmm,
    position_of,
    scale_stop,
)

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SEED_TEXT = (
    "Entering LONG on AAPL at $185.50 with stop-loss $182.00. "
    "Trade size: 200 shares. Confidence: 0.85."
)
SEED_KEYS = [
    "predicted_price",
    "confidence",
    "trade_signal",
    "direction",
    "suggested_exit_time",
    "position_size",
    "suggestion_text",
    "risk_metrics",
]


def ny(hour: int, minute: int = 0, second: int = 0, day: int = 10, month: int = 6) -> datetime:
    """A 2025 New York wall-clock instant; 2025-06-10 is a Tuesday."""
    return datetime(2025, month, day, hour, minute, second, tzinfo=NY)


def plan(**overrides: Any) -> SignalInput:
    """The seed's request as a SignalInput (a bullish 1-minute call at 10:30 New York)."""
    fields: dict[str, Any] = {
        "symbol": "AAPL",
        "predicted_price": 190.75,
        "confidence": 0.85,
        "entry_price": 185.50,
        "stop_loss": 182.00,
        "capital_at_risk": 0.02,
        "confidence_level": 0.7,
        "user_segment": "short_term_trader",
        "account_equity": 100_000.0,
        "bar_time": ny(10, 30),
        "horizon": timedelta(hours=1),
        "entry_window": Window.parse("10:00", "11:30"),
        "exit_window": Window.parse(None, "14:00"),
    }
    fields.update(overrides)
    return SignalInput(**fields)


def bearish(**overrides: Any) -> SignalInput:
    """A Short call with the stop on the protective side for a short."""
    return plan(**{"predicted_price": 181.00, "stop_loss": 189.00, **overrides})


def has_warning(signal: Any, fragment: str) -> bool:
    return any(fragment in w for w in signal.warnings)


# --- the seed and the SPEC's arithmetic ------------------------------------------------


def test_seed_example_with_margin_gives_the_seed_response_except_the_ratio() -> None:
    """The seed's numbers; its 1.5 ratio is illustrative: the rule gives 0.5 (SPEC §6)."""
    signal = decide(
        plan(
            predicted_price=187.25,
            account_equity=35_000,
            buying_power=70_000,
            bar_time=ny(11),
            horizon=timedelta(hours=3),
        )
    )
    assert signal.to_dict() == {
        "predicted_price": 187.25,
        "confidence": 0.85,
        "trade_signal": "Enter",
        "direction": "Long",
        "suggested_exit_time": "14:00",
        "position_size": 200,
        "suggestion_text": SEED_TEXT,
        "risk_metrics": {"max_loss": "$700", "risk_reward_ratio": 0.5},
    }
    assert list(signal.to_dict()) == SEED_KEYS
    assert list(signal.to_dict()["risk_metrics"]) == ["max_loss", "risk_reward_ratio"]
    assert signal.warnings == [
        "Risk/reward 0.50 is below 1: the expected move of $1.75 a share is smaller than "
        "the $3.50 a share risked to the stop."
    ]


def test_spec_arithmetic_uncapped_is_200_shares_and_700_dollars() -> None:
    """⌊35,000 × 0.02 ÷ 3.50⌋ = 200 and 200 × 3.50 = $700, when the cap allows it."""
    signal = decide(plan(account_equity=35_000, buying_power=37_100))
    assert (signal.position_size, signal.risk_metrics.max_loss) == (200, "$700")
    assert signal.max_loss_amount == Decimal(700)
    assert not has_warning(signal, "capped")


def test_spec_arithmetic_with_the_equity_cap_is_188_shares() -> None:
    """200 shares at $185.50 are $37,100 > $35,000 equity: the SPEC's cap wins by default."""
    signal = decide(plan(account_equity=35_000))
    assert (signal.position_size, signal.risk_metrics.max_loss) == (188, "$658")
    assert 188 * 185.50 <= 35_000 < 189 * 185.50
    assert (
        "Position capped at 188 shares so its value ($34,874) stays within your equity of "
        "$35,000; the risk budget alone allowed 200 shares." in signal.warnings
    )


@pytest.mark.parametrize(
    ("predicted", "ratio", "warned"),
    [
        (187.25, 0.5, True),  # the SPEC's note: 1.75 / 3.50
        (190.75, 1.5, False),  # the seed's 1.5: 5.25 / 3.50
        (189.00, 1.0, False),  # exactly 1 is not "below 1"
        (188.99, 1.0, True),  # 0.997… shows as 1.0 but is below 1
        (185.60, 0.03, True),
    ],
)
def test_risk_reward_ratio_and_its_warning(predicted: float, ratio: float, warned: bool) -> None:
    signal = decide(plan(predicted_price=predicted))
    assert signal.risk_metrics.risk_reward_ratio == ratio
    assert has_warning(signal, "Risk/reward") is warned


# --- direction, segments, Enter / Exit / Hold ---------------------------------------------


@pytest.mark.parametrize("segment", ["short_term_trader", "investor", "manager", "quant"])
def test_every_segment_enters_a_long(segment: str) -> None:
    signal = decide(plan(user_segment=segment, account_equity=35_000, buying_power=70_000))
    assert (signal.trade_signal, signal.direction, signal.position_size) == ("Enter", "Long", 200)
    assert signal.suggestion_text == SEED_TEXT
    assert signal.hold_reasons == []


@pytest.mark.parametrize("segment", ["short_term_trader", "quant"])
def test_traders_and_quants_enter_shorts(segment: str) -> None:
    signal = decide(bearish(user_segment=segment, account_equity=35_000, buying_power=70_000))
    assert (signal.trade_signal, signal.direction) == ("Enter", "Short")
    assert signal.position_size == 200  # ⌊700 ÷ 3.50⌋
    assert signal.suggestion_text == (
        "Entering SHORT on AAPL at $185.50 with stop-loss $189.00. "
        "Trade size: 200 shares. Confidence: 0.85."
    )
    assert position_of(signal) == -1


@pytest.mark.parametrize("segment", ["investor", "manager"])
def test_long_only_segments_turn_a_short_call_into_exit(segment: str) -> None:
    signal = decide(plan(user_segment=segment, predicted_price=183.10, confidence=0.81))
    assert (signal.trade_signal, signal.direction) == ("Exit", "Long")
    assert (signal.position_size, signal.risk_metrics.max_loss) == (0, "$0")
    assert signal.max_loss_amount == 0
    assert signal.suggestion_text == (
        "Exit or avoid a long position in AAPL: the model expects $183.10 (below $185.50). "
        "Confidence: 0.81."
    )
    assert signal.hold_reasons == []
    assert position_of(signal) == 0


@pytest.mark.parametrize("segment", ["investor", "manager"])
def test_exit_is_not_held_by_the_entry_window_but_warns_of_a_misplaced_stop(segment: str) -> None:
    """Leaving a position needs no entry window; a long's stop above the entry is a warning."""
    signal = decide(bearish(user_segment=segment, bar_time=ny(13)))
    assert (signal.trade_signal, signal.direction) == ("Exit", "Long")
    assert signal.warnings[0] == (
        "Stop-loss: a long position needs its stop-loss below the entry, but the stop-loss "
        "$189.00 is above the entry $185.50."
    )


@pytest.mark.parametrize("segment", ["investor", "manager"])
def test_a_weak_short_call_of_a_long_only_segment_is_a_long_hold(segment: str) -> None:
    signal = decide(plan(user_segment=segment, predicted_price=183.10, confidence=0.65))
    assert (signal.trade_signal, signal.direction) == ("Hold", "Long")
    assert signal.hold_reasons == [HoldReason.below_confidence_level]


@pytest.mark.parametrize(
    ("predicted", "entry", "segment", "expected"),
    [
        (190.0, 185.5, "quant", "Long"),
        (180.0, 185.5, "quant", "Short"),
        (185.5, 185.5, "quant", "Long"),
        (180.0, 185.5, "investor", "Long"),
        (180.0, 185.5, "manager", "Long"),
        (180.0, 185.5, "short_term_trader", "Short"),
    ],
)
def test_expected_direction(predicted: float, entry: float, segment: str, expected: str) -> None:
    assert expected_direction(predicted, entry, segment) == expected


def test_a_prediction_equal_to_the_entry_is_a_long_hold_with_no_move() -> None:
    signal = decide(plan(predicted_price=185.50, min_edge=0.0))
    assert (signal.trade_signal, signal.direction, signal.position_size) == ("Hold", "Long", 0)
    assert signal.hold_reasons == [HoldReason.below_min_edge]
    assert signal.suggestion_text == (
        "Holding on AAPL: the model predicts no move from $185.50. "
        "The model expects $185.50 (the same as $185.50). Confidence: 0.85."
    )
    assert not has_warning(signal, "Risk/reward")


# --- Hold: confidence -----------------------------------------------------------------------


def test_confidence_below_the_users_level_holds() -> None:
    signal = decide(plan(confidence=0.65))
    assert (signal.trade_signal, signal.position_size, signal.risk_metrics.max_loss) == (
        "Hold",
        0,
        "$0",
    )
    assert signal.hold_reasons == [HoldReason.below_confidence_level]
    assert signal.suggestion_text == (
        "Holding on AAPL: confidence 0.65 is below your 0.70 threshold. "
        "The model expects $190.75 (above $185.50). Confidence: 0.65."
    )
    assert signal.warnings[0] == "Hold: confidence 0.65 is below your 0.70 threshold."
    assert position_of(signal) == 0


def test_confidence_at_the_users_level_enters() -> None:
    assert decide(plan(confidence=0.70)).trade_signal == "Enter"


def test_a_confidence_just_under_the_level_is_shown_with_enough_digits() -> None:
    signal = decide(plan(confidence=0.6996))
    assert signal.trade_signal == "Hold"
    assert "confidence 0.6996 is below your 0.7000 threshold" in signal.suggestion_text
    assert signal.confidence == 0.70


@pytest.mark.parametrize(
    ("confidence", "level", "segment", "predicted", "expected_signal"),
    [
        (0.59, 0.50, "quant", 190.75, "Enter"),
        (0.59, 0.70, "quant", 190.75, "Hold"),
        (0.59, 0.50, "investor", 183.10, "Exit"),
    ],
)
def test_low_confidence_warning_whatever_the_signal(
    confidence: float, level: float, segment: str, predicted: float, expected_signal: str
) -> None:
    signal = decide(
        plan(
            confidence=confidence,
            confidence_level=level,
            user_segment=segment,
            predicted_price=predicted,
        )
    )
    assert signal.trade_signal == expected_signal
    assert "Low confidence: 0.59 is below 0.60; treat this call with caution." in signal.warnings


@pytest.mark.parametrize(
    ("confidence", "warned"),
    [(0.59, True), (0.5999, True), (0.60, False), (0.61, False), (0.0, True), (1.0, False)],
)
def test_low_confidence_threshold_is_060(confidence: float, warned: bool) -> None:
    signal = decide(plan(confidence=confidence, confidence_level=0.0))
    assert has_warning(signal, "Low confidence") is warned
    if confidence == 0.5999:
        assert "Low confidence: 0.5999 is below 0.6000; treat this call with caution." in (
            signal.warnings
        )
    assert LOW_CONFIDENCE == 0.60


# --- Hold: minimum edge ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("predicted", "min_edge", "expected"),
    [
        (100.04, DEFAULT_MIN_EDGE, "Hold"),  # 4 bp
        (100.05, DEFAULT_MIN_EDGE, "Enter"),  # exactly 5 bp is enough (decimal arithmetic)
        (100.06, DEFAULT_MIN_EDGE, "Enter"),
        (99.96, DEFAULT_MIN_EDGE, "Hold"),  # short side too
        (100.01, 0.0, "Enter"),  # the edge can be switched off …
        (100.00, 0.0, "Hold"),  # … but no move is still no trade
        (100.90, 0.01, "Hold"),  # a stricter edge: 90 bp < 100 bp
        (101.00, 0.01, "Enter"),
    ],
)
def test_minimum_edge(predicted: float, min_edge: float, expected: str) -> None:
    stop = 98.0 if predicted >= 100 else 102.0
    signal = decide(
        plan(predicted_price=predicted, entry_price=100.0, stop_loss=stop, min_edge=min_edge)
    )
    assert signal.trade_signal == expected
    assert (HoldReason.below_min_edge in signal.hold_reasons) is (expected == "Hold")


def test_minimum_edge_text() -> None:
    signal = decide(plan(predicted_price=185.55))
    assert signal.suggestion_text.startswith(
        "Holding on AAPL: the predicted move of 0.03% is below the 0.05% minimum edge. "
    )
    assert "Hold: the predicted move of 0.03% is below the 0.05% minimum edge." in signal.warnings
    near = decide(plan(predicted_price=100.049, entry_price=100.0, stop_loss=98.0))
    assert "the predicted move of 0.049% is below the 0.050% minimum edge" in near.suggestion_text


def test_a_custom_minimum_edge_is_shown_as_given() -> None:
    signal = decide(
        plan(predicted_price=100.06, entry_price=100.0, stop_loss=98.0, min_edge=0.0007)
    )
    assert "the predicted move of 0.06% is below the 0.07% minimum edge" in signal.suggestion_text


def test_an_odd_threshold_is_shown_as_given() -> None:
    signal = decide(plan(confidence=0.752, confidence_level=0.755))
    assert "confidence 0.752 is below your 0.755 threshold" in signal.suggestion_text


# --- Hold: entry window and time zones ----------------------------------------------------


@pytest.mark.parametrize(
    ("bar", "inside"),
    [
        (ny(9, 59), False),
        (ny(9, 59, 59), False),
        (ny(10, 0), True),  # both edges are inside
        (ny(10, 45), True),
        (ny(11, 30), True),
        (ny(11, 30, 1), False),
        (ny(11, 31), False),
        (ny(15, 0), False),
    ],
)
def test_entry_window_edges(bar: datetime, inside: bool) -> None:
    signal = decide(plan(bar_time=bar))
    assert (signal.trade_signal == "Enter") is inside
    assert (HoldReason.outside_entry_window in signal.hold_reasons) is not inside


def test_entry_window_text_shows_the_bar_in_the_windows_zone() -> None:
    signal = decide(plan(bar_time=datetime(2025, 6, 10, 13, 45, tzinfo=UTC)))  # 09:45 EDT
    assert signal.suggestion_text == (
        "Holding on AAPL: the bar at 09:45 is outside your entry window 10:00-11:30 "
        "(America/New_York). The model expects $190.75 (above $185.50). Confidence: 0.85."
    )
    seconds = decide(plan(bar_time=ny(11, 30, 30)))
    assert "the bar at 11:30:30 is outside" in seconds.suggestion_text


def test_entry_window_without_start_means_until_its_end() -> None:
    window = Window.parse(None, "11:30")
    assert decide(plan(bar_time=ny(9, 31), entry_window=window)).trade_signal == "Enter"
    late = decide(plan(bar_time=ny(12), entry_window=window))
    assert "outside your entry window until 11:30" in late.suggestion_text


def test_no_entry_window_never_holds_for_time() -> None:
    assert decide(plan(bar_time=ny(15, 59), entry_window=None)).trade_signal == "Enter"


@pytest.mark.parametrize("bar", [ny(0), ny(9, 0), ny(16, 0), datetime(2025, 6, 10, tzinfo=UTC)])
def test_daily_bars_ignore_the_entry_window(bar: datetime) -> None:
    assert (
        decide(plan(bar_time=bar, intraday=False, horizon=timedelta(days=1))).trade_signal
        == "Enter"
    )
    assert decide(plan(bar_time=bar)).trade_signal == "Hold"


@pytest.mark.parametrize(
    ("bar_utc", "inside"),
    [
        (datetime(2025, 1, 14, 14, 30, tzinfo=UTC), False),  # EST: 09:30 local
        (datetime(2025, 3, 7, 14, 30, tzinfo=UTC), False),  # Friday before DST: 09:30
        (datetime(2025, 3, 10, 14, 30, tzinfo=UTC), True),  # Monday after DST: 10:30
        (datetime(2025, 11, 3, 15, 45, tzinfo=UTC), True),  # after fall-back: 10:45 EST
        (datetime(2025, 10, 31, 15, 45, tzinfo=UTC), False),  # before it: 11:45 EDT
    ],
)
def test_entry_window_follows_new_york_daylight_saving(bar_utc: datetime, inside: bool) -> None:
    assert (decide(plan(bar_time=bar_utc)).trade_signal == "Enter") is inside


def test_entry_window_in_london_is_read_in_london_time() -> None:
    # 2025-03-20: New York is already on EDT (UTC-4), London still on GMT (UTC+0).
    bar = datetime(2025, 3, 20, 14, 30, tzinfo=UTC)
    london = plan(
        bar_time=bar,
        timezone="Europe/London",
        entry_window=Window.parse("14:00", "15:00"),
        exit_window=Window.parse(None, "16:00"),
    )
    new_york = plan(bar_time=bar, entry_window=Window.parse("14:00", "15:00"))
    assert decide(london).trade_signal == "Enter"  # 14:30 GMT
    held = decide(new_york)  # 10:30 EDT
    assert held.trade_signal == "Hold"
    assert (
        "the bar at 10:30 is outside your entry window 14:00-15:00 (America/New_York)"
        in held.suggestion_text
    )
    assert decide(london).suggested_exit_time == "15:30"  # 14:30 + 1h, London clock


def test_naive_bar_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        plan(bar_time=datetime(2025, 6, 10, 10, 30))


# --- Hold: stop on the wrong side -----------------------------------------------------------


@pytest.mark.parametrize(
    ("predicted", "stop", "direction", "relation"),
    [
        (190.75, 186.00, "Long", "is above"),
        (190.75, 185.50, "Long", "equals"),
        (181.00, 182.00, "Short", "is below"),
        (181.00, 185.50, "Short", "equals"),
    ],
)
def test_stop_on_the_wrong_side_holds(
    predicted: float, stop: float, direction: str, relation: str
) -> None:
    signal = decide(plan(predicted_price=predicted, stop_loss=stop))
    assert (signal.trade_signal, signal.direction) == ("Hold", direction)
    assert signal.hold_reasons == [HoldReason.stop_wrong_side]
    assert (signal.position_size, signal.risk_metrics.max_loss) == (0, "$0")
    side = "below" if direction == "Long" else "above"
    expected = (
        f"a {direction.lower()} position needs its stop-loss {side} the entry, but the "
        f"stop-loss ${stop:.2f} {relation} the entry $185.50"
    )
    assert expected in signal.suggestion_text
    assert f"Hold: {expected}." in signal.warnings


def test_stop_at_the_entry_has_no_ratio_and_no_division_by_zero() -> None:
    signal = decide(plan(stop_loss=185.50))
    assert signal.risk_metrics.risk_reward_ratio == 0.0
    assert not has_warning(signal, "Risk/reward")


def test_all_hold_reasons_are_listed_in_order() -> None:
    signal = decide(plan(predicted_price=185.52, confidence=0.5, stop_loss=190.0, bar_time=ny(9)))
    assert signal.hold_reasons == [
        HoldReason.below_confidence_level,
        HoldReason.below_min_edge,
        HoldReason.outside_entry_window,
        HoldReason.stop_wrong_side,
    ]
    assert signal.suggestion_text.count("; ") == 3
    assert [w for w in signal.warnings if w.startswith("Hold: ")] == [
        f"Hold: {text}."
        for text in signal.suggestion_text.removeprefix("Holding on AAPL: ")
        .split(". The model expects")[0]
        .split("; ")
    ]


# --- sizing ------------------------------------------------------------------------------------


def test_position_is_capped_by_equity_with_a_warning() -> None:
    signal = decide(
        plan(
            account_equity=10_000,
            capital_at_risk=0.25,
            entry_price=100.0,
            stop_loss=99.90,
            predicted_price=101.0,
        )
    )
    assert signal.position_size == 100  # the risk budget alone: ⌊2,500 ÷ 0.10⌋ = 25,000
    assert signal.risk_metrics.max_loss == "$10"
    assert signal.warnings == [
        "Position capped at 100 shares so its value ($10,000) stays within your equity of "
        "$10,000; the risk budget alone allowed 25,000 shares."
    ]


def test_buying_power_raises_the_cap_and_names_itself() -> None:
    signal = decide(
        plan(
            account_equity=10_000,
            capital_at_risk=0.25,
            entry_price=100.0,
            stop_loss=99.90,
            predicted_price=101.0,
            buying_power=20_000,
        )
    )
    assert signal.position_size == 200
    assert "within your buying power of $20,000" in signal.warnings[0]


def test_enter_with_a_budget_below_one_shares_risk_has_size_zero_and_says_why() -> None:
    signal = decide(
        plan(
            account_equity=100,
            capital_at_risk=0.02,
            entry_price=50.0,
            stop_loss=45.0,
            predicted_price=60.0,
        )
    )
    assert (signal.trade_signal, signal.position_size, signal.risk_metrics.max_loss) == (
        "Enter",
        0,
        "$0",
    )
    assert "Trade size: 0 shares." in signal.suggestion_text
    assert (
        "Your risk budget of $2 is less than the $5.00 risked on one share, so the "
        "position size is 0."
    ) in signal.warnings


def test_enter_when_one_share_costs_more_than_equity_has_size_zero() -> None:
    signal = decide(plan(account_equity=150))
    assert (signal.trade_signal, signal.position_size) == ("Enter", 0)
    assert (
        "One share at $185.50 costs more than your equity of $150, so the position size is 0."
    ) in signal.warnings


def test_one_share_is_singular() -> None:
    signal = decide(
        plan(
            account_equity=200,
            capital_at_risk=0.25,
            entry_price=100.0,
            stop_loss=60.0,
            predicted_price=160.0,
        )
    )
    assert signal.position_size == 1
    assert "Trade size: 1 share. " in signal.suggestion_text


def test_max_loss_uses_decimal_prices() -> None:
    """185.57 − 182.00 is 3.57 exactly: ⌊700 ÷ 3.57⌋ = 196 and 196 × 3.57 = $699.72."""
    signal = decide(plan(account_equity=35_000, buying_power=70_000, entry_price=185.57))
    assert (signal.position_size, signal.risk_metrics.max_loss) == (196, "$699.72")


@pytest.mark.parametrize(
    ("equity", "risk", "entry", "stop", "size"),
    [
        (35_000, 0.02, 185.50, 182.00, 188),
        (100_000, 0.01, 50.00, 49.00, 1_000),
        (100_000, 0.01, 50.00, 49.01, 1_010),  # ⌊1,000 ÷ 0.99⌋
        (1_000_000, 0.25, 10.00, 9.00, 100_000),  # capped at ⌊1,000,000 ÷ 10⌋
        (5_000, 0.10, 20.00, 10.00, 50),
    ],
)
def test_position_size_table(
    equity: float, risk: float, entry: float, stop: float, size: int
) -> None:
    signal = decide(
        plan(
            account_equity=equity,
            capital_at_risk=risk,
            entry_price=entry,
            stop_loss=stop,
            predicted_price=entry * 1.5,
        )
    )
    assert signal.position_size == size


# --- formatting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (700, "$700"),
        (Decimal("700.00"), "$700"),
        (1234.5, "$1,234.50"),
        (Decimal("1234.50"), "$1,234.50"),
        (1_000_000, "$1,000,000"),
        (0, "$0"),
        (Decimal("0.0"), "$0"),
        (0.005, "$0.01"),
        (0.004, "$0"),
        (999.999, "$1,000"),
        (12.3, "$12.30"),
        (Decimal("699.72"), "$699.72"),
        (1_234_567.891, "$1,234,567.89"),
    ],
)
def test_format_usd(amount: Decimal | float, text: str) -> None:
    assert format_usd(amount) == text


def test_prices_in_the_text_have_two_decimals_and_separators() -> None:
    signal = decide(
        plan(entry_price=1234.5, stop_loss=1200, predicted_price=1300.0, account_equity=1_000_000)
    )
    assert signal.suggestion_text == (
        "Entering LONG on AAPL at $1,234.50 with stop-loss $1,200.00. "
        "Trade size: 579 shares. Confidence: 0.85."
    )
    assert signal.risk_metrics.max_loss == "$19,975.50"  # 579 × 34.50


@pytest.mark.parametrize(
    ("predicted", "confidence", "shown_price", "shown_confidence"),
    [
        (187.256, 0.8449, 187.26, 0.84),
        (187.245, 0.845, 187.25, 0.85),  # half-up on the decimal, not on the binary float
        (187.2, 0.9, 187.2, 0.9),
        (187.25, 1.0, 187.25, 1.0),
    ],
)
def test_output_rounding(
    predicted: float, confidence: float, shown_price: float, shown_confidence: float
) -> None:
    signal = decide(plan(predicted_price=predicted, confidence=confidence))
    assert (signal.predicted_price, signal.confidence) == (shown_price, shown_confidence)
    assert f"Confidence: {shown_confidence:.2f}." in signal.suggestion_text


def test_to_dict_is_json_and_the_signal_is_frozen() -> None:
    signal = decide(plan())
    assert json.loads(json.dumps(signal.to_dict())) == signal.to_dict()
    with pytest.raises(FrozenInstanceError):
        signal.position_size = 1  # type: ignore[misc]


# --- suggested exit time --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, "11:30"),  # 10:30 + 1h, before the 14:00 window end
        ({"horizon": timedelta(hours=5)}, "14:00"),  # the window's end comes first
        ({"bar_time": ny(11), "horizon": timedelta(hours=3)}, "14:00"),  # a tie
        ({"exit_window": None, "horizon": timedelta(hours=5)}, "15:30"),
        ({"exit_window": None, "horizon": timedelta(hours=1, minutes=7)}, "11:37"),
        ({"exit_window": None, "horizon": timedelta(days=1)}, "2025-06-11T10:30:00-04:00"),
        ({"exit_window": None, "horizon": None}, "16:00"),  # the session close
        ({"exit_window": None, "horizon": None, "bar_time": ny(16)}, "16:00"),
        (
            {"exit_window": None, "horizon": None, "bar_time": ny(16, 1)},
            "2025-06-11T16:00:00-04:00",
        ),
        (
            {"exit_window": None, "horizon": None, "bar_time": ny(16, 1, day=13)},
            "2025-06-16T16:00:00-04:00",
        ),  # Friday after the close → Monday
        ({"horizon": None}, "14:00"),  # the window alone
        ({"horizon": None, "horizon_end": ny(10, 0, day=11)}, "14:00"),
        (
            {"horizon": None, "horizon_end": ny(10, 0, day=11), "exit_window": None},
            "2025-06-11T10:00:00-04:00",
        ),  # a trading-time 1h from 15:30: the next morning
    ],
)
def test_suggested_exit_time_intraday(overrides: dict[str, Any], expected: str) -> None:
    signal = decide(plan(**overrides))
    assert signal.suggested_exit_time == expected
    assert signal.exit_at >= overrides.get("bar_time", ny(10, 30))


def test_exit_time_is_reported_for_hold_and_exit_too() -> None:
    assert decide(plan(confidence=0.1)).suggested_exit_time == "11:30"
    assert (
        decide(plan(user_segment="manager", predicted_price=180.0)).suggested_exit_time == "11:30"
    )


def test_exit_window_already_closed_means_exit_now_with_a_warning() -> None:
    signal = decide(plan(bar_time=ny(15), entry_window=None))
    assert signal.suggested_exit_time == "15:00"
    assert signal.exit_at == ny(15)
    assert (
        "Your exit window closed at 14:00 (America/New_York), before this bar at 15:00: "
        "close any open position now."
    ) in signal.warnings


def test_exit_before_the_exit_windows_start_warns() -> None:
    signal = decide(plan(exit_window=Window.parse("13:00", "14:00")))
    assert signal.suggested_exit_time == "11:30"
    assert has_warning(signal, "before your exit window opens at 13:00")
    quiet = decide(plan(exit_window=Window.parse("11:00", "14:00")))
    assert not has_warning(quiet, "exit window opens")


def test_exit_window_in_another_zone_uses_that_zones_trading_day() -> None:
    # 10:30 New York = 15:30 London; a London exit deadline of 16:00 is 11:00 New York.
    signal = decide(
        plan(timezone="Europe/London", entry_window=None, exit_window=Window.parse(None, "16:00"))
    )
    assert signal.suggested_exit_time == "16:00"
    assert signal.exit_at == ny(11)


def test_exit_time_is_elapsed_time_across_a_dst_change() -> None:
    # Saturday 2025-11-01 20:00 EDT + 24h of elapsed time = Sunday 19:00 EST.
    signal = decide(
        plan(
            bar_time=ny(20, day=1, month=11),
            horizon=timedelta(hours=24),
            entry_window=None,
            exit_window=None,
        )
    )
    assert signal.suggested_exit_time == "2025-11-02T19:00:00-05:00"


def test_exit_window_end_on_a_dst_day_is_local_time() -> None:
    # Monday after the spring change: 14:00 EDT is 18:00 UTC (19:00 UTC in January).
    march = decide(plan(bar_time=ny(10, 30, day=10, month=3), horizon=timedelta(hours=5)))
    january = decide(plan(bar_time=ny(10, 30, day=13, month=1), horizon=timedelta(hours=5)))
    assert march.suggested_exit_time == january.suggested_exit_time == "14:00"
    assert march.exit_at.astimezone(UTC).hour == 18
    assert january.exit_at.astimezone(UTC).hour == 19


def test_iso_exit_time_carries_the_windows_offset() -> None:
    london = decide(
        plan(
            timezone="Europe/London", entry_window=None, exit_window=None, horizon=timedelta(days=2)
        )
    )
    assert london.suggested_exit_time == "2025-06-12T15:30:00+01:00"
    winter = decide(
        plan(
            bar_time=ny(10, 30, day=14, month=1),
            entry_window=None,
            exit_window=None,
            horizon=timedelta(days=1),
        )
    )
    assert winter.suggested_exit_time == "2025-01-15T10:30:00-05:00"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # a daily bar closing Tuesday 16:00, 1 day ahead: Wednesday's 14:00 comes first
        ({"horizon": timedelta(days=1)}, "2025-06-11T14:00:00-04:00"),
        # a caller-computed horizon end (5 trading days) on Tuesday the 17th
        ({"horizon": None, "horizon_end": ny(16, day=17)}, "2025-06-17T14:00:00-04:00"),
        # no horizon: the window's end on the bar's day has passed → the next weekday
        ({"horizon": None}, "2025-06-11T14:00:00-04:00"),
        ({"horizon": None, "bar_time": ny(16, day=13)}, "2025-06-16T14:00:00-04:00"),
        # a daily bar stamped 00:00 UTC Monday (Sunday 20:00 New York)
        (
            {"horizon": None, "bar_time": datetime(2025, 6, 9, tzinfo=UTC)},
            "2025-06-09T14:00:00-04:00",
        ),
        # no window, no horizon: the next session close after the bar
        ({"horizon": None, "exit_window": None}, "2025-06-11T16:00:00-04:00"),
        ({"horizon": timedelta(hours=2)}, "18:00"),  # a horizon ending before the window's day
    ],
)
def test_suggested_exit_time_daily_bars(overrides: dict[str, Any], expected: str) -> None:
    signal = decide(plan(**{"intraday": False, "bar_time": ny(16), **overrides}))
    assert signal.suggested_exit_time == expected
    assert not has_warning(signal, "exit window closed")


# --- input validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"confidence": 1.01}, "confidence"),
        ({"confidence": -0.01}, "confidence"),
        ({"confidence": math.nan}, "confidence"),
        ({"confidence_level": 1.5}, "confidence_level"),
        ({"capital_at_risk": 0.0}, "capital_at_risk"),
        ({"capital_at_risk": 0.2501}, "capital_at_risk"),
        ({"account_equity": 0.0}, "account_equity"),
        ({"account_equity": math.inf}, "account_equity"),
        ({"entry_price": -1.0}, "entry_price"),
        ({"stop_loss": 0.0}, "stop_loss"),
        ({"predicted_price": math.nan}, "predicted_price"),
        ({"user_segment": "day_trader"}, "user_segment"),
        ({"symbol": " "}, "symbol"),
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"timezone": "../etc/passwd"}, "time zone"),
        ({"min_edge": -0.1}, "min_edge"),
        ({"min_edge": 1.0}, "min_edge"),
        ({"horizon": timedelta(0)}, "horizon"),
        ({"horizon_end": ny(11)}, "not both"),
        ({"horizon": None, "horizon_end": ny(10)}, "after bar_time"),
        ({"horizon": None, "horizon_end": datetime(2025, 6, 10, 12)}, "timezone-aware"),
        ({"buying_power": 0.0}, "buying_power"),
    ],
)
def test_invalid_inputs_are_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plan(**overrides)


def test_a_str_enum_segment_is_accepted() -> None:
    class Segment(StrEnum):
        investor = "investor"

    assert decide(plan(user_segment=Segment.investor, predicted_price=180.0)).trade_signal == "Exit"


@pytest.mark.parametrize("text", ["24:00", "12:60", "noon", "1230", "12:3", "", "-1:00"])
def test_bad_hhmm_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        parse_hhmm(text)


def test_window_parsing() -> None:
    assert parse_hhmm("9:30") == time(9, 30)
    assert Window.from_mapping({"start": "10:00", "end": "11:30"}) == Window(
        start=time(10), end=time(11, 30)
    )
    assert Window.from_mapping({"end": "14:00"}) == Window(end=time(14))
    with pytest.raises(ValueError, match="before its end"):
        Window.parse("11:30", "10:00")
    with pytest.raises(ValueError, match="before its end"):
        Window.parse("10:00", "10:00")
    with pytest.raises(ValueError, match="needs an end"):
        Window.from_mapping({"start": "10:00"})
    with pytest.raises(ValueError, match="wall-clock"):
        Window(end=time(14, tzinfo=UTC))


# --- stops for the other stocks ------------------------------------------------------------


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


def test_default_stop_refusals() -> None:
    with pytest.raises(ValueError, match="atr"):
        default_stop(100.0, -1.0, "Long")
    with pytest.raises(ValueError, match="atr"):
        default_stop(100.0, math.nan, "Long")
    with pytest.raises(ValueError, match="not a price"):
        default_stop(10.0, 6.0, "Long")
    with pytest.raises(ValueError, match="entry"):
        default_stop(0.0, 1.0, "Short")


def test_a_default_stop_always_passes_the_stop_rule() -> None:
    for predicted in (190.0, 181.0):
        direction = expected_direction(predicted, 185.5, "quant")
        stop = default_stop(185.5, 1.75, direction)
        assert decide(plan(predicted_price=predicted, stop_loss=stop)).trade_signal == "Enter"


@pytest.mark.parametrize(
    ("entry", "hint", "stop"),
    [
        (400.00, None, 392.45),  # 1.8868 % below, like the first stock's stop
        (400.00, "Long", 392.45),
        (400.00, "Short", 407.55),  # same distance on a short's protective side
        (185.50, None, 182.00),
        (0.80, None, 0.7849),
    ],
)
def test_scale_stop_keeps_the_first_stocks_percentage(entry: float, hint: Any, stop: float) -> None:
    assert scale_stop(185.50, 182.00, entry, hint) == stop


def test_scale_stop_keeps_a_short_stop_above() -> None:
    assert scale_stop(100.0, 103.0, 50.0) == 51.5
    assert scale_stop(100.0, 103.0, 50.0, "Long") == 48.5
    with pytest.raises(ValueError, match="first_stop"):
        scale_stop(100.0, 0.0, 50.0)
    with pytest.raises(ValueError, match="100 %"):
        scale_stop(100.0, 250.0, 50.0, "Long")


# --- the backtest's vectorised view -------------------------------------------------------------


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


def test_backtest_positions_refusals() -> None:
    with pytest.raises(ValueError, match="shape"):
        backtest_positions(
            predicted_log_returns=[0.1, 0.2],
            confidence=[0.9],
            confidence_level=0.5,
            user_segment="quant",
        )
    with pytest.raises(ValueError, match="in_entry_window"):
        backtest_positions(
            predicted_log_returns=[0.1],
            confidence=[0.9],
            confidence_level=0.5,
            user_segment="quant",
            in_entry_window=[True, False],
        )
    with pytest.raises(ValueError, match="user_segment"):
        backtest_positions(
            predicted_log_returns=[0.1],
            confidence=[0.9],
            confidence_level=0.5,
            user_segment="retail",
        )


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


# --- properties -----------------------------------------------------------------------------------

prices = st.floats(0.5, 5_000, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 2))


@settings(max_examples=400, deadline=None)
@given(
    entry=prices,
    stop=prices,
    predicted=prices,
    confidence=st.floats(0.0, 1.0),
    level=st.floats(0.0, 1.0),
    capital_at_risk=st.floats(0.0001, 0.25),
    equity=st.floats(1.0, 1e9).map(lambda x: round(x, 2)),
    segment=st.sampled_from(["short_term_trader", "investor", "manager", "quant"]),
    minutes=st.integers(0, 24 * 60 - 1),
    intraday=st.booleans(),
    horizon_minutes=st.none() | st.integers(1, 60 * 24 * 10),
    exit_end=st.none() | st.times(),
)
def test_signal_invariants(
    entry: float,
    stop: float,
    predicted: float,
    confidence: float,
    level: float,
    capital_at_risk: float,
    equity: float,
    segment: str,
    minutes: int,
    intraday: bool,
    horizon_minutes: int | None,
    exit_end: time | None,
) -> None:
    assume(capital_at_risk > 0)
    bar = datetime(2025, 3, 9, tzinfo=NY) + timedelta(minutes=minutes)  # a DST day
    signal = decide(
        plan(
            entry_price=entry,
            stop_loss=stop,
            predicted_price=predicted,
            confidence=confidence,
            confidence_level=level,
            capital_at_risk=capital_at_risk,
            account_equity=equity,
            user_segment=segment,
            bar_time=bar,
            intraday=intraday,
            horizon=None if horizon_minutes is None else timedelta(minutes=horizon_minutes),
            exit_window=None if exit_end is None else Window(end=exit_end.replace(microsecond=0)),
        )
    )
    d_entry, d_stop = Decimal(repr(entry)), Decimal(repr(stop))
    # the position's value never exceeds equity
    assert signal.position_size * d_entry <= Decimal(repr(equity))
    # size 0 unless Enter, and so the loss at the stop
    if signal.trade_signal != "Enter":
        assert signal.position_size == 0
        assert signal.risk_metrics.max_loss == "$0"
    # the loss at the stop is within the risk budget (plus the half cent of rounding)
    budget = Decimal(repr(equity)) * Decimal(repr(capital_at_risk))
    assert signal.max_loss_amount == signal.position_size * abs(d_entry - d_stop)
    shown = Decimal(signal.risk_metrics.max_loss.lstrip("$").replace(",", ""))
    assert shown <= budget + Decimal("0.005")
    # one answer, in the contract's shape
    assert list(signal.to_dict()) == SEED_KEYS
    assert signal.trade_signal in ("Enter", "Exit", "Hold")
    assert (signal.trade_signal == "Hold") is bool(signal.hold_reasons)
    if segment in ("investor", "manager"):
        assert signal.direction == "Long"
    assert signal.risk_metrics.risk_reward_ratio >= 0
    assert has_warning(signal, "Low confidence") is (confidence < LOW_CONFIDENCE)
    assert signal.exit_at >= bar
    assert signal.suggestion_text.endswith(f"Confidence: {signal.confidence:.2f}.")
    json.dumps(signal.to_dict())
