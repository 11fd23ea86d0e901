"""Frequencies, horizons and bar arithmetic (pure functions)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.vocabulary import DataFrequency, Feature
from app.errors import Unprocessable
from app.schemas.agents import HORIZON_PATTERN
from app.services.features import FEATURE_NAMES
from app.services.market_data.frequency import (
    FREQUENCY_NAMES,
    bar_close,
    calendar_span,
    describe_horizon,
    get_frequency,
    horizon_bars,
    min_history_bars,
    parse_horizon,
    session_bounds,
)
from app.services.market_data.synthetic import synthetic_bars


def test_the_seven_frequencies_and_their_bar_lengths() -> None:
    assert FREQUENCY_NAMES == ("1min", "5min", "15min", "30min", "1h", "1d", "1wk")
    assert get_frequency("1min").bar_length == timedelta(minutes=1)
    assert get_frequency("1H").bar_length == timedelta(hours=1)
    assert get_frequency("1d").bar_length == timedelta(days=1)
    assert get_frequency("1wk").bar_length == timedelta(days=7)
    assert get_frequency("30min").intraday and not get_frequency("1d").intraday


def test_unknown_frequency_is_a_422_listing_the_allowed_ones() -> None:
    with pytest.raises(Unprocessable) as caught:
        get_frequency("2min")
    assert caught.value.status_code == 422
    assert "1min, 5min, 15min, 30min, 1h, 1d, 1wk" in caught.value.message
    assert caught.value.details[0]["loc"] == ["data_frequency"]


@pytest.mark.parametrize(
    ("frequency", "horizon", "bars"),
    [
        ("1min", "1h", 60),
        ("1min", "30min", 30),
        ("5min", "1h", 12),
        ("15min", "1h", 4),
        ("30min", "2h", 4),
        ("1h", "1h", 1),
        ("1h", "8h", 8),  # trading time: crosses the overnight close
        ("1min", "1d", 390),  # one session's bars
        ("5min", "1d", 78),
        ("30min", "1d", 13),
        ("1h", "1d", 7),  # 09:30-anchored grid: the last bar is 15:30-16:00
        ("1min", "1wk", 5 * 390),
        ("1d", "1d", 1),
        ("1d", "5d", 5),
        ("1d", "1wk", 5),
        ("1wk", "1wk", 1),
        ("1wk", "2wk", 2),
        ("1wk", "10d", 2),
    ],
)
def test_horizon_bars(frequency: str, horizon: str, bars: int) -> None:
    assert horizon_bars(frequency, horizon) == bars


@pytest.mark.parametrize(
    ("frequency", "horizon", "says"),
    [
        ("5min", "7min", "not a whole number of 5min bars"),
        ("1h", "90min", "not a whole number of 1h bars"),
        ("5min", "1min", "shorter than one 5min bar"),
        ("1d", "1h", "shorter than one 1d bar"),
        ("1wk", "3d", "not a whole number of 1wk bars"),
    ],
)
def test_horizon_that_is_not_whole_bars_is_a_clear_422(
    frequency: str, horizon: str, says: str
) -> None:
    with pytest.raises(Unprocessable) as caught:
        horizon_bars(frequency, horizon)
    assert caught.value.status_code == 422
    assert says in caught.value.message
    assert caught.value.details[0]["loc"] == ["prediction_horizon"]


@pytest.mark.parametrize("text", ["", "h", "0h", "-1h", "1.5h", "1y", "1 hour", "10001min"])
def test_malformed_horizons_are_refused(text: str) -> None:
    with pytest.raises(Unprocessable) as caught:
        parse_horizon(text)
    assert "min, h, d or wk" in caught.value.message


def test_the_request_enums_are_the_services_vocabulary() -> None:
    assert tuple(DataFrequency) == FREQUENCY_NAMES
    assert tuple(Feature) == FEATURE_NAMES


@given(st.text(alphabet="0123456789 \tminhdwkMINHDWKy.-", max_size=12))
def test_the_documented_horizon_pattern_admits_every_horizon_parsed(text: str) -> None:
    """The schema's pattern may be looser than the parser (the count's range), never
    stricter: a client that checks it must not refuse a horizon the API accepts."""
    try:
        parse_horizon(text)
    except Unprocessable:
        return
    assert re.fullmatch(HORIZON_PATTERN, text)


def test_horizon_parsing_is_case_and_space_tolerant() -> None:
    assert parse_horizon(" 2H ").text == "2h"
    assert parse_horizon("30MIN").trading_minutes == 30
    assert parse_horizon("1wk").sessions == 5
    assert describe_horizon("1h") == "1 hour" and describe_horizon("3d") == "3 days"


def test_min_history_counts_warmup_lookback_horizon_and_test_samples() -> None:
    # 50 test samples as the last 15 % -> 334 samples; the first needs lookback bars
    # and its target `horizon` bars later.
    assert min_history_bars(60, 1, 50) == 60 + 1 + 334 - 1
    assert min_history_bars(60, 12, 50, warmup=33) == 33 + 60 + 12 + 333
    with pytest.raises(ValueError, match="test_fraction"):
        min_history_bars(10, 1, 10, test_fraction=1.0)


def test_session_bounds_follow_new_york_daylight_saving() -> None:
    winter_open, winter_close = session_bounds(datetime(2024, 1, 2).date())
    summer_open, summer_close = session_bounds(datetime(2024, 7, 1).date())
    assert (winter_open.hour, winter_open.minute, winter_close.hour) == (14, 30, 21)
    assert (summer_open.hour, summer_open.minute, summer_close.hour) == (13, 30, 20)


def test_bar_close_is_when_a_bar_is_final() -> None:
    assert bar_close("1min", datetime(2024, 1, 2, 14, 30, tzinfo=UTC)) == datetime(
        2024, 1, 2, 14, 31, tzinfo=UTC
    )
    # The hourly grid's last bar is the half hour 15:30-16:00 New York.
    assert bar_close("1h", datetime(2024, 1, 2, 20, 30, tzinfo=UTC)) == datetime(
        2024, 1, 2, 21, 0, tzinfo=UTC
    )
    assert bar_close("1d", datetime(2024, 7, 1, tzinfo=UTC)) == datetime(
        2024, 7, 1, 20, 0, tzinfo=UTC
    )
    # A weekly bar (stamped Monday) is final at Friday's close.
    assert bar_close("1wk", datetime(2024, 1, 8, tzinfo=UTC)) == datetime(
        2024, 1, 12, 21, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("frequency", "bars"), [("1min", 2000), ("1h", 300), ("1d", 400), ("1wk", 60)]
)
def test_calendar_span_holds_enough_bars(frequency: str, bars: int) -> None:
    end = datetime(2024, 6, 28, 21, tzinfo=UTC)
    fetched = synthetic_bars("SPAN", frequency, end - calendar_span(frequency, bars), end)
    assert fetched.height >= bars
