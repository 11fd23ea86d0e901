"""The market-data layer on each instrument's exchange calendar: London's 08:00-16:30,
a US half-day's 13:00 close, holidays, Tokyo's lunch break, FX 24/5, exchange weeks."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
from polars.testing import assert_frame_equal

from app.core.calendars import calendar_of, new_york
from app.services.features import DEFAULT_PERIODS, compute_features, vwap_warmup
from app.services.market_data.base import regular_session_only, resample_bars
from app.services.market_data.csv_files import CsvProvider
from app.services.market_data.frequency import (
    bar_close,
    bars_per_session,
    calendar_span,
    close_after,
    horizon_bars,
    session_bounds,
    trading_days_for_bars,
)
from app.services.market_data.synthetic import synthetic_bars
from app.services.market_data.validation import in_session, validate_bars
from app.services.outcomes import PendingCall, match_outcomes
from app.services.sentiment import daily_sentiment

LONDON = calendar_of("VOD.L")
TOKYO = calendar_of("7203.T")
FX = calendar_of("EURUSD")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def local(bars: pl.DataFrame, zone: str) -> pl.DataFrame:
    return bars.with_columns(pl.col("timestamp").dt.convert_time_zone(zone).alias("local"))


def per_day(bars: pl.DataFrame, zone: str) -> pl.DataFrame:
    return (
        local(bars, zone)
        .group_by(pl.col("local").dt.date().alias("day"))
        .agg(
            pl.len().alias("n"),
            pl.col("local").min().dt.strftime("%H:%M").alias("first"),
            pl.col("local").max().dt.strftime("%H:%M").alias("last"),
            pl.col("timestamp").min().dt.strftime("%H:%M").alias("first_utc"),
        )
        .sort("day")
    )


# -- London --------------------------------------------------------------------------------


def test_london_synthetic_bars_follow_londons_session_across_gmt_and_bst() -> None:
    # UK clocks went forward on Sunday 2024-03-31; Good Friday and Easter Monday close.
    minutes = synthetic_bars("VOD.L", "1min", utc(2024, 3, 27), utc(2024, 4, 3))
    days = per_day(minutes, "Europe/London")
    assert days["day"].to_list() == [date(2024, 3, 27), date(2024, 3, 28), date(2024, 4, 2)]
    assert days["n"].to_list() == [510] * 3  # 08:00-16:30
    assert set(days["first"]) == {"08:00"} and set(days["last"]) == {"16:29"}
    assert days["first_utc"].to_list() == ["08:00", "08:00", "07:00"]  # GMT, then BST
    hourly = synthetic_bars("VOD.L", "1h", utc(2024, 4, 2), utc(2024, 4, 3))
    shown = local(hourly, "Europe/London")["local"].dt.strftime("%H:%M").to_list()
    assert shown == [f"{h:02d}:00" for h in range(8, 17)]  # the grid starts at 08:00
    assert bar_close("1h", hourly["timestamp"][-1], calendar=LONDON) == utc(2024, 4, 2, 15, 30)
    assert validate_bars(minutes, "1min", 60, 1, min_test_rows=1, calendar=LONDON).warnings == []


def test_the_london_grid_is_resampled_from_the_open() -> None:
    minutes = synthetic_bars("VOD.L", "30min", utc(2024, 4, 2), utc(2024, 4, 4))
    hourly = resample_bars(minutes, "1h", "30m", calendar=LONDON)
    expected = synthetic_bars("VOD.L", "1h", utc(2024, 4, 2), utc(2024, 4, 4))
    assert_frame_equal(hourly.select(expected.columns), expected, check_dtypes=False)


def test_a_london_csv_is_read_in_londons_zone_and_is_in_session(tmp_path: Path) -> None:
    folder = tmp_path / "1h"
    folder.mkdir()
    rows = [f"2024-07-01 {h:02d}:00,1,2,0.5,1.5,10" for h in range(8, 17)]
    rows += [f"2024-01-10 {h:02d}:00,1,2,0.5,1.5,10" for h in range(8, 17)]
    (folder / "VOD.L.csv").write_text("timestamp,open,high,low,close,volume\n" + "\n".join(rows))
    bars = CsvProvider(tmp_path).read_bars("VOD.L", "1h", utc(2024, 1, 1), utc(2024, 12, 31))
    stamps = bars["timestamp"]
    assert stamps.min() == utc(2024, 1, 10, 8) and utc(2024, 7, 1, 7) in stamps.to_list()
    assert in_session(stamps, LONDON).all()
    assert not in_session(stamps).all()  # New York's session is another day's
    report = validate_bars(bars, "1h", 2, 1, min_test_rows=1, calendar=LONDON)
    assert not any("outside the regular session" in w for w in report.warnings)


def test_bloomberg_keeps_londons_day() -> None:
    bars = synthetic_bars("VOD.L", "30min", utc(2024, 7, 1), utc(2024, 7, 2))
    kept = regular_session_only(bars, calendar_of("VOD LN Equity"))
    assert kept.height == bars.height == 17
    assert regular_session_only(bars).height < bars.height  # New York's hours cut it
    assert regular_session_only(bars, LONDON).height == 17


# -- the US half-day and a holiday ---------------------------------------------------------


def test_a_us_half_day_ends_at_1300_new_york() -> None:
    hourly = synthetic_bars("AAPL", "1h", utc(2024, 11, 27), utc(2024, 12, 3))
    days = per_day(hourly, "America/New_York")
    half = days.filter(pl.col("day") == date(2024, 11, 29)).row(0, named=True)
    assert (half["n"], half["first"], half["last"]) == (4, "09:30", "12:30")
    assert date(2024, 11, 28) not in days["day"].to_list()  # Thanksgiving
    last = hourly.filter(pl.col("timestamp").dt.date() == date(2024, 11, 29))["timestamp"][-1]
    assert bar_close("1h", last) == utc(2024, 11, 29, 18)  # 13:00 EST, not 13:30
    assert bar_close("1h", last, calendar=new_york()) == utc(2024, 11, 29, 18)
    assert bar_close("1d", utc(2024, 11, 29)) == utc(2024, 11, 29, 18)
    assert session_bounds(date(2024, 11, 29)) == (utc(2024, 11, 29, 14, 30), utc(2024, 11, 29, 18))
    # The bar after the half-day's last is Monday's first.
    assert close_after("1h", last, 1) == utc(2024, 12, 2, 15, 30)
    minutes = synthetic_bars("AAPL", "1min", utc(2024, 11, 29), utc(2024, 11, 30))
    assert minutes["timestamp"].max() == utc(2024, 11, 29, 17, 59)
    (day,) = synthetic_bars("AAPL", "1d", utc(2024, 11, 29), utc(2024, 11, 29)).rows(named=True)
    assert day["open"] == minutes["open"][0] and day["close"] == minutes["close"][-1]
    assert day["high"] == minutes["high"].max() and day["low"] == minutes["low"].min()
    for frequency, bars in (("1h", hourly), ("1min", minutes)):
        report = validate_bars(bars, frequency, 2, 1, min_test_rows=1)
        assert report.gaps == [] and report.warnings == [], frequency


def test_a_holiday_has_no_bars_and_no_complaint() -> None:
    for frequency in ("5min", "1h", "1d"):
        bars = synthetic_bars("AAPL", frequency, utc(2024, 6, 24), utc(2024, 7, 12))
        stamps = bars["timestamp"]  # daily bars: midnight UTC of their date
        zone = "America/New_York" if frequency != "1d" else "UTC"
        days = stamps.dt.convert_time_zone(zone).dt.date()
        assert date(2024, 7, 4) not in days.to_list() and date(2024, 7, 5) in days.to_list()
        report = validate_bars(bars, frequency, 2, 1, min_test_rows=1)
        assert report.ok and report.gaps == [] and report.warnings == [], frequency
    assert close_after("1d", utc(2024, 7, 3), 1) == utc(2024, 7, 5, 20)
    assert close_after("1h", utc(2024, 7, 3, 16), 1) == utc(2024, 7, 3, 17)  # 13:00 EDT
    # Two missing sessions are a gap; the holiday between them is not counted.
    daily = synthetic_bars("AAPL", "1d", utc(2024, 5, 1), utc(2024, 8, 30))
    holed = daily.filter(~pl.col("timestamp").is_in([utc(2024, 7, 3), utc(2024, 7, 5)]))
    (gap,) = validate_bars(holed, "1d", 2, 1, min_test_rows=1).gaps
    assert gap.missing_bars == 2


# -- Tokyo, FX, weeks ---------------------------------------------------------------------


def test_tokyos_lunch_break_is_not_a_gap() -> None:
    bars = synthetic_bars("7203.T", "5min", utc(2024, 12, 2), utc(2024, 12, 14))
    tokyo = local(bars, "Asia/Tokyo")["local"].dt.strftime("%H:%M")
    assert "11:25" in tokyo.to_list() and "12:30" in tokyo.to_list()
    assert not any("11:30" <= t < "12:30" for t in tokyo.to_list())
    report = validate_bars(bars, "5min", 2, 1, min_test_rows=1, calendar=TOKYO)
    assert report.gaps == [] and report.warnings == []
    assert bars_per_session("5min", calendar=TOKYO) == 66  # 330 traded minutes
    hourly = synthetic_bars("7203.T", "1h", utc(2024, 12, 2), utc(2024, 12, 3))
    morning_last = utc(2024, 12, 2, 2)  # 11:00 JST: cut at the 11:30 break
    assert bar_close("1h", morning_last, calendar=TOKYO) == utc(2024, 12, 2, 2, 30)
    assert close_after("1h", morning_last, 1, calendar=TOKYO) == utc(2024, 12, 2, 4, 30)
    assert hourly.height == 7  # six on 2 December, then 3 December's 09:00


def test_fx_daily_bars_monday_to_friday_without_a_weekend_complaint() -> None:
    daily = synthetic_bars("EURUSD", "1d", utc(2024, 1, 1), utc(2024, 12, 31))
    weekdays = daily["timestamp"].dt.weekday()
    assert weekdays.max() <= 5 and daily.height == np.busday_count("2024-01-01", "2025-01-01")
    report = validate_bars(daily, "1d", 5, 1, min_test_rows=20, calendar=FX)
    assert report.ok and report.gaps == [] and report.warnings == []
    hourly = synthetic_bars("EURUSD", "1h", utc(2024, 12, 20), utc(2024, 12, 23, 23))
    assert hourly.height == 48  # Friday and Monday, around the clock
    assert bars_per_session("1h", calendar=FX) == 24
    assert close_after("1h", utc(2024, 12, 20, 23), 1, calendar=FX) == utc(2024, 12, 23, 1)


def test_weekly_bars_by_exchange_week() -> None:
    weekly = synthetic_bars("AAPL", "1wk", utc(2024, 3, 18), utc(2024, 4, 5))
    daily = synthetic_bars("AAPL", "1d", utc(2024, 3, 25), utc(2024, 3, 29))
    assert weekly["timestamp"].to_list() == [utc(2024, 3, 18), utc(2024, 3, 25), utc(2024, 4, 1)]
    holy = weekly.filter(pl.col("timestamp") == utc(2024, 3, 25)).row(0, named=True)
    assert daily.height == 4 and holy["close"] == daily["close"][-1]  # no Good Friday
    # A weekly bar closes with its week's last session: Thursday before Good Friday.
    assert bar_close("1wk", utc(2024, 3, 25)) == utc(2024, 3, 28, 20)
    assert close_after("1wk", utc(2024, 3, 18), 1) == utc(2024, 3, 28, 20)
    assert validate_bars(weekly, "1wk", 1, 1, min_test_rows=1).warnings == []


def test_span_arithmetic_uses_the_exchanges_session_length() -> None:
    assert bars_per_session("1h") == 7 and bars_per_session("1h", calendar=LONDON) == 9
    assert trading_days_for_bars("1h", 90, calendar=LONDON) == 10
    assert calendar_span("1h", 90, calendar=LONDON) < calendar_span("1h", 90)
    assert vwap_warmup(DEFAULT_PERIODS, "1h", calendar=LONDON) == 8
    assert horizon_bars("1h", "1d") == 7 and horizon_bars("1h", "1d", calendar=LONDON) == 9
    assert horizon_bars("30min", "2h", calendar=TOKYO) == 4  # trading time: unchanged


# -- features, sentiment, outcomes ---------------------------------------------------------


def test_session_vwap_restarts_at_londons_open() -> None:
    bars = synthetic_bars("VOD.L", "1h", utc(2024, 7, 1), utc(2024, 7, 3))
    whole = compute_features(bars, ["VWAP"], calendar=LONDON)
    assert whole["vwap"].null_count() == 0  # the frame starts at the open
    late = compute_features(bars.slice(2), ["VWAP"], calendar=LONDON)
    assert late["vwap"].null_count() == 9 - 2  # the rest of the cut first session
    # On New York's calendar the 09:00 London bar (04:00 EDT) looks pre-open: no cut.
    assert compute_features(bars.slice(1), ["VWAP"])["vwap"].null_count() == 0


def test_headlines_are_dated_in_the_exchanges_zone() -> None:
    scored = pl.DataFrame(
        {"published_at": [utc(2024, 7, 1, 23)], "headline": ["x"], "compound": [0.5]},
        schema={
            "published_at": pl.Datetime("us", "UTC"),
            "headline": pl.String,
            "compound": pl.Float64,
        },
    )
    assert daily_sentiment(scored)["date"].to_list() == [date(2024, 7, 1)]
    assert daily_sentiment(scored, calendar=TOKYO)["date"].to_list() == [date(2024, 7, 2)]


def test_outcomes_on_a_half_day_close_at_1300() -> None:
    bars = synthetic_bars("AAPL", "1h", utc(2024, 11, 29), utc(2024, 12, 3))
    target = utc(2024, 11, 29, 17, 45)  # 12:45 EST: the 12:30 bar decides at 13:00
    call = PendingCall(
        id=uuid.uuid4(), target_time=target, reference_price=1.0, predicted_price=2.0
    )
    (outcome,) = match_outcomes(
        bars, "1h", [call], now=utc(2024, 12, 5), max_wait=timedelta(days=3), calendar=new_york()
    ).values()
    assert outcome.realised_at == utc(2024, 11, 29, 18)
    london = synthetic_bars("VOD.L", "1h", utc(2024, 7, 1), utc(2024, 7, 2))
    call = PendingCall(
        id=call.id, target_time=utc(2024, 7, 1, 7, 30), reference_price=1.0, predicted_price=2.0
    )
    (outcome,) = match_outcomes(
        london, "1h", [call], now=utc(2024, 7, 5), max_wait=timedelta(days=1), calendar=LONDON
    ).values()
    assert outcome.realised_at == utc(2024, 7, 1, 8)  # 09:00 BST: the first bar's close
