"""The synthetic source: deterministic, calendar-correct, realistic; a random walk at
signal 0 and a weak, documented momentum at the default signal."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from app.services.market_data.base import BAR_SCHEMA
from app.services.market_data.synthetic import SyntheticProvider, synthetic_bars

FREQUENCIES = ["1min", "5min", "15min", "30min", "1h", "1d", "1wk"]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def autocorrelation(x: np.ndarray, lag: int) -> float:
    x = x - x.mean()
    return float((x[:-lag] * x[lag:]).sum() / (x * x).sum())


def new_york(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(local=pl.col("timestamp").dt.convert_time_zone("America/New_York"))


@pytest.mark.parametrize("frequency", FREQUENCIES)
def test_contract_schema_sorted_unique_and_ohlc_consistent(frequency: str) -> None:
    bars = synthetic_bars("AAPL", frequency, utc(2024, 1, 1), utc(2024, 3, 31))
    assert bars.schema == pl.Schema(BAR_SCHEMA)
    assert bars.height > 0
    assert bars["timestamp"].is_sorted() and bars["timestamp"].n_unique() == bars.height
    consistent = bars.select(
        ok=(pl.col("high") >= pl.max_horizontal("open", "close"))
        & (pl.col("low") <= pl.min_horizontal("open", "close"))
        & (pl.col("low") > 0)
        & (pl.col("volume") > 0)
    )
    assert consistent["ok"].all()


@pytest.mark.parametrize("frequency", ["1min", "1h", "1d", "1wk"])
def test_deterministic_and_overlapping_requests_agree(frequency: str) -> None:
    first = synthetic_bars("MSFT", frequency, utc(2023, 1, 1), utc(2023, 6, 30))
    again = synthetic_bars("MSFT", frequency, utc(2023, 1, 1), utc(2023, 6, 30))
    later = synthetic_bars("MSFT", frequency, utc(2023, 4, 1), utc(2023, 9, 30))
    assert_frame_equal(first, again)
    overlap_start, overlap_end = utc(2023, 4, 3), utc(2023, 6, 30)
    in_overlap = pl.col("timestamp").is_between(overlap_start, overlap_end)
    assert_frame_equal(first.filter(in_overlap), later.filter(in_overlap))
    assert first.filter(in_overlap).height > 0


def test_symbols_differ_and_prices_are_plausible() -> None:
    closes = {
        symbol: synthetic_bars(symbol, "1d", utc(2024, 1, 2), utc(2024, 1, 2))["close"][0]
        for symbol in ("AAPL", "MSFT", "IBM", "GOOG", "XOM", "JPM")
    }
    assert len(set(closes.values())) == len(closes)
    assert all(20 <= price <= 500 for price in closes.values())
    # the symbol is case-insensitive
    assert_frame_equal(
        synthetic_bars("aapl", "1d", utc(2024, 1, 1), utc(2024, 2, 1)),
        synthetic_bars("AAPL", "1d", utc(2024, 1, 1), utc(2024, 2, 1)),
    )


def test_business_days_only() -> None:
    daily = synthetic_bars("AAPL", "1d", utc(2024, 1, 1), utc(2024, 12, 31))
    assert daily["timestamp"].dt.weekday().max() <= 5  # polars: Monday = 1
    # NYSE sessions: the weekdays less the exchange's 10 holidays of 2024.
    assert daily.height == np.busday_count("2024-01-01", "2025-01-01") - 10 == 252
    minutes = new_york(synthetic_bars("AAPL", "1min", utc(2024, 1, 1), utc(2024, 1, 31)))
    assert minutes["local"].dt.weekday().max() <= 5


def test_intraday_bars_fill_the_new_york_session_across_dst() -> None:
    # US clocks sprang forward on Sunday 2024-03-10.
    bars = new_york(synthetic_bars("AAPL", "1min", utc(2024, 3, 7), utc(2024, 3, 13)))
    per_day = (
        bars.group_by(pl.col("local").dt.date().alias("day"))
        .agg(
            pl.len().alias("n"),
            pl.col("local").min().dt.strftime("%H:%M").alias("first"),
            pl.col("local").max().dt.strftime("%H:%M").alias("last"),
            pl.col("timestamp").min().dt.strftime("%H:%M").alias("first_utc"),
        )
        .sort("day")
    )
    assert per_day["n"].to_list() == [390] * per_day.height
    assert set(per_day["first"]) == {"09:30"} and set(per_day["last"]) == {"15:59"}
    before = per_day.filter(pl.col("day") == datetime(2024, 3, 8).date())["first_utc"][0]
    after = per_day.filter(pl.col("day") == datetime(2024, 3, 11).date())["first_utc"][0]
    assert (before, after) == ("14:30", "13:30")


@pytest.mark.parametrize(
    ("frequency", "per_day"), [("5min", 78), ("15min", 26), ("30min", 13), ("1h", 7)]
)
def test_coarser_intraday_bars_aggregate_the_minute_bars(frequency: str, per_day: int) -> None:
    start, end = utc(2024, 5, 6), utc(2024, 5, 8)
    coarse = synthetic_bars("NVDA", frequency, start, end)
    minutes = synthetic_bars("NVDA", "1min", start, end)
    every = {"5min": "5m", "15min": "15m", "30min": "30m", "1h": "1h"}[frequency]
    offset = "30m" if frequency == "1h" else None  # the hourly grid starts at 09:30
    expected = minutes.group_by_dynamic("timestamp", every=every, offset=offset).agg(
        pl.col("open").first(),
        pl.col("high").max(),
        pl.col("low").min(),
        pl.col("close").last(),
        pl.col("volume").sum(),
    )
    assert coarse.height == 2 * per_day
    assert_frame_equal(coarse, expected.select(coarse.columns))


def test_daily_and_minute_bars_share_open_and_close() -> None:
    daily = synthetic_bars("AMD", "1d", utc(2024, 2, 5), utc(2024, 2, 9))
    minutes = new_york(synthetic_bars("AMD", "1min", utc(2024, 2, 5), utc(2024, 2, 10)))
    sessions = minutes.group_by(pl.col("local").dt.date().alias("day"), maintain_order=True).agg(
        pl.col("open").first(), pl.col("close").last()
    )
    np.testing.assert_allclose(sessions["open"].to_numpy(), daily["open"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(sessions["close"].to_numpy(), daily["close"].to_numpy(), rtol=1e-12)


def test_weekly_bars_aggregate_the_business_days_of_each_week() -> None:
    weekly = synthetic_bars("IBM", "1wk", utc(2024, 1, 1), utc(2024, 1, 31))
    daily = synthetic_bars("IBM", "1d", utc(2024, 1, 1), utc(2024, 2, 2))
    assert weekly["timestamp"].dt.weekday().to_list() == [1] * weekly.height  # Mondays
    first_week = daily.filter(pl.col("timestamp") < utc(2024, 1, 6))
    row = weekly.row(0, named=True)
    assert row["open"] == first_week["open"][0]
    assert row["close"] == first_week["close"][-1]
    assert row["high"] == first_week["high"].max()
    assert row["low"] == first_week["low"].min()
    assert row["volume"] == first_week["volume"].sum()


def test_volatility_clusters_and_the_random_walk_variant_is_unpredictable() -> None:
    clustering, lag_one = [], []
    for symbol in ("AAPL", "MSFT", "KO"):
        closes = synthetic_bars(symbol, "1d", utc(2000, 1, 1), utc(2024, 12, 31), signal=0)
        returns = np.diff(np.log(closes["close"].to_numpy()))
        clustering.append(autocorrelation(returns**2, 1))
        lag_one.append([autocorrelation(returns, lag) for lag in (1, 2, 5)])
    assert min(clustering) > 0.05, clustering  # clearly positive
    assert np.abs(np.array(lag_one)).max() < 0.05, lag_one  # ~0: nothing to exploit


def test_random_walk_minute_returns_have_no_autocorrelation() -> None:
    bars = synthetic_bars("TSLA", "1min", utc(2023, 1, 1), utc(2023, 6, 30), signal=0)
    returns = np.diff(np.log(bars["close"].to_numpy()))
    assert abs(autocorrelation(returns, 1)) < 0.03
    assert abs(autocorrelation(returns, 2)) < 0.03


def _momentum(symbol: str, frequency: str, start: datetime, end: datetime, h: int, signal: float):
    """Correlation of the last `h` bars' return with the next `h` bars' return."""
    close = np.log(synthetic_bars(symbol, frequency, start, end, signal=signal)["close"].to_numpy())
    t = np.arange(h, close.size - h)
    return float(np.corrcoef(close[t] - close[t - h], close[t + h] - close[t])[0, 1])


@pytest.mark.parametrize(
    ("frequency", "start", "h"),
    [("15min", utc(2023, 1, 1), 4), ("1h", utc(2022, 1, 1), 1), ("1d", utc(2000, 1, 1), 5)],
)
def test_the_planted_momentum_is_weak_but_there(frequency: str, start: datetime, h: int) -> None:
    """What docs/MARKET_DATA.md promises: the last hour's (or week's) return predicts the
    next one's a little at the default signal, and not at all on the random walk."""
    end = utc(2024, 12, 31)
    planted = [_momentum(s, frequency, start, end, h, 1.0) for s in ("AAPL", "MSFT", "KO")]
    walk = [_momentum(s, frequency, start, end, h, 0.0) for s in ("AAPL", "MSFT", "KO")]
    assert all(0.05 < c < 0.4 for c in planted), planted
    assert max(abs(c) for c in walk) < 0.05, walk


def test_the_signal_leaves_the_calendar_and_the_price_level_alone() -> None:
    planted = synthetic_bars("AAPL", "1h", utc(2024, 1, 1), utc(2024, 3, 31))
    walk = synthetic_bars("AAPL", "1h", utc(2024, 1, 1), utc(2024, 3, 31), signal=0)
    assert planted["timestamp"].to_list() == walk["timestamp"].to_list()
    ratio = planted["close"].to_numpy() / walk["close"].to_numpy()
    assert ratio.min() > 0.5 and ratio.max() < 2.0


def test_intraday_volume_and_volatility_are_u_shaped() -> None:
    bars = new_york(synthetic_bars("AAPL", "30min", utc(2024, 1, 1), utc(2024, 6, 30)))
    profile = (
        bars.with_columns(
            slot=pl.col("local").dt.strftime("%H:%M"),
            move=(pl.col("close") / pl.col("open")).log().abs(),
        )
        .group_by("slot")
        .agg(pl.col("volume").mean(), pl.col("move").mean())
        .sort("slot")
    )
    volume, move = profile["volume"].to_list(), profile["move"].to_list()
    midday = len(volume) // 2
    assert volume[0] > 1.5 * volume[midday] and volume[-1] > 1.5 * volume[midday]
    assert move[0] > move[midday] and move[-1] > move[midday]


def test_history_is_clipped_to_the_models_range() -> None:
    early = synthetic_bars("AAPL", "1d", utc(1980, 1, 1), utc(1990, 1, 5))
    assert early["timestamp"].min() == utc(1990, 1, 1)
    assert synthetic_bars("AAPL", "1d", utc(1980, 1, 1), utc(1985, 1, 1)).is_empty()


def test_one_year_of_minute_bars_is_generated_whole() -> None:
    bars = synthetic_bars("QQQ", "1min", utc(2024, 1, 1), utc(2024, 12, 31, 23))
    # 252 NYSE sessions, three of them half-days (Jul 3, Nov 29, Dec 24) of 210 minutes.
    assert bars.height == 390 * 249 + 210 * 3


async def test_provider_is_async() -> None:
    provider = SyntheticProvider()
    bars = await provider.fetch_bars("AAPL", "1d", utc(2024, 1, 1), utc(2024, 1, 31))
    assert provider.name == "synthetic" and bars.height == 21  # less Jan 1 and MLK day
    walk = await SyntheticProvider(signal=0).fetch_bars(
        "AAPL", "1d", utc(2024, 1, 1), utc(2024, 1, 31)
    )
    assert walk.height == 21 and not walk.equals(bars)
