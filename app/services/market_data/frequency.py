"""Bar frequencies, prediction horizons and how many bars a horizon spans.

Pure functions shared by agent creation, `/predict` validation, the providers and the
training pipeline, so that "1h ahead on 1-minute bars" means the same thing everywhere:
minute and hour horizons count trading time, day and week horizons whole sessions, and
a bar is stamped with its start (`bar_close` gives the instant its values are final).
The conventions in full: docs/MARKET_DATA.md.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app.core.clock import NEW_YORK, SESSION_CLOSE, SESSION_MINUTES, SESSION_OPEN, as_utc
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
        """Bars in one regular session (a fraction for weekly bars)."""
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
    frequency: str | Frequency, horizon: str | Horizon, loc: list[str | int] | None = None
) -> int:
    """How many bars ahead `horizon` is on `frequency` bars (see the module conventions).

    Raises a 422 when the horizon is not a whole, positive number of bars.
    """
    freq = frequency if isinstance(frequency, Frequency) else get_frequency(frequency)
    hz = horizon if isinstance(horizon, Horizon) else parse_horizon(horizon, loc)
    where = loc or ["prediction_horizon"]
    if freq.minutes is not None:
        return _intraday_bars(freq, hz, where)
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


def _intraday_bars(freq: Frequency, hz: Horizon, where: list[str | int]) -> int:
    bar = freq.minutes or 1
    if hz.sessions is not None:
        return hz.sessions * int(freq.bars_per_session)
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


def trading_days_for_bars(frequency: str | Frequency, bars: int) -> int:
    """Trading sessions that hold `bars` bars of this frequency (rounded up)."""
    freq = frequency if isinstance(frequency, Frequency) else get_frequency(frequency)
    if freq.minutes is not None:
        return math.ceil(bars / freq.bars_per_session)
    return bars * (freq.days or 1)


def calendar_span(frequency: str | Frequency, bars: int) -> timedelta:
    """A calendar period that surely contains `bars` bars: fetch `end - span .. end`.

    Business days are 5 of 7 calendar days; 10 % and one week of slack cover
    exchange holidays (at most ~10 a year) and a fetch that ends mid-week.
    """
    days = trading_days_for_bars(frequency, bars)
    return timedelta(days=math.ceil(days * 7 / 5 * 1.1) + 7)


def session_bounds(day: date) -> tuple[datetime, datetime]:
    """The regular session's open and close on `day`, in UTC (DST-correct)."""
    open_ = datetime.combine(day, SESSION_OPEN, NEW_YORK).astimezone(UTC)
    close = datetime.combine(day, SESSION_CLOSE, NEW_YORK).astimezone(UTC)
    return open_, close


def bar_close(frequency: str | Frequency, timestamp: datetime) -> datetime:
    """The instant a bar stamped `timestamp` (its start, UTC) is complete.

    Use it to pick the bars known "as of" an instant: a bar may be used once
    `bar_close(...) <= as_of`.
    """
    freq = frequency if isinstance(frequency, Frequency) else get_frequency(frequency)
    stamp = as_utc(timestamp)
    if freq.minutes is not None:
        end = stamp + timedelta(minutes=freq.minutes)
        _, close = session_bounds(stamp.astimezone(NEW_YORK).date())
        return min(end, close)
    day = stamp.astimezone(UTC).date()
    if freq.days == DAYS_PER_WEEK:
        day = day + timedelta(days=4 - day.weekday())
    return session_bounds(day)[1]


def close_after(frequency: str | Frequency, timestamp: datetime, steps: int) -> datetime:
    """When the bar `steps` bars after the one stamped `timestamp` closes.

    The instant a forecast `steps` bars ahead can be checked, on the module's
    calendar (business days, the regular session; exchange holidays are not
    modelled, as the synthetic source does not model them).
    """
    freq = frequency if isinstance(frequency, Frequency) else get_frequency(frequency)
    stamp = as_utc(timestamp)
    if freq.minutes is None:
        day = stamp.astimezone(UTC).date()
        sessions = steps * (freq.days or 1)
        if freq.days == DAYS_PER_WEEK:
            day = day + timedelta(days=4 - day.weekday())  # the week's last session
        return session_bounds(_business_days_after(day, sessions))[1]
    day = stamp.astimezone(NEW_YORK).date()
    open_, _ = session_bounds(day)
    per_session = int(freq.bars_per_session)
    index = int((stamp - open_).total_seconds() // 60) // freq.minutes + steps
    day = _business_days_after(day, index // per_session)
    start = session_bounds(day)[0] + timedelta(minutes=freq.minutes * (index % per_session))
    return bar_close(freq, start)


def _business_days_after(day: date, days: int) -> date:
    while day.weekday() >= DAYS_PER_WEEK:  # a stamp on a weekend rolls forward first
        day += timedelta(days=1)
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < DAYS_PER_WEEK:
            days -= 1
    return day
