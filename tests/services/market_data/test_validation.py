"""Data validation: each failure reason, in words a trader understands."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from app.services.market_data.base import MarketDataError
from app.services.market_data.synthetic import synthetic_bars
from app.services.market_data.validation import validate_bars


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture(scope="module")
def daily() -> pl.DataFrame:
    return synthetic_bars("AAPL", "1d", utc(2020, 1, 1), utc(2023, 12, 31))


@pytest.fixture(scope="module")
def intraday() -> pl.DataFrame:
    return synthetic_bars("AAPL", "5min", utc(2024, 1, 1), utc(2024, 2, 29))


def set_value(bars: pl.DataFrame, row: int, column: str, value: float) -> pl.DataFrame:
    return bars.with_columns(
        pl.when(pl.int_range(pl.len()) == row).then(value).otherwise(pl.col(column)).alias(column)
    )


def test_clean_data_pass(daily: pl.DataFrame, intraday: pl.DataFrame) -> None:
    report = validate_bars(daily, "1d", lookback=60, horizon_bars=1)
    assert report.ok and report.reasons == [] and report.gaps == [] and report.warnings == []
    assert report.rows == daily.height and report.needed_rows == 394
    assert validate_bars(intraday, "5min", lookback=60, horizon_bars=12).ok
    report.raise_if_failed()  # no error


def test_too_few_rows_says_needed_and_found(daily: pl.DataFrame) -> None:
    report = validate_bars(daily.head(100), "1d", lookback=60, horizon_bars=5, warmup=33)
    assert not report.ok
    (reason,) = report.reasons
    assert "Only 100 1d bars were found between 2020-01-02 and 2020-05-26" in reason
    assert "needs at least 431" in reason and "look-back 60 + horizon 5" in reason
    assert "50 test predictions" in reason and "earlier start date" in reason
    with pytest.raises(MarketDataError) as caught:
        report.raise_if_failed()
    assert caught.value.details == {"reasons": report.reasons}


@pytest.mark.parametrize(
    ("column", "value"),
    [("close", -1.0), ("open", 0.0), ("high", float("nan")), ("low", float("inf"))],
)
def test_non_positive_or_non_finite_prices(daily: pl.DataFrame, column: str, value: float) -> None:
    report = validate_bars(set_value(daily, 10, column, value), "1d", 60, 1)
    assert not report.ok
    assert any("zero, negative or not a number (first at 2020-01-16)" in r for r in report.reasons)


def test_missing_values(daily: pl.DataFrame) -> None:
    broken = daily.with_columns(
        pl.when(pl.int_range(pl.len()) == 3).then(None).otherwise(pl.col("volume")).alias("volume")
    )
    report = validate_bars(broken, "1d", 60, 1)
    assert report.reasons == ["1 bar has missing prices or volume (first at 2020-01-07)."]


def test_negative_volume(daily: pl.DataFrame) -> None:
    report = validate_bars(set_value(daily, 0, "volume", -5.0), "1d", 60, 1)
    assert any("negative or non-numeric volume" in r for r in report.reasons)


def test_inconsistent_ohlc(daily: pl.DataFrame) -> None:
    high_too_low = set_value(daily, 5, "high", daily["close"][5] * 0.9)
    low_too_high = set_value(daily, 6, "low", daily["open"][6] * 1.1)
    for broken in (high_too_low, low_too_high):
        report = validate_bars(broken, "1d", 60, 1)
        assert not report.ok
        assert any("inconsistent: the high is below the open or close" in r for r in report.reasons)


def test_duplicate_timestamps(daily: pl.DataFrame) -> None:
    doubled = pl.concat([daily, daily.slice(20, 2)]).sort("timestamp")
    report = validate_bars(doubled, "1d", 60, 1)
    assert "2 timestamps appear more than once (first 2020-01-31)" in report.summary()


def test_unsorted(daily: pl.DataFrame) -> None:
    report = validate_bars(daily.reverse(), "1d", 60, 1)
    assert report.reasons == ["The bars are not in time order."]


def test_missing_columns(daily: pl.DataFrame) -> None:
    report = validate_bars(daily.drop("volume"), "1d", 60, 1)
    assert report.reasons == ["The data lack the column(s) volume."]


def test_small_gaps_are_reported_but_pass(daily: pl.DataFrame, intraday: pl.DataFrame) -> None:
    holiday = daily.filter(pl.col("timestamp") != utc(2021, 7, 5))  # one weekday: normal
    assert validate_bars(holiday, "1d", 60, 1).gaps == []
    month = daily.filter(~pl.col("timestamp").is_between(utc(2021, 1, 1), utc(2021, 1, 31)))
    report = validate_bars(month, "1d", 60, 1)
    assert report.ok
    assert [g.describe() for g in report.gaps] == [
        "19 bars missing between 2020-12-31 00:00 and 2021-02-01 00:00 UTC"  # NYSE sessions
    ]
    halt = intraday.filter(
        ~pl.col("timestamp").is_between(utc(2024, 1, 10, 15), utc(2024, 1, 10, 16))
    )
    report = validate_bars(halt, "5min", 60, 12)
    assert report.ok and report.gap_count == 1 and report.gaps[0].missing_bars == 13
    one_minute_hole = intraday.filter(pl.col("timestamp") != utc(2024, 1, 10, 15))
    assert validate_bars(one_minute_hole, "5min", 60, 12).gaps == []


def test_excessive_gaps_fail(daily: pl.DataFrame) -> None:
    patchy = daily.filter(~pl.col("timestamp").is_between(utc(2021, 1, 1), utc(2022, 6, 30)))
    report = validate_bars(patchy, "1d", 60, 1)
    assert not report.ok
    assert "Large parts of the history are missing" in report.reasons[0]
    assert "the largest: 376 bars missing between 2020-12-31" in report.reasons[0]


def test_weekly_gap(daily: pl.DataFrame) -> None:
    weekly = synthetic_bars("AAPL", "1wk", utc(2015, 1, 1), utc(2023, 12, 31))
    assert validate_bars(weekly, "1wk", 20, 1).gaps == []
    holed = weekly.filter(pl.col("timestamp") != utc(2020, 3, 9))
    assert validate_bars(holed, "1wk", 20, 1).gaps[0].missing_bars == 1
