"""Validation that speaks: warnings (never refusals) for data that trains but misleads,
each with a count, examples and the fix. Hand-built bar frames, one problem each."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from app.services.market_data.base import BAR_SCHEMA
from app.services.market_data.frequency import get_frequency
from app.services.market_data.synthetic import synthetic_bars
from app.services.market_data.validation import (
    in_session,
    stale_run_bars,
    validate_bars,
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def business_days(first: date, n: int) -> list[datetime]:
    days: list[datetime] = []
    day = first
    while len(days) < n:
        if day.weekday() < 5:
            days.append(datetime(day.year, day.month, day.day, tzinfo=UTC))
        day += timedelta(days=1)
    return days


def bars_from(
    stamps: list[datetime], closes: np.ndarray, volume: np.ndarray | None = None
) -> pl.DataFrame:
    """Consistent bars: each opens a little off the previous close."""
    opens = np.concatenate([[closes[0]], closes[:-1] * 1.001])
    return pl.DataFrame(
        {
            "timestamp": stamps,
            "open": opens,
            "high": np.maximum(opens, closes) * 1.004,
            "low": np.minimum(opens, closes) * 0.996,
            "close": closes,
            "volume": np.full(len(stamps), 1000.0) if volume is None else volume,
        },
        schema=BAR_SCHEMA,
    )


def walk(n: int, seed: int = 1, level: float = 100.0) -> np.ndarray:
    """Daily-like closes: about 1 % a bar."""
    return level * np.exp(np.cumsum(np.random.default_rng(seed).normal(0, 0.01, n)))


def daily(closes: np.ndarray, volume: np.ndarray | None = None) -> pl.DataFrame:
    return bars_from(business_days(date(2021, 1, 4), len(closes)), closes, volume)


def scaled(bars: pl.DataFrame, first_row: int, factor: float) -> pl.DataFrame:
    """Every price from `first_row` on times `factor`: what an unadjusted split leaves."""
    after = pl.int_range(pl.len()) >= first_row
    return bars.with_columns(
        pl.when(after).then(pl.col(c) * factor).otherwise(pl.col(c)).alias(c)
        for c in ("open", "high", "low", "close")
    )


def warnings_of(bars: pl.DataFrame, frequency: str = "1d") -> list[str]:
    return validate_bars(bars, frequency, lookback=5, horizon_bars=1).warnings


def test_clean_bars_have_no_warnings() -> None:
    assert warnings_of(daily(walk(300))) == []
    for frequency in ("1d", "1wk", "1h", "5min"):
        bars = synthetic_bars("MSFT", frequency, utc(2022, 1, 1), utc(2024, 3, 31))
        assert warnings_of(bars, frequency) == [], frequency


def test_a_split_is_a_jump_by_a_split_ratio() -> None:
    (warning,) = warnings_of(scaled(daily(walk(300)), 150, 0.5))  # a 2-for-1 split
    day = business_days(date(2021, 1, 4), 300)[150]
    assert warning.startswith("1 split-sized jump: ")
    assert f"{day:%Y-%m-%d}, open " in warning and "like a 2-for-1 split" in warning
    assert "use split-adjusted data" in warning and "Adj Close" in warning


def test_a_reverse_split_and_several_jumps_are_counted() -> None:
    reverse = scaled(daily(walk(300)), 100, 10.0)  # a 1-for-10 reverse split
    (warning,) = warnings_of(scaled(reverse, 200, 1 / 3))  # then a 3-for-1 split
    assert warning.startswith("2 split-sized jumps: ")
    assert "like a 1-for-10 reverse split" in warning and "like a 3-for-1 split" in warning


def test_moves_that_are_not_splits_are_not_flagged() -> None:
    assert warnings_of(scaled(daily(walk(300)), 150, 0.7)) == []  # large, no split ratio
    # Halved on twenty times the usual volume: the market moved (news), not a split.
    volume = np.full(300, 1000.0)
    volume[150] = 20_000.0
    assert warnings_of(scaled(daily(walk(300), volume), 150, 0.5)) == []
    # A wild series whose usual move is large: a halving is nothing unusual there.
    wild = 100 * np.exp(np.cumsum(np.random.default_rng(3).normal(0, 0.25, 300)))
    assert not any("split" in w for w in warnings_of(daily(wild)))


def test_stale_runs_say_how_many_and_the_longest() -> None:
    bars = daily(walk(300))
    row = pl.int_range(pl.len())
    frozen = bars.with_columns(
        pl.when(row.is_between(100, 111))
        .then(pl.col(c).gather(100).first())
        .when(row.is_between(200, 205))
        .then(pl.col(c).gather(200).first())
        .when(row.is_between(250, 252))  # three bars: too short to be a run
        .then(pl.col(c).gather(250).first())
        .otherwise(pl.col(c))
        .alias(c)
        for c in ("open", "high", "low", "close")
    )
    (warning,) = warnings_of(frozen)
    stamps = bars["timestamp"]
    assert warning.startswith("2 stale runs of identical prices (5 or more bars in a row")
    assert f"the longest, 12 bars from {stamps[100]:%Y-%m-%d} to {stamps[111]:%Y-%m-%d}" in (
        warning
    )
    assert "fetch the period again" in warning


def test_a_stale_run_lasts_an_hour_at_least_intraday() -> None:
    assert stale_run_bars(get_frequency("1d")) == 5
    assert stale_run_bars(get_frequency("1h")) == 5
    assert stale_run_bars(get_frequency("1min")) == 60
    session = [utc(2024, 3, 5, 14, 30) + timedelta(minutes=i) for i in range(390)]
    closes = walk(390, level=50.0)
    quiet = closes.copy()
    quiet[100:130] = quiet[100]  # half an hour without a trade: a thin stock
    bars = bars_from(session, quiet)
    flat = bars.with_columns(pl.col("close").alias("open"), pl.col("close").alias("high"))
    flat = flat.with_columns(pl.col("close").alias("low"))
    assert warnings_of(flat, "1min") == []
    closes[100:170] = closes[100]
    flat = bars_from(session, closes).with_columns(
        pl.col("close").alias(c) for c in ("open", "high", "low")
    )
    (warning,) = warnings_of(flat, "1min")
    assert "1 stale run of identical prices (60 or more" in warning and "70 bars" in warning


def test_the_session_is_0930_to_1600_new_york_on_weekdays() -> None:
    stamps = pl.Series(
        [
            utc(2024, 1, 10, 14, 30),  # 09:30 EST: the first bar
            utc(2024, 1, 10, 20, 55),  # 15:55 EST: the last 5-minute bar
            utc(2024, 1, 10, 21, 0),  # 16:00 EST: after the close
            utc(2024, 1, 10, 14, 25),  # 09:25 EST: before the open
            utc(2024, 7, 10, 13, 30),  # 09:30 EDT
            utc(2024, 7, 10, 14, 30),  # 10:30 EDT
            utc(2024, 1, 13, 15, 0),  # a Saturday
        ],
        dtype=BAR_SCHEMA["timestamp"],
    )
    assert in_session(stamps).to_list() == [True, True, False, False, True, True, False]


def test_intraday_bars_outside_the_session() -> None:
    session = synthetic_bars("MSFT", "5min", utc(2024, 3, 4), utc(2024, 3, 9))
    extra = [utc(2024, 3, 5, 13, 0), utc(2024, 3, 6, 23, 45), utc(2024, 3, 9, 15, 0)]
    odd = bars_from(extra, np.full(3, float(session["close"][0])))
    bars = pl.concat([session, odd]).sort("timestamp")
    warnings = warnings_of(bars, "5min")
    (warning,) = [w for w in warnings if "session" in w]
    assert warning.startswith("3 bars lie outside the regular session (Monday to Friday, 09:30")
    assert "e.g. 2024-03-05 08:00, 2024-03-06 18:45, 2024-03-09 10:00 New York time" in warning
    assert "export regular-session bars only" in warning
    assert warnings_of(bars.filter(in_session(bars["timestamp"])), "5min") == []


def test_weekend_daily_bars() -> None:
    bars = daily(walk(300))
    saturday = bars_from([utc(2021, 3, 6)], np.array([float(bars["close"][43])]))
    (warning,) = warnings_of(pl.concat([bars, saturday]).sort("timestamp"))
    assert warning.startswith("1 daily bar falls on a Saturday or Sunday (e.g. 2021-03-06)")
    assert "remove the weekend bars" in warning
    weekly = synthetic_bars("MSFT", "1wk", utc(2015, 1, 1), utc(2023, 12, 31))
    assert warnings_of(weekly, "1wk") == []  # weekly bars: no weekend rule


def test_gaps_become_a_sentence_with_the_largest_hole() -> None:
    bars = synthetic_bars("AAPL", "1d", utc(2020, 1, 1), utc(2023, 12, 31))
    holed = bars.filter(
        ~pl.col("timestamp").is_between(utc(2021, 1, 1), utc(2021, 1, 31))
        & ~pl.col("timestamp").is_between(utc(2022, 3, 8), utc(2022, 3, 10))
    )
    (warning,) = warnings_of(holed)
    assert warning.startswith(
        "2 gaps in the history (2.2% of the bars the period should have); the largest, "
        "2020-12-31 to 2021-02-01, misses 19 bars."  # NYSE sessions: no Jan 1, no MLK day
    )
    assert "fill the missing bars from another source" in warning
    intraday = synthetic_bars("AAPL", "5min", utc(2024, 1, 1), utc(2024, 2, 29))
    halt = intraday.filter(
        ~pl.col("timestamp").is_between(utc(2024, 1, 10, 15), utc(2024, 1, 10, 16))
    )
    (warning,) = warnings_of(halt, "5min")
    assert warning.startswith(
        "1 gap in the history (0.4% of the bars the period should have); the largest, "
        "2024-01-10 14:55 UTC to 2024-01-10 16:05 UTC, misses 13 bars."
    )


def test_refused_data_get_reasons_not_warnings() -> None:
    broken = scaled(daily(walk(300)), 150, 0.5).with_columns(
        pl.when(pl.int_range(pl.len()) == 10).then(-1.0).otherwise(pl.col("low")).alias("low")
    )
    report = validate_bars(broken, "1d", 5, 1)
    assert not report.ok and report.warnings == []
    patchy = synthetic_bars("AAPL", "1d", utc(2020, 1, 1), utc(2023, 12, 31)).filter(
        ~pl.col("timestamp").is_between(utc(2021, 1, 1), utc(2022, 6, 30))
    )
    report = validate_bars(patchy, "1d", 5, 1)
    assert not report.ok and not any("gap" in w for w in report.warnings)


@pytest.mark.parametrize("frequency", ["1d", "5min"])
def test_warnings_do_not_fail_the_data(frequency: str) -> None:
    stamps = (
        business_days(date(2021, 1, 4), 400)
        if frequency == "1d"
        else [utc(2024, 3, 4, 14, 30) + timedelta(minutes=5 * i) for i in range(78)]
        + [utc(2024, 3, 5, 14, 30) + timedelta(minutes=5 * i) for i in range(78)]
    )
    bars = scaled(bars_from(stamps, walk(len(stamps))), 100, 0.5)
    report = validate_bars(bars, frequency, 5, 1, min_test_rows=10)
    assert report.ok and report.warnings
