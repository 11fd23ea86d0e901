"""The rule: the seed's response, direction, segments, Enter / Exit / Hold and why."""

from __future__ import annotations

import json
import math
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.core.clock import Window
from app.services.signals.rule import (
    DEFAULT_MIN_EDGE,
    FAR_ENTRY_ATRS,
    FAR_ENTRY_FRACTION,
    LOW_CONFIDENCE,
    HoldReason,
    decide,
    expected_direction,
)
from tests.services.signals.plans import (
    BEARISH,
    LONG_ONLY,
    MAY_SHORT,
    NY,
    SEED_KEYS,
    SEED_MARGIN,
    SEED_TEXT,
    SEGMENTS,
    has_warning,
    ny,
    plan,
)

CONFIDENCE = HoldReason.below_confidence_level
EDGE = HoldReason.below_min_edge
WINDOW = HoldReason.outside_entry_window
STOP = HoldReason.stop_wrong_side

# --- the seed -----------------------------------------------------------------------------


def test_seed_example_with_margin_gives_the_seed_response_except_the_ratio() -> None:
    """The seed's numbers; its 1.5 ratio is illustrative: the rule gives 0.5."""
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


@pytest.mark.parametrize(
    ("overrides", "ratio", "warned"),
    [
        pytest.param({"predicted_price": 187.25}, 0.5, True, id="spec-note-1.75/3.50"),
        pytest.param({"predicted_price": 190.75}, 1.5, False, id="seed-5.25/3.50"),
        pytest.param({"predicted_price": 189.00}, 1.0, False, id="exactly-1-is-not-below-1"),
        pytest.param({"predicted_price": 188.99}, 1.0, True, id="0.997-shows-1.0-but-is-below"),
        pytest.param({"predicted_price": 185.60}, 0.03, True, id="tiny-move"),
        # a stop at the entry: no finite ratio, no division by zero, no warning
        pytest.param({"stop_loss": 185.50}, 0.0, False, id="stop-at-entry-no-ratio"),
        # no move: nothing to compare, no warning
        pytest.param(
            {"predicted_price": 185.50, "min_edge": 0.0}, 0.0, False, id="no-move-no-warning"
        ),
    ],
)
def test_risk_reward_ratio_and_its_warning(
    overrides: dict[str, Any], ratio: float, warned: bool
) -> None:
    signal = decide(plan(**overrides))
    assert signal.risk_metrics.risk_reward_ratio == ratio
    assert has_warning(signal, "Risk/reward") is warned


# --- an entry far from the market ----------------------------------------------------------

FAR_TAIL = ": the forecast and risk/reward are measured from your entry, not from the market."


@pytest.mark.parametrize(
    ("overrides", "warning"),
    [
        # (212 − 185.50) ÷ 212 = 12.5 %; 26.50 ÷ 2.90 = 9.1 ATRs
        pytest.param(
            {"last_close": 212.0, "atr": 2.90},
            "Your entry $185.50 is 12.5% (9.1 ATRs) below the last close $212.00" + FAR_TAIL,
            id="below-the-market",
        ),
        pytest.param(
            {**BEARISH, "last_close": 170.0, "atr": 2.0},
            "Your entry $185.50 is 9.1% (7.8 ATRs) above the last close $170.00" + FAR_TAIL,
            id="above-the-market",
        ),
        # just past 3 ATRs: 0.31 ÷ 0.10 = 3.1
        pytest.param(
            {"last_close": 185.81, "atr": 0.10},
            "Your entry $185.50 is 0.2% (3.1 ATRs) below the last close $185.81" + FAR_TAIL,
            id="past-three-atrs-of-a-quiet-series",
        ),
        # no ATR (or a flat series' zero ATR): 5 % of the last close
        pytest.param(
            {"last_close": 212.0},
            "Your entry $185.50 is 12.5% below the last close $212.00" + FAR_TAIL,
            id="without-an-atr",
        ),
        pytest.param(
            {"last_close": 195.36, "atr": 0.0},
            "Your entry $185.50 is 5.05% below the last close $195.36" + FAR_TAIL,
            id="zero-atr-just-past-five-percent",
        ),
        pytest.param(
            {
                "entry_price": 0.0512,
                "stop_loss": 0.0480,
                "predicted_price": 0.0600,
                "last_close": 0.0431,
                "atr": 0.0012,
            },
            "Your entry $0.0512 is 18.8% (6.8 ATRs) above the last close $0.0431" + FAR_TAIL,
            id="sub-dollar-prices-on-their-tick",
        ),
    ],
)
def test_an_entry_far_from_the_last_close_is_warned_about(
    overrides: dict[str, Any], warning: str
) -> None:
    signal = decide(plan(**overrides))
    assert warning in signal.warnings
    # a warning only: the signal, its size and its risk are what they were without it
    quiet = {k: v for k, v in overrides.items() if k not in ("last_close", "atr")}
    assert signal.to_dict() == decide(plan(**quiet)).to_dict()
    assert signal.hold_reasons == decide(plan(**quiet)).hold_reasons


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({}, id="no-last-close"),
        pytest.param({"atr": 0.01}, id="an-atr-without-a-last-close"),
        pytest.param({"last_close": 185.50, "atr": 0.0}, id="at-the-market"),
        pytest.param({"last_close": 185.80, "atr": 0.10}, id="exactly-three-atrs"),
        pytest.param({"last_close": 185.70, "atr": 0.10}, id="two-atrs"),
        pytest.param({"last_close": 212.0, "atr": 9.0}, id="under-three-wide-atrs"),
        pytest.param({"last_close": 194.50, "atr": 0.0}, id="under-five-percent-without-atr"),
        pytest.param({"last_close": 195.00}, id="under-five-percent-no-atr"),
        # the default entry is the last close on the tick: never far, however small the ATR
        pytest.param({"last_close": 185.504999, "atr": 0.0001}, id="last-close-off-the-tick"),
        pytest.param(
            {"entry_price": 0.0512, "stop_loss": 0.0480, "last_close": 0.05124, "atr": 1e-6},
            id="sub-dollar-last-close-off-the-tick",
        ),
    ],
)
def test_an_entry_near_the_last_close_is_not_warned_about(overrides: dict[str, Any]) -> None:
    assert not has_warning(decide(plan(**overrides)), "last close")


def test_far_entry_thresholds() -> None:
    assert (FAR_ENTRY_ATRS, FAR_ENTRY_FRACTION) == (3.0, 0.05)


# --- direction, segments, Enter / Exit / Hold ---------------------------------------------

# What the rule decides; the sizes and the words of these cases are in test_sizing and
# test_text. A call that is not an Enter has no position and no loss at the stop.
DECISIONS = [
    *(
        pytest.param(
            {"user_segment": s, **SEED_MARGIN}, "Enter", "Long", [], id=f"{s}-enters-a-long"
        )
        for s in SEGMENTS
    ),
    *(
        pytest.param(
            {**BEARISH, "user_segment": s, **SEED_MARGIN},
            "Enter",
            "Short",
            [],
            id=f"{s}-enters-a-short",
        )
        for s in MAY_SHORT
    ),
    *(
        pytest.param(
            {"user_segment": s, "predicted_price": 183.10, "confidence": 0.81},
            "Exit",
            "Long",
            [],
            id=f"{s}-short-call-is-exit",
        )
        for s in LONG_ONLY
    ),
    # leaving a position needs no entry window (13:00), and a stop above is no Hold
    *(
        pytest.param(
            {**BEARISH, "user_segment": s, "bar_time": ny(13)},
            "Exit",
            "Long",
            [],
            id=f"{s}-exit-ignores-entry-window-and-stop",
        )
        for s in LONG_ONLY
    ),
    *(
        pytest.param(
            {"user_segment": s, "predicted_price": 183.10, "confidence": 0.65},
            "Hold",
            "Long",
            [CONFIDENCE],
            id=f"{s}-weak-short-call-is-long-hold",
        )
        for s in LONG_ONLY
    ),
    pytest.param(
        {"predicted_price": 185.50, "min_edge": 0.0}, "Hold", "Long", [EDGE], id="no-move"
    ),
    pytest.param({"confidence": 0.65}, "Hold", "Long", [CONFIDENCE], id="confidence-below-level"),
    pytest.param({"confidence": 0.70}, "Enter", "Long", [], id="confidence-at-level"),
    pytest.param({"confidence": 0.6996}, "Hold", "Long", [CONFIDENCE], id="confidence-just-under"),
    pytest.param(
        {"bar_time": ny(9, 31), "entry_window": Window.parse(None, "11:30")},
        "Enter",
        "Long",
        [],
        id="window-without-start-from-midnight",
    ),
    pytest.param(
        {"bar_time": ny(12), "entry_window": Window.parse(None, "11:30")},
        "Hold",
        "Long",
        [WINDOW],
        id="window-without-start-until-its-end",
    ),
    pytest.param(
        {"bar_time": ny(15, 59), "entry_window": None},
        "Enter",
        "Long",
        [],
        id="no-entry-window-never-holds-for-time",
    ),
    # 2025-03-20: New York is already on EDT (UTC-4), London still on GMT (UTC+0).
    pytest.param(
        {
            "bar_time": datetime(2025, 3, 20, 14, 30, tzinfo=UTC),
            "timezone": "Europe/London",
            "entry_window": Window.parse("14:00", "15:00"),
            "exit_window": Window.parse(None, "16:00"),
        },
        "Enter",
        "Long",
        [],
        id="london-window-read-in-london-14:30-GMT",
    ),
    pytest.param(
        {
            "bar_time": datetime(2025, 3, 20, 14, 30, tzinfo=UTC),
            "entry_window": Window.parse("14:00", "15:00"),
        },
        "Hold",
        "Long",
        [WINDOW],
        id="same-window-in-new-york-10:30-EDT",
    ),
    pytest.param(
        {"predicted_price": 185.52, "confidence": 0.5, "stop_loss": 190.0, "bar_time": ny(9)},
        "Hold",
        "Long",
        [CONFIDENCE, EDGE, WINDOW, STOP],
        id="all-hold-reasons-in-order",
    ),
]


@pytest.mark.parametrize(("overrides", "trade_signal", "direction", "reasons"), DECISIONS)
def test_decision(
    overrides: dict[str, Any], trade_signal: str, direction: str, reasons: list[HoldReason]
) -> None:
    signal = decide(plan(**overrides))
    assert (signal.trade_signal, signal.direction) == (trade_signal, direction)
    assert signal.hold_reasons == reasons
    if trade_signal != "Enter":
        assert (signal.position_size, signal.risk_metrics.max_loss) == (0, "$0")
        assert signal.max_loss_amount == 0


def test_all_hold_reasons_are_reported_in_order_in_the_text_and_the_warnings() -> None:
    signal = decide(plan(predicted_price=185.52, confidence=0.5, stop_loss=190.0, bar_time=ny(9)))
    assert signal.suggestion_text.count("; ") == 3
    assert [w for w in signal.warnings if w.startswith("Hold: ")] == [
        f"Hold: {text}."
        for text in signal.suggestion_text.removeprefix("Holding on AAPL: ")
        .split(". The model expects")[0]
        .split("; ")
    ]


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
    assert (EDGE in signal.hold_reasons) is (expected == "Hold")


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
    assert (WINDOW in signal.hold_reasons) is not inside


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
    assert signal.hold_reasons == [STOP]
    assert (signal.position_size, signal.risk_metrics.max_loss) == (0, "$0")
    side = "below" if direction == "Long" else "above"
    expected = (
        f"a {direction.lower()} position needs its stop-loss {side} the entry, but the "
        f"stop-loss ${stop:.2f} {relation} the entry $185.50"
    )
    assert expected in signal.suggestion_text
    assert f"Hold: {expected}." in signal.warnings


# --- warnings that do not change the signal ------------------------------------------------


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


# --- the response -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("predicted", "confidence", "shown_price", "shown_confidence"),
    [
        (187.256, 0.8449, 187.26, 0.84),
        (187.245, 0.845, 187.25, 0.85),  # half-up on the decimal, not on the binary float
        (187.2, 0.9, 187.2, 0.9),
        (187.25, 1.0, 187.25, 1.0),
        (190.75, 0.6996, 190.75, 0.70),  # a confidence just under the level
        (0.05377, 0.85, 0.0538, 0.85),  # below $1: the $0.0001 tick, not 0.05
        (0.99996, 0.85, 1.0, 0.85),
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
        ({"bar_time": datetime(2025, 6, 10, 10, 30)}, "timezone-aware"),  # a naive bar time
        ({"last_close": 0.0}, "last_close"),
        ({"last_close": math.nan}, "last_close"),
        ({"last_close": -212.0}, "last_close"),
        ({"atr": -1.0}, "atr"),
        ({"atr": math.inf}, "atr"),
    ],
)
def test_invalid_inputs_are_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plan(**overrides)


def test_a_str_enum_segment_is_accepted() -> None:
    class Segment(StrEnum):
        investor = "investor"

    assert decide(plan(user_segment=Segment.investor, predicted_price=180.0)).trade_signal == "Exit"


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
