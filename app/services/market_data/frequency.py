"""Bar frequencies, prediction horizons and how many bars a horizon spans.

Pure functions shared by agent creation, `/predict` validation, the providers and the
training pipeline, so that "1h ahead on 1-minute bars" means the same thing everywhere:
minute and hour horizons count trading time, day and week horizons whole sessions, and
a bar is stamped with its start (`bar_close` gives the instant its values are final).
The conventions in full: docs/MARKET_DATA.md.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl

from app.core.calendars import TradingCalendar, new_york
from app.core.clock import SESSION_MINUTES, as_utc
from app.errors import Unprocessable

DAYS_PER_WEEK = 5
TRADING_DAYS = 252
MAX_HORIZON_UNITS = 10_000


@dataclass(frozen=True)
class Frequency:
    """One bar frequency. `minutes` is the bar length in trading minutes (intraday)."""

    name: str
    minutes: int | None
    days: int | None

    @property
    def intraday(self) -> bool:
        return self.minutes is not None

    @property
    def bar_length(self) -> timedelta:
        """Nominal length of one bar (a trading day counts as a calendar day here)."""
        if self.minutes is not None:
            return timedelta(minutes=self.minutes)
        return timedelta(days=7 if self.days == DAYS_PER_WEEK else 1)

    @property
    def bars_per_year(self) -> float:
        """Bars in a year of 252 sessions: what Sharpe and Sortino are annualised by."""
        return TRADING_DAYS * self.bars_per_session

    @property
    def bars_per_session(self) -> float:
        """Bars in one regular New York session (a fraction for weekly bars); another
        exchange's: the module's `bars_per_session(freq, calendar=...)`."""
        if self.minutes is not None:
            return float(math.ceil(SESSION_MINUTES / self.minutes))
        return 1.0 / (self.days or 1)


FREQUENCIES: dict[str, Frequency] = {
    "1min": Frequency("1min", 1, None),
    "5min": Frequency("5min", 5, None),
    "15min": Frequency("15min", 15, None),
    "30min": Frequency("30min", 30, None),
    "1h": Frequency("1h", 60, None),
    "1d": Frequency("1d", None, 1),
    "1wk": Frequency("1wk", None, DAYS_PER_WEEK),
}
FREQUENCY_NAMES: tuple[str, ...] = tuple(FREQUENCIES)

_HORIZON = re.compile(r"^\s*(\d+)\s*(min|h|d|wk)\s*$", re.IGNORECASE)
_UNIT_WORDS = {"min": "minute", "h": "hour", "d": "day", "wk": "week"}


@dataclass(frozen=True)
class Horizon:
    """A parsed horizon such as "2h": `count` units of `unit` (min, h, d or wk)."""

    count: int
    unit: str

    @property
    def text(self) -> str:
        return f"{self.count}{self.unit}"

    @property
    def trading_minutes(self) -> int | None:
        """Length in trading minutes for minute/hour horizons, None for d/wk."""
        if self.unit == "min":
            return self.count
        if self.unit == "h":
            return self.count * 60
        return None

    @property
    def sessions(self) -> int | None:
        """Length in trading sessions for day/week horizons, None for min/h."""
        if self.unit == "d":
            return self.count
        if self.unit == "wk":
            return self.count * DAYS_PER_WEEK
        return None


def get_frequency(name: str, loc: list[str | int] | None = None) -> Frequency:
    """The frequency called `name` (case-insensitive); 422 listing the allowed ones."""
    frequency = FREQUENCIES.get(str(name).strip().lower())
    if frequency is None:
        allowed = ", ".join(FREQUENCY_NAMES)
        raise Unprocessable.field(
            loc or ["data_frequency"], f"unknown frequency {name!r}; allowed: {allowed}"
        )
    return frequency


def parse_horizon(text: str, loc: list[str | int] | None = None) -> Horizon:
    """`"<n><unit>"` with unit min, h, d or wk (e.g. "30min", "2h", "1d", "1wk")."""
    match = _HORIZON.match(str(text))
    if not match or not 1 <= int(match.group(1)) <= MAX_HORIZON_UNITS:
        raise Unprocessable.field(
            loc or ["prediction_horizon"],
            f"invalid horizon {text!r}: use a whole number from 1 to {MAX_HORIZON_UNITS} "
            "followed by min, h, d or wk, e.g. '30min', '1h', '1d', '1wk'",
        )
    return Horizon(int(match.group(1)), match.group(2).lower())


def horizon_bars(
    frequency: str | Frequency,
    horizon: str | Horizon,
    loc: list[str | int] | None = None,
    *,
    calendar: TradingCalendar | None = None,
) -> int:
    """How many bars ahead `horizon` is on `frequency` bars (see the module conventions).

    A day or week horizon on intraday bars counts the exchange's usual session
    (`calendar`; New York's 7 hourly bars by default, London's 9).
    Raises a 422 when the horizon is not a whole, positive number of bars.
    """
    freq = frequency if isinstance(frequency, Frequency) else get_frequency(frequency)
    hz = horizon if isinstance(horizon, Horizon) else parse_horizon(horizon, loc)
    where = loc or ["prediction_horizon"]
    if freq.minutes is not None:
        return _intraday_bars(freq, hz, where, calendar)
    bar_days = freq.days or 1
    if hz.sessions is None:
        raise Unprocessable.field(
            where,
            f"a {hz.text} horizon is shorter than one {freq.name} bar; "
            f"use a horizon in {'weeks' if bar_days > 1 else 'days'} for {freq.name} data",
        )
    if hz.sessions % bar_days:
        raise Unprocessable.field(
            where,
            f"a {hz.text} horizon is not a whole number of {freq.name} bars "
            f"(one bar is {bar_days} trading days); use e.g. '1wk' or '{bar_days}d'",
        )
    return hz.sessions // bar_days


def _intraday_bars(
    freq: Frequency, hz: Horizon, where: list[str | int], calendar: TradingCalendar | None
) -> int:
    bar = freq.minutes or 1
    if hz.sessions is not None:
        if calendar is None:
            return hz.sessions * int(freq.bars_per_session)
        return hz.sessions * int(bars_per_session(freq, calendar=calendar))
    minutes = hz.trading_minutes or 0
    if minutes < bar:
        raise Unprocessable.field(where, f"a {hz.text} horizon is shorter than one {freq.name} bar")
    if minutes % bar:
        raise Unprocessable.field(
            where,
            f"a {hz.text} horizon is not a whole number of {freq.name} bars "
            f"({minutes} minutes / {bar} minutes per bar)",
        )
    return minutes // bar


def describe_horizon(horizon: str | Horizon) -> str:
    """ "2 hours", "1 day": for sentences shown to users."""
    hz = horizon if isinstance(horizon, Horizon) else parse_horizon(horizon)
    word = _UNIT_WORDS[hz.unit]
    return f"{hz.count} {word}{'' if hz.count == 1 else 's'}"


def min_history_bars(
    lookback: int,
    horizon: int,
    min_test_rows: int,
    test_fraction: float = 0.15,
    warmup: int = 0,
) -> int:
    """Bars needed to train: indicator warm-up + look-back + horizon + enough samples
    that the last `test_fraction` of them hold at least `min_test_rows` test samples.

    A sample is one window of `lookback` bars with its target `horizon` bars later.
    """
    if not 0 < test_fraction < 1:
        raise ValueError("test_fraction must lie strictly between 0 and 1")
    samples = math.ceil(min_test_rows / test_fraction)
    return warmup + lookback + horizon + samples - 1


def bars_per_session(
    frequency: str | Frequency, *, calendar: TradingCalendar | None = None
) -> float:
    """Bars in one full session of `calendar` (New York's by default; a fraction for
    weekly bars). Intraday: the session's grid, so Tokyo's lunch break cuts a bar."""
    freq = frequency if isinstance(frequency, Frequency) else get_frequency(frequency)
    if freq.minutes is None:
        return 1.0 / (freq.days or 1)
    cal = _calendar(calendar)
    return float(len(cal.bar_starts(cal.usual_session, freq.minutes)))


def trading_days_for_bars(
    frequency: str | Frequency, bars: int, *, calendar: TradingCalendar | None = None
) -> int:
    """Trading sessions that hold `bars` bars of this frequency (rounded up)."""
    freq = frequency if isinstance(frequency, Frequency) else get_frequency(frequency)
    if freq.minutes is not None:
        return math.ceil(bars / bars_per_session(freq, calendar=calendar))
    return bars * (freq.days or 1)


def calendar_span(
    frequency: str | Frequency, bars: int, *, calendar: TradingCalendar | None = None
) -> timedelta:
    """A calendar period that surely contains `bars` bars: fetch `end - span .. end`.

    Sessions are 5 of 7 calendar days; 10 % and one week of slack cover exchange
    holidays (at most ~15 a year) and a fetch that ends mid-week.
    """
    days = trading_days_for_bars(frequency, bars, calendar=calendar)
    return timedelta(days=math.ceil(days * 7 / 5 * 1.1) + 7)


def session_bounds(
    day: date, *, calendar: TradingCalendar | None = None
) -> tuple[datetime, datetime]:
    """The session's open and close on `day`, in UTC (DST-correct, a half-day's early
    close included); on a day without a session, the exchange's usual hours."""
    cal = _calendar(calendar)
    found = cal.hours(day)
    return found.open, found.close


def bar_close(
    frequency: str | Frequency, timestamp: datetime, *, calendar: TradingCalendar | None = None
) -> datetime:
    """The instant a bar stamped `timestamp` (its start, UTC) is complete.

    Intraday bars end `minutes` later, cut at the session's close (13:00 New York on a
    half-day) or at the start of a lunch break; daily bars at their session's close,
    weekly bars at the close of the exchange week's last session. Use it to pick the
    bars known "as of" an instant: a bar may be used once `bar_close(...) <= as_of`.
    """
    freq = frequency if isinstance(frequency, Frequency) else get_frequency(frequency)
    cal = _calendar(calendar)
    stamp = as_utc(timestamp)
    if freq.minutes is not None:
        end = stamp + timedelta(minutes=freq.minutes)
        found = cal.session(cal.local_day(stamp))
        if found is None:
            return end
        for first, last in cal.segments(found):
            if first <= stamp < last:
                return min(end, last)
        return end  # outside the session (pre- or after-market, a lunch break)
    day = stamp.astimezone(UTC).date()
    if freq.days == DAYS_PER_WEEK:
        return cal.week_last_session(day).close
    return session_bounds(day, calendar=cal)[1]


def close_after(
    frequency: str | Frequency,
    timestamp: datetime,
    steps: int,
    *,
    calendar: TradingCalendar | None = None,
) -> datetime:
    """When the bar `steps` bars after the one stamped `timestamp` closes.

    The instant a forecast `steps` bars ahead can be checked, on the exchange's
    calendar: holidays are skipped, each session has its own length (a half-day
    fewer bars, a lunch break none), weekly bars step whole exchange weeks.
    """
    freq = frequency if isinstance(frequency, Frequency) else get_frequency(frequency)
    cal = _calendar(calendar)
    stamp = as_utc(timestamp)
    if freq.minutes is None:
        day = stamp.astimezone(UTC).date()
        if freq.days == DAYS_PER_WEEK:
            return cal.week_last_session(day + timedelta(weeks=steps)).close
        return cal.sessions_after(day, steps * (freq.days or 1)).close
    day = cal.local_day(stamp)
    found = cal.session(day)
    if found is not None and stamp < found.close:
        starts = cal.bar_starts(found, freq.minutes)
        index = bisect.bisect_right(starts, stamp) - 1  # -1 before the open
    else:  # after the close or on a closed day: as the last bar of the last session
        found = cal.session_at_or_before(day)
        starts = cal.bar_starts(found, freq.minutes)
        index = len(starts) - 1
    index += steps
    while index >= len(starts):
        index -= len(starts)
        found = cal.session_at_or_after(found.day + timedelta(days=1))
        starts = cal.bar_starts(found, freq.minutes)
    return bar_close(freq, starts[index], calendar=cal)


def session_grid(
    calendar: TradingCalendar | None, first: date, last: date, minutes: int
) -> pl.DataFrame:
    """Every intraday bar start of the sessions from `first` to `last`, in order:
    `timestamp` (UTC), `session` (the session's ordinal in this grid, from 0) and
    `day` (its date). What validation counts slots and missing bars against."""
    cal = _calendar(calendar)
    step = np.int64(minutes * 60_000_000)
    stamps: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    days: list[date] = []
    for ordinal, found in enumerate(cal.sessions(first, last)):
        days.append(found.day)
        for begin, end in cal.segments(found):
            lo, hi = _micros(begin), _micros(end)
            grid = np.arange(lo, hi, step, dtype=np.int64)
            stamps.append(grid)
            owners.append(np.full(grid.size, ordinal, dtype=np.int64))
    values = np.concatenate(stamps) if stamps else np.zeros(0, dtype=np.int64)
    session = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
    return pl.DataFrame(
        {
            "timestamp": pl.Series(values, dtype=pl.Int64).cast(pl.Datetime("us", "UTC")),
            "session": session,
            "day": pl.Series(np.array(days, dtype="datetime64[D]")[session], dtype=pl.Date),
        }
    )


def _micros(moment: datetime) -> np.int64:
    return np.int64(round(moment.timestamp() * 1_000_000))


def _calendar(calendar: TradingCalendar | None) -> TradingCalendar:
    return calendar if calendar is not None else new_york()


def in_sessions(stamps: pl.Series, calendar: TradingCalendar | None = None) -> pl.Series:
    """Whether each instant (UTC) lies inside one of the calendar's sessions and
    outside its lunch break (a holiday, a weekend, pre- and after-market: False)."""
    cal = _calendar(calendar)
    frame = pl.DataFrame({"t": stamps}).with_row_index("_row")
    present = frame.filter(pl.col("t").is_not_null()).sort("t")
    if present.is_empty():
        return pl.Series(stamps.name, [False] * stamps.len(), dtype=pl.Boolean)
    first, last = present["t"][0], present["t"][-1]
    found = cal.sessions(first.date() - timedelta(days=2), last.date() + timedelta(days=2))
    if not found:
        return pl.Series(stamps.name, [False] * stamps.len(), dtype=pl.Boolean)
    kind = present.schema["t"]
    table = pl.DataFrame(
        {
            "open": [s.open for s in found],
            "close": [s.close for s in found],
            "break_start": [s.break_start for s in found],
            "break_end": [s.break_end for s in found],
        },
        schema={name: kind for name in ("open", "close", "break_start", "break_end")},
    )
    matched = present.join_asof(table, left_on="t", right_on="open", strategy="backward")
    inside = (
        pl.col("open").is_not_null()
        & (pl.col("t") < pl.col("close"))
        & ~(
            pl.col("break_start").is_not_null()
            & (pl.col("t") >= pl.col("break_start"))
            & (pl.col("t") < pl.col("break_end"))
        )
    )
    flags = matched.select("_row", inside.fill_null(False).alias("inside"))
    return (
        frame.join(flags, on="_row", how="left")
        .sort("_row")["inside"]
        .fill_null(False)
        .alias(stamps.name)
    )


def grid_starts(
    stamps: pl.Series, minutes: int, calendar: TradingCalendar | None = None
) -> pl.Series:
    """The start of the intraday grid bar (of `minutes`, from each session's open and
    from the end of a lunch break) holding each in-session instant; stamps must be
    sorted. Instants outside every session map to null."""
    cal = _calendar(calendar)
    present = stamps.drop_nulls()
    if present.is_empty():
        return pl.Series(stamps.name, [None] * stamps.len(), dtype=stamps.dtype)
    first, last = present.min(), present.max()
    assert isinstance(first, datetime) and isinstance(last, datetime)
    grid = session_grid(
        cal, first.date() - timedelta(days=2), last.date() + timedelta(days=2), minutes
    ).select(pl.col("timestamp").cast(stamps.dtype).alias("slot"))
    inside = in_sessions(stamps, cal)
    matched = pl.DataFrame({"t": stamps}).join_asof(
        grid, left_on="t", right_on="slot", strategy="backward"
    )
    return matched.select(pl.when(inside).then(pl.col("slot")))["slot"].alias(stamps.name)
