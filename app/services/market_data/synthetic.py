"""Synthetic bars: the offline default data source.

Realistic in the ways that matter to a trading model's plumbing (the exchange's own
session calendar from `app.core.calendars`: holidays skipped, half-days short, a lunch
break untraded, FX around the clock Monday to Friday; volatility clustering, U-shaped
intraday profiles), with one **planted, weak momentum**:
a slowly changing drift, in units of the bar's own volatility, on the daily and on
the minute returns. It is there so that the offline default shows learning; at
`signal=0` the price is a pure random walk (a martingale), which the honesty tests use.
Randomness is counter-based (a splitmix64 hash of symbol, stream and position), never
Python's salted `hash()`, so any slice is generated directly and overlapping requests
agree exactly. The model and the signal's strength in full: docs/MARKET_DATA.md.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import polars as pl

from app.core.calendars import TradingCalendar, calendar_for, calendar_of
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

# The planted momentum at signal = 1: a drift, in units of the return's own sigma,
# following a stationary AR(1) with this sd and mean lifetime. Daily: it carries over
# from day to day. Intraday: it is constant over each 15-minute block, starts each
# session afresh and decays from block to block; the day's return includes it, so a
# session's close never pulls the intraday path back.
DAILY_DRIFT_SD = 0.7
DAILY_DRIFT_DAYS = 10.0
MINUTE_DRIFT_SD = 0.12
MINUTE_DRIFT_MINUTES = 120.0
DRIFT_BLOCK_MINUTES = 15

Floats = npt.NDArray[np.float64]

# Independent random streams; changing one never shifts another.
_VOL, _RET, _GAP, _HIGH, _LOW, _VOLUME = 1, 2, 3, 4, 5, 6
_MIN_RET, _MIN_HIGH, _MIN_LOW, _MIN_VOLUME = 11, 12, 13, 14
_DRIFT, _BLOCK_DRIFT = 7, 15


class SyntheticProvider:
    """`fetch_bars` over the synthetic model; CPU-bound work runs in a thread.

    `signal` scales the planted momentum (`SYNTHETIC_SIGNAL`): 1 is the documented
    default, 0 a pure random walk."""

    name = "synthetic"

    def __init__(self, signal: float = 1.0) -> None:
        self.signal = signal

    async def fetch_bars(
        self, symbol: str, frequency: str, start: datetime, end: datetime
    ) -> pl.DataFrame:
        return await asyncio.to_thread(
            synthetic_bars, symbol, frequency, start, end, signal=self.signal
        )


def synthetic_bars(
    symbol: str,
    frequency: str,
    start: datetime,
    end: datetime,
    *,
    signal: float = 1.0,
    calendar: TradingCalendar | None = None,
) -> pl.DataFrame:
    """The synthetic bars of `symbol` whose start lies in [start, end] (synchronous),
    on the sessions of `calendar` (by default its exchange's: `calendar_of(symbol)`)."""
    freq = get_frequency(frequency)
    start_utc, end_utc = check_range(start, end)
    cal = calendar if calendar is not None else calendar_of(symbol)
    path = _daily_path(normalize_symbol(symbol), float(signal), cal.name)
    if freq.minutes is not None:
        # A session's date can differ from its UTC date by a day at the edges.
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
    close: Floats  # the day's close as seen: a half-day's is its early close
    high: Floats
    low: Floats
    volume: Floats
    session_sigma: Floats  # in-session log-return sd of each day
    signal: float  # the planted momentum's scale (0: a pure random walk)
    noise_scale: float  # the share of session_sigma left to the unpredictable part
    session_drift: Floats  # each day's in-session log return due to the intraday drift
    full_close: Floats  # where the day's whole session ends (what the minutes bridge to)
    layout: _Layout  # the exchange's sessions on those days

    def select(self, first: date, last: date) -> npt.NDArray[np.int64]:
        """Indices of the session days in [first, last], clipped to the model's range
        (a holiday keeps its place in the random streams but has no bar)."""
        lo = np.searchsorted(self.days, np.datetime64(first, "D"), side="left")
        hi = np.searchsorted(self.days, np.datetime64(last, "D"), side="right")
        return np.flatnonzero(self.layout.trades[lo:hi]).astype(np.int64) + lo


@dataclass(frozen=True)
class _Layout:
    """Each business day's session on one calendar: whether it trades, its open (UTC
    minutes since the epoch), its traded minutes, where a lunch break starts (in traded
    minutes; the length when there is none) and how long it is."""

    usual: int  # the usual traded minutes: the profile the daily path is built on
    stride: int  # minute counters per day: the longest session, so days never overlap
    trades: npt.NDArray[np.bool_]
    open: npt.NDArray[np.int64]
    length: npt.NDArray[np.int64]
    break_at: npt.NDArray[np.int64]
    break_length: npt.NDArray[np.int64]


def _business_days() -> npt.NDArray[np.datetime64]:
    calendar = np.arange(
        np.datetime64(FIRST_DAY), np.datetime64(LAST_DAY) + 1, dtype="datetime64[D]"
    )
    return calendar[np.is_busday(calendar)]


@lru_cache(maxsize=16)
def _layout(name: str) -> _Layout:
    cal = calendar_for(name)
    days = _business_days()
    position = {day: i for i, day in enumerate(days.astype(object))}
    n = days.size
    trades = np.zeros(n, dtype=bool)
    opens = np.zeros(n, dtype=np.int64)
    length = np.full(n, cal.usual_minutes, dtype=np.int64)
    break_at = length.copy()
    break_length = np.zeros(n, dtype=np.int64)
    for found in cal.sessions(FIRST_DAY, LAST_DAY):
        i = position.get(found.day)
        if i is None:  # a weekend session: no exchange the resolver knows has one
            continue
        trades[i] = True
        opens[i] = int(found.open.timestamp()) // 60
        length[i] = found.minutes
        if found.break_start is not None and found.break_end is not None:
            break_at[i] = int((found.break_start - found.open).total_seconds()) // 60
            break_length[i] = int((found.break_end - found.break_start).total_seconds()) // 60
        else:
            break_at[i] = found.minutes
    return _Layout(
        usual=cal.usual_minutes,
        stride=max(cal.usual_minutes, int(length.max())),
        trades=trades,
        open=opens,
        length=length,
        break_at=break_at,
        break_length=break_length,
    )


@lru_cache(maxsize=64)
def _daily_path(symbol: str, signal: float = 1.0, calendar: str = "XNYS") -> _DailyPath:
    key = _stable_key(symbol)
    layout = _layout(calendar)
    shape = _shape(layout.usual, layout.stride)
    days = _business_days()
    index = np.arange(days.size, dtype=np.int64)
    traits = _uniform(key, 0, np.arange(4, dtype=np.int64))
    mean_sigma = 0.011 + 0.013 * traits[0]
    anchor_price = float(np.exp(np.log(20.0) + (np.log(500.0) - np.log(20.0)) * traits[1]))
    mean_volume = float(np.exp(np.log(2e5) + (np.log(5e7) - np.log(2e5)) * traits[2]))

    sigma = np.exp(np.log(mean_sigma) + _log_volatility(_normal(key, _VOL, index)))
    gap_sigma = sigma * np.sqrt(_OVERNIGHT_SHARE)
    session_sigma = sigma * np.sqrt(1.0 - _OVERNIGHT_SHARE)
    gap = gap_sigma * _normal(key, _GAP, index) - 0.5 * gap_sigma**2
    noise_scale = 1.0 / np.sqrt(1.0 + signal**2 * (DAILY_DRIFT_SD**2 + shape.drift_variance))
    daily = signal * DAILY_DRIFT_SD * _ar1(_normal(key, _DRIFT, index), DAILY_DRIFT_DAYS)
    intraday = noise_scale * signal * _block_drifts(key, index, shape.blocks) @ shape.weights
    session_drift = session_sigma * intraday
    session = (
        session_sigma * noise_scale * (_normal(key, _RET, index) + daily)
        + session_drift
        - 0.5 * session_sigma**2
    )

    # The process runs on every business day; the calendar only says which of its
    # days are seen (a holiday's move shows in the next open) and how much of each.
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
    path = _DailyPath(
        key,
        days,
        open_,
        close,
        high,
        low,
        volume,
        session_sigma,
        signal,
        noise_scale,
        session_drift,
        close,
        layout,
    )
    return _seen_half_days(path)


def _seen_half_days(path: _DailyPath) -> _DailyPath:
    """A short session (a half-day) is the first minutes of an ordinary one: its daily
    bar closes with the last of them, and its high, low and volume are theirs."""
    layout = path.layout
    short = np.flatnonzero(layout.trades & (layout.length < layout.usual))
    if short.size == 0:
        return path
    close, high, low, volume = (a.copy() for a in (path.close, path.high, path.low, path.volume))
    for length in np.unique(layout.length[short]):
        idx = short[layout.length[short] == length]
        bars = _minute_bars(path, idx, layout.usual)
        seen = slice(0, int(length))
        close[idx] = bars["close"][:, int(length) - 1]
        high[idx] = bars["high"][:, seen].max(axis=1)
        low[idx] = bars["low"][:, seen].min(axis=1)
        volume[idx] = bars["volume"][:, seen].sum(axis=1)
    return replace(path, close=close, high=high, low=low, volume=volume)


def _log_volatility(shocks: Floats) -> Floats:
    return _LOG_VOL_SD * _ar1(shocks, -1.0 / np.log(_PERSISTENCE))


def _ar1(shocks: Floats, lifetime: float) -> Floats:
    """A stationary unit-variance AR(1) along the last axis, without a loop per step.

    x_t = phi x_{t-1} + sqrt(1 - phi^2) e_t, phi = exp(-1 / lifetime), from a stationary
    x_0 = e_0. Within a block x_t = phi^t (x_0 + sum_j phi^-j sqrt(1 - phi^2) e_j);
    blocks keep phi^-t below e^200, and each starts from the previous block's end.
    """
    phi = float(np.exp(-1.0 / lifetime))
    n = shocks.shape[-1]
    block = max(1, int(200 * lifetime))
    out = np.empty_like(shocks)
    state = shocks[..., 0]
    for first in range(0, n, block):
        part = shocks[..., first : first + block]
        steps = np.arange(1, part.shape[-1] + 1, dtype=np.float64)
        if first == 0:  # x_0 is the stationary draw itself
            steps -= 1
            innovations = np.sqrt(1.0 - phi**2) * part * phi ** (-steps)
            innovations[..., 0] = part[..., 0]
            out[..., : part.shape[-1]] = np.cumsum(innovations, axis=-1) * phi**steps
        else:
            innovations = np.sqrt(1.0 - phi**2) * part * phi ** (-steps)
            out[..., first : first + part.shape[-1]] = (
                state[..., None] + np.cumsum(innovations, axis=-1)
            ) * phi**steps
        state = out[..., first + part.shape[-1] - 1]
    return out


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


def _session_profile(minutes: int, open_weight: float, close_weight: float, decay: float) -> Floats:
    minute = np.arange(minutes, dtype=np.float64)
    shape = (
        1.0
        + open_weight * np.exp(-minute / decay)
        + close_weight * np.exp(-(minutes - 1 - minute) / decay)
    )
    return shape / shape.sum()


@dataclass(frozen=True)
class _Shape:
    """A session of `minutes` traded minutes: its variance and volume profiles, the
    15-minute drift blocks (`blocks` per day in the random stream, at least its own)."""

    minutes: int
    blocks: int
    variance: Floats
    volume: Floats
    block_of_minute: npt.NDArray[np.int64]
    weights: Floats  # a block's drift of 1 moves the close by this many session sigmas
    drift_variance: float  # of a day's intraday drift at signal 1, in session variances


@lru_cache(maxsize=32)
def _shape(minutes: int, stride: int) -> _Shape:
    variance = _session_profile(minutes, 2.5, 1.5, 30.0)
    volume = _session_profile(minutes, 3.0, 2.5, 25.0)
    starts = np.arange(0, minutes, DRIFT_BLOCK_MINUTES)
    blocks = -(-stride // DRIFT_BLOCK_MINUTES)
    weights = np.zeros(blocks)
    weights[: starts.size] = np.add.reduceat(np.sqrt(variance), starts)
    own = np.arange(starts.size)
    phi = np.exp(-DRIFT_BLOCK_MINUTES / MINUTE_DRIFT_MINUTES)
    covariance = MINUTE_DRIFT_SD**2 * phi ** np.abs(own[:, None] - own[None, :])
    mine = weights[: starts.size]
    return _Shape(
        minutes=minutes,
        blocks=blocks,
        variance=variance,
        volume=volume,
        block_of_minute=np.arange(minutes) // DRIFT_BLOCK_MINUTES,
        weights=weights,
        drift_variance=float(mine @ covariance @ mine),
    )


def _block_drifts(key: int, idx: npt.NDArray[np.int64], blocks: int) -> Floats:
    """(days, blocks) intraday drift per 15-minute block, in minute sigmas."""
    counter = idx[:, None] * blocks + np.arange(blocks)[None, :]
    lifetime = MINUTE_DRIFT_MINUTES / DRIFT_BLOCK_MINUTES
    return MINUTE_DRIFT_SD * _ar1(_normal(key, _BLOCK_DRIFT, counter), lifetime)


def _minute_bars(path: _DailyPath, idx: npt.NDArray[np.int64], minutes: int) -> dict[str, Floats]:
    """(days, minutes) arrays of one-minute bars for session days `idx` that all have
    `minutes` traded minutes. A shorter session than usual (a half-day) is the first
    `minutes` of an ordinary one; a longer one stretches the usual profile."""
    key, layout = path.key, path.layout
    if minutes < layout.usual:
        whole = _minute_bars(path, idx, layout.usual)
        return {name: values[:, :minutes] for name, values in whole.items()}
    shape = _shape(minutes, layout.stride)
    counter = idx[:, None] * layout.stride + np.arange(minutes)[None, :]
    sigma = path.session_sigma[idx][:, None] * np.sqrt(shape.variance)[None, :]
    walk = np.cumsum(path.noise_scale * sigma * _normal(key, _MIN_RET, counter), axis=1)
    day_open, day_close = path.open[idx][:, None], path.full_close[idx][:, None]
    drift_path = np.zeros_like(walk)
    drift_total = path.session_drift[idx][:, None]
    if path.signal:
        block = _block_drifts(key, idx, shape.blocks)[:, shape.block_of_minute]
        drift_path = np.cumsum(path.noise_scale * path.signal * sigma * block, axis=1)
        if minutes != layout.usual:  # a longer session: the drift of the blocks it has
            drift_total = drift_path[:, -1:]
    # Pin the unpredictable walk to the rest of the day's return: a time-changed
    # Brownian bridge. That rest is an independent draw of matching variance, so the
    # walk has no structure to exploit; the planted drift is added on top, whole.
    target = np.log(day_close / day_open) - drift_total
    elapsed = np.cumsum(shape.variance)[None, :]
    log_path = walk - elapsed * (walk[:, -1:] - target) + drift_path
    close = day_open * np.exp(log_path)
    open_ = np.concatenate([day_open, close[:, :-1]], axis=1)
    reach = _BAR_RANGE * sigma
    high = np.maximum(open_, close) * np.exp(reach * np.abs(_normal(key, _MIN_HIGH, counter)))
    low = np.minimum(open_, close) * np.exp(-reach * np.abs(_normal(key, _MIN_LOW, counter)))
    noise = np.exp(0.25 * _normal(key, _MIN_VOLUME, counter))
    volume = np.maximum(np.round(path.volume[idx][:, None] * shape.volume[None, :] * noise), 1.0)
    return {"open": open_, "high": high, "low": low, "close": close, "volume": volume}


def _intraday_frame(path: _DailyPath, idx: npt.NDArray[np.int64], minutes: int) -> pl.DataFrame:
    """Bars of `minutes` on each session's grid: from the open, and again from the end
    of a lunch break, the last bar of each stretch cut at its end."""
    if idx.size == 0:
        return empty_bars()
    layout = path.layout
    kinds = np.stack([layout.length[idx], layout.break_at[idx], layout.break_length[idx]], 1)
    frames = []
    for length, break_at, break_length in np.unique(kinds, axis=0):
        group = idx[(kinds == (length, break_at, break_length)).all(axis=1)]
        frames.append(
            _grid_frame(path, group, minutes, int(length), int(break_at), int(break_length))
        )
    return pl.concat(frames).sort("timestamp")


def _grid_frame(
    path: _DailyPath,
    idx: npt.NDArray[np.int64],
    minutes: int,
    length: int,
    break_at: int,
    break_length: int,
) -> pl.DataFrame:
    bars = _minute_bars(path, idx, length)
    starts = np.r_[
        np.arange(0, break_at, minutes), break_at + np.arange(0, length - break_at, minutes)
    ].astype(np.int64)
    ends = np.r_[starts[1:], length] - 1
    table = {
        "open": bars["open"][:, starts],
        "high": np.maximum.reduceat(bars["high"], starts, axis=1),
        "low": np.minimum.reduceat(bars["low"], starts, axis=1),
        "close": bars["close"][:, ends],
        "volume": np.add.reduceat(bars["volume"], starts, axis=1),
    }
    offset = starts + np.where(starts >= break_at, break_length, 0)  # minutes from the open
    moments = path.layout.open[idx][:, None] + offset[None, :]
    stamps = pl.Series((moments.ravel() * 60_000_000).astype(np.int64)).cast(
        pl.Datetime("us", "UTC")
    )
    return pl.DataFrame({"timestamp": stamps, **{k: v.ravel() for k, v in table.items()}})


def first_synthetic_day() -> datetime:
    """Where the synthetic history starts (for messages and tests)."""
    return datetime.combine(FIRST_DAY, datetime.min.time(), UTC)
