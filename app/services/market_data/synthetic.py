"""Synthetic bars: the offline default data source.

Realistic in the ways that matter to a trading model's plumbing (session calendar,
volatility clustering, U-shaped intraday profiles) and **unpredictable by construction**:
the price is a martingale, so a model trained on it should not beat the naive forecast.
Randomness is counter-based (a splitmix64 hash of symbol, stream and position), never
Python's salted `hash()`, so any slice is generated directly and overlapping requests
agree exactly. The model in full: docs/MARKET_DATA.md.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import polars as pl

from app.core.clock import DEFAULT_TIMEZONE, SESSION_MINUTES
from app.services.market_data.base import (
    check_range,
    empty_bars,
    finalize_bars,
    normalize_symbol,
)
from app.services.market_data.frequency import get_frequency

FIRST_DAY = date(1990, 1, 1)
LAST_DAY = date(2049, 12, 31)
ANCHOR_DAY = date(2024, 1, 2)

_PERSISTENCE = 0.985
_LOG_VOL_SD = 0.35
_OVERNIGHT_SHARE = 0.2
_BAR_RANGE = 0.5  # a bar's high/low excursion beyond open/close, in its own sigmas

Floats = npt.NDArray[np.float64]

# Independent random streams; changing one never shifts another.
_VOL, _RET, _GAP, _HIGH, _LOW, _VOLUME = 1, 2, 3, 4, 5, 6
_MIN_RET, _MIN_HIGH, _MIN_LOW, _MIN_VOLUME = 11, 12, 13, 14


class SyntheticProvider:
    """`fetch_bars` over the synthetic model; CPU-bound work runs in a thread."""

    name = "synthetic"

    async def fetch_bars(
        self, symbol: str, frequency: str, start: datetime, end: datetime
    ) -> pl.DataFrame:
        return await asyncio.to_thread(synthetic_bars, symbol, frequency, start, end)


def synthetic_bars(symbol: str, frequency: str, start: datetime, end: datetime) -> pl.DataFrame:
    """The synthetic bars of `symbol` whose start lies in [start, end] (synchronous)."""
    freq = get_frequency(frequency)
    start_utc, end_utc = check_range(start, end)
    path = _daily_path(normalize_symbol(symbol))
    if freq.minutes is not None:
        # A New York session date can differ from its UTC date by a day at the edges.
        days = path.select(start_utc.date() - timedelta(days=1), end_utc.date() + timedelta(days=1))
        frame = _intraday_frame(path, days, freq.minutes)
    elif freq.days == 1:
        frame = _daily_frame(path, path.select(start_utc.date(), end_utc.date()))
    else:
        first_monday = start_utc.date() - timedelta(days=start_utc.date().weekday())
        frame = _weekly_frame(path, path.select(first_monday, end_utc.date() + timedelta(days=6)))
    if frame.is_empty():
        return empty_bars()
    return finalize_bars(frame, start_utc, end_utc)


# -- counter-based randomness -------------------------------------------------------------


def _stable_key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def _mix(z: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64's finaliser: a bijective, well-mixed uint64 -> uint64 hash."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _uniform(key: int, stream: int, counter: npt.NDArray[np.int64]) -> Floats:
    """Uniforms in (0, 1), one per counter, for (key, stream)."""
    offset = _stable_key(f"{key}:{stream}")
    with np.errstate(over="ignore"):
        z = counter.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(offset)
        bits = _mix(z) >> np.uint64(11)
    return (bits.astype(np.float64) + 0.5) * 2.0**-53


def _normal(key: int, stream: int, counter: npt.NDArray[np.int64]) -> Floats:
    """Standard normals by Box-Muller from two independent uniform streams."""
    u1 = _uniform(key, 2 * stream, counter)
    u2 = _uniform(key, 2 * stream + 1, counter)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


# -- the daily path -----------------------------------------------------------------------


@dataclass(frozen=True)
class _DailyPath:
    key: int
    days: npt.NDArray[np.datetime64]  # business days, datetime64[D]
    open: Floats
    close: Floats
    high: Floats
    low: Floats
    volume: Floats
    session_sigma: Floats  # in-session log-return sd of each day

    def select(self, first: date, last: date) -> npt.NDArray[np.int64]:
        """Indices of the business days in [first, last], clipped to the model's range."""
        lo = np.searchsorted(self.days, np.datetime64(first, "D"), side="left")
        hi = np.searchsorted(self.days, np.datetime64(last, "D"), side="right")
        return np.arange(lo, hi, dtype=np.int64)


@lru_cache(maxsize=64)
def _daily_path(symbol: str) -> _DailyPath:
    key = _stable_key(symbol)
    calendar = np.arange(
        np.datetime64(FIRST_DAY), np.datetime64(LAST_DAY) + 1, dtype="datetime64[D]"
    )
    days = calendar[np.is_busday(calendar)]
    index = np.arange(days.size, dtype=np.int64)
    traits = _uniform(key, 0, np.arange(4, dtype=np.int64))
    mean_sigma = 0.011 + 0.013 * traits[0]
    anchor_price = float(np.exp(np.log(20.0) + (np.log(500.0) - np.log(20.0)) * traits[1]))
    mean_volume = float(np.exp(np.log(2e5) + (np.log(5e7) - np.log(2e5)) * traits[2]))

    sigma = np.exp(np.log(mean_sigma) + _log_volatility(_normal(key, _VOL, index)))
    gap_sigma = sigma * np.sqrt(_OVERNIGHT_SHARE)
    session_sigma = sigma * np.sqrt(1.0 - _OVERNIGHT_SHARE)
    gap = gap_sigma * _normal(key, _GAP, index) - 0.5 * gap_sigma**2
    session = session_sigma * _normal(key, _RET, index) - 0.5 * session_sigma**2

    log_close = np.cumsum(gap + session)
    anchor = int(np.searchsorted(days, np.datetime64(ANCHOR_DAY, "D")))
    log_close += np.log(anchor_price) - log_close[anchor]
    close = np.exp(log_close)
    open_ = close * np.exp(-session)
    reach = _BAR_RANGE * session_sigma
    high = np.maximum(open_, close) * np.exp(reach * np.abs(_normal(key, _HIGH, index)))
    low = np.minimum(open_, close) * np.exp(-reach * np.abs(_normal(key, _LOW, index)))
    # Busier on big-move days, as on real tapes; contemporaneous, so no price signal.
    surprise = np.abs(session) / session_sigma - 0.8
    volume = np.round(mean_volume * np.exp(0.3 * _normal(key, _VOLUME, index) + 0.4 * surprise))
    return _DailyPath(key, days, open_, close, high, low, volume, session_sigma)


def _log_volatility(shocks: Floats) -> Floats:
    """A stationary AR(1) in log volatility, computed without a Python loop.

    x_t = phi x_{t-1} + s e_t equals phi^t (x_0 + sum_j phi^-j s e_j); over the model's
    ~15,600 days phi^-t stays below 1e103, well inside float64.
    """
    scale = _LOG_VOL_SD * np.sqrt(1.0 - _PERSISTENCE**2)
    steps = np.arange(shocks.size, dtype=np.float64)
    weights = _PERSISTENCE ** (-steps)
    start = _LOG_VOL_SD * shocks[0]
    innovations = scale * shocks * weights
    innovations[0] = start
    return np.cumsum(innovations) * _PERSISTENCE**steps


# -- bars of each frequency ---------------------------------------------------------------


def _daily_frame(path: _DailyPath, idx: npt.NDArray[np.int64]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "timestamp": _midnight_utc(path.days[idx]),
            "open": path.open[idx],
            "high": path.high[idx],
            "low": path.low[idx],
            "close": path.close[idx],
            "volume": path.volume[idx],
        }
    )


def _weekly_frame(path: _DailyPath, idx: npt.NDArray[np.int64]) -> pl.DataFrame:
    if idx.size == 0:
        return empty_bars()
    days = path.days[idx]
    # 1970-01-01 was a Thursday: (days + 3) % 7 is the weekday with Monday = 0.
    weekday = (days.astype(np.int64) + 3) % 7
    mondays = days - weekday.astype("timedelta64[D]")
    starts = np.flatnonzero(np.r_[True, mondays[1:] != mondays[:-1]])
    ends = np.r_[starts[1:], idx.size] - 1
    return pl.DataFrame(
        {
            "timestamp": _midnight_utc(mondays[starts]),
            "open": path.open[idx][starts],
            "high": np.maximum.reduceat(path.high[idx], starts),
            "low": np.minimum.reduceat(path.low[idx], starts),
            "close": path.close[idx][ends],
            "volume": np.add.reduceat(path.volume[idx], starts),
        }
    )


def _midnight_utc(days: npt.NDArray[np.datetime64]) -> pl.Series:
    return pl.Series(days.astype("datetime64[us]")).dt.replace_time_zone("UTC")


def _session_profile(open_weight: float, close_weight: float, decay: float) -> Floats:
    minute = np.arange(SESSION_MINUTES, dtype=np.float64)
    shape = (
        1.0
        + open_weight * np.exp(-minute / decay)
        + close_weight * np.exp(-(SESSION_MINUTES - 1 - minute) / decay)
    )
    return shape / shape.sum()


_VARIANCE_PROFILE = _session_profile(2.5, 1.5, 30.0)
_VOLUME_PROFILE = _session_profile(3.0, 2.5, 25.0)


def _minute_bars(path: _DailyPath, idx: npt.NDArray[np.int64]) -> dict[str, Floats]:
    """(days, 390) arrays of one-minute bars for the business days `idx`."""
    key = path.key
    counter = idx[:, None] * SESSION_MINUTES + np.arange(SESSION_MINUTES)[None, :]
    sigma = path.session_sigma[idx][:, None] * np.sqrt(_VARIANCE_PROFILE)[None, :]
    walk = np.cumsum(sigma * _normal(key, _MIN_RET, counter), axis=1)
    day_open, day_close = path.open[idx][:, None], path.close[idx][:, None]
    # Pin the walk to the day's close: a time-changed Brownian bridge. The day's
    # return is an independent draw of matching variance, so the result is still a
    # random walk with no structure to exploit.
    elapsed = np.cumsum(_VARIANCE_PROFILE)[None, :]
    log_path = walk - elapsed * (walk[:, -1:] - np.log(day_close / day_open))
    close = day_open * np.exp(log_path)
    open_ = np.concatenate([day_open, close[:, :-1]], axis=1)
    reach = _BAR_RANGE * sigma
    high = np.maximum(open_, close) * np.exp(reach * np.abs(_normal(key, _MIN_HIGH, counter)))
    low = np.minimum(open_, close) * np.exp(-reach * np.abs(_normal(key, _MIN_LOW, counter)))
    noise = np.exp(0.25 * _normal(key, _MIN_VOLUME, counter))
    volume = np.maximum(np.round(path.volume[idx][:, None] * _VOLUME_PROFILE[None, :] * noise), 1.0)
    return {"open": open_, "high": high, "low": low, "close": close, "volume": volume}


def _intraday_frame(path: _DailyPath, idx: npt.NDArray[np.int64], minutes: int) -> pl.DataFrame:
    if idx.size == 0:
        return empty_bars()
    bars = _minute_bars(path, idx)
    starts = np.arange(0, SESSION_MINUTES, minutes)  # the hourly grid ends with 15:30-16:00
    ends = np.minimum(starts + minutes, SESSION_MINUTES) - 1
    table = {
        "open": bars["open"][:, starts],
        "high": np.maximum.reduceat(bars["high"], starts, axis=1),
        "low": np.minimum.reduceat(bars["low"], starts, axis=1),
        "close": bars["close"][:, ends],
        "volume": np.add.reduceat(bars["volume"], starts, axis=1),
    }
    local = (
        path.days[idx].astype("datetime64[m]")[:, None]
        + np.timedelta64(9 * 60 + 30, "m")
        + starts.astype("timedelta64[m]")[None, :]
    )
    stamps = (
        pl.Series(local.ravel().astype("datetime64[us]"))
        .dt.replace_time_zone(DEFAULT_TIMEZONE)
        .dt.convert_time_zone("UTC")
    )
    return pl.DataFrame({"timestamp": stamps, **{k: v.ravel() for k, v in table.items()}})


def first_synthetic_day() -> datetime:
    """Where the synthetic history starts (for messages and tests)."""
    return datetime.combine(FIRST_DAY, datetime.min.time(), UTC)
