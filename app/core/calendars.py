"""Exchange sessions: which days trade, when each opens and closes, in UTC.

Every "session" of the platform (the intraday grid, validation's slots and missing
days, exit times, the outcome job, weekly bars) asks one `TradingCalendar`, built
from exchange-calendars, so London's 08:00-16:30, a US half-day's 13:00 close and
Tokyo's lunch break are the exchange's own and a holiday is simply not a session.
Days the library cannot evaluate (before its first date for that exchange, or more
than a year ahead) fall back to weekdays at the exchange's usual hours, so a date
range is never refused for lack of a calendar. FX (`24/5`) trades Monday to Friday
around the clock (UTC days).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any, Final
from zoneinfo import ZoneInfo

from app.core.instruments import UnknownInstrument, resolve

NEW_YORK_CALENDAR: Final = "XNYS"
_EARLIEST: Final = date(1990, 1, 1)
_GRID_CACHE: Final = 4096  # sessions' intraday grids kept (bar_close, close_after)


@dataclass(frozen=True)
class Session:
    """One trading session; instants in UTC. A lunch break (Tokyo, Hong Kong) is
    `break_start`..`break_end`, inside the session but not traded."""

    day: date
    open: datetime
    close: datetime
    break_start: datetime | None = None
    break_end: datetime | None = None

    @property
    def minutes(self) -> int:
        """Traded minutes (a break excluded)."""
        total = self.close - self.open
        if self.break_start is not None and self.break_end is not None:
            total -= self.break_end - self.break_start
        return int(total.total_seconds() // 60)

    def trades_at(self, moment: datetime) -> bool:
        """Whether `moment` (aware) is inside the session and outside its break."""
        if not self.open <= moment < self.close:
            return False
        if self.break_start is not None and self.break_end is not None:
            return not self.break_start <= moment < self.break_end
        return True


class TradingCalendar:
    """The sessions of one exchange (an exchange-calendars name: XNYS, XLON, 24/5)."""

    def __init__(self, name: str) -> None:
        import exchange_calendars as xcals  # pandas-heavy: loaded on first use

        if name not in xcals.get_calendar_names(include_aliases=True):
            raise ValueError(f"unknown exchange calendar {name!r}")
        # Each exchange's history starts somewhere (Tokyo: 1997); start at the later.
        bound = type(xcals.get_calendar(name)).bound_min()
        first = max(_EARLIEST, bound.date()) if bound is not None else _EARLIEST
        calendar = xcals.get_calendar(name, start=first.isoformat())
        self.name = name
        self.zone_name = str(calendar.tz)
        self.zone = ZoneInfo(self.zone_name)
        schedule = calendar.schedule
        sessions: list[Session] = []
        for label, row in zip(schedule.index, schedule.itertuples(index=False), strict=True):
            sessions.append(
                Session(
                    day=label.date(),
                    open=row.open.to_pydatetime().astimezone(UTC),
                    close=row.close.to_pydatetime().astimezone(UTC),
                    break_start=_instant(row.break_start),
                    break_end=_instant(row.break_end),
                )
            )
        self._sessions = sessions
        self._days = [s.day for s in sessions]
        self._by_day = {s.day: s for s in sessions}
        self._grids: dict[tuple[Session, int], tuple[datetime, ...]] = {}
        self.first_day, self.last_day = self._days[0], self._days[-1]
        # The usual hours (the most common local open and close) for days outside the
        # library's range, and the usual traded minutes for bars-per-session arithmetic.
        usual = Counter(
            (s.open.astimezone(self.zone).time(), s.close.astimezone(self.zone).time())
            for s in sessions[-500:]
        ).most_common(1)[0][0]
        self.usual_open, self.usual_close = usual
        self.usual_minutes = Counter(s.minutes for s in sessions[-500:]).most_common(1)[0][0]

    def session(self, day: date) -> Session | None:
        """The session on `day`, or None on a holiday or weekend."""
        if self.first_day <= day <= self.last_day:
            return self._by_day.get(day)
        if day.weekday() >= 5:
            return None
        return self._usual(day)

    def hours(self, day: date) -> Session:
        """The session on `day`, else (a holiday, a weekend) the usual hours."""
        return self.session(day) or self._usual(day)

    def is_session(self, day: date) -> bool:
        return self.session(day) is not None

    def sessions(self, start: date, end: date) -> list[Session]:
        """The sessions from `start` to `end`, both included."""
        out: list[Session] = []
        day = start
        while day < min(end + timedelta(days=1), self.first_day):
            if (found := self.session(day)) is not None:
                out.append(found)
            day += timedelta(days=1)
        lo = bisect.bisect_left(self._days, max(start, self.first_day))
        hi = bisect.bisect_right(self._days, end)
        out.extend(self._sessions[lo:hi])
        day = max(start, self.last_day + timedelta(days=1))
        while day <= end:
            if (found := self.session(day)) is not None:
                out.append(found)
            day += timedelta(days=1)
        return out

    def session_at_or_after(self, day: date) -> Session:
        """The first session on or after `day`."""
        while (found := self.session(day)) is None:
            day += timedelta(days=1)
        return found

    def session_at_or_before(self, day: date) -> Session:
        """The last session on or before `day`."""
        while (found := self.session(day)) is None:
            day -= timedelta(days=1)
        return found

    def sessions_after(self, day: date, count: int) -> Session:
        """The session `count` sessions after the first one on or after `day`."""
        found = self.session_at_or_after(day)
        for _ in range(count):
            found = self.session_at_or_after(found.day + timedelta(days=1))
        return found

    def local_day(self, moment: datetime) -> date:
        """The exchange's date at `moment` (aware)."""
        return moment.astimezone(self.zone).date()

    def session_of(self, moment: datetime) -> Session | None:
        """The session whose open..close holds `moment` (aware), else None."""
        found = self.session(self.local_day(moment))
        if found is not None and found.open <= moment < found.close:
            return found
        return None

    def next_close(self, moment: datetime, *, inclusive: bool) -> datetime:
        """The first session close at (`inclusive`) or after `moment`."""
        found = self.session_at_or_after(self.local_day(moment) - timedelta(days=1))
        while found.close < moment or (found.close == moment and not inclusive):
            found = self.session_at_or_after(found.day + timedelta(days=1))
        return found.close

    def week_last_session(self, day: date) -> Session:
        """The last session of the exchange week (Monday to Sunday) holding `day`: the
        session a weekly bar closes on (the Thursday before Good Friday, say)."""
        sunday = day + timedelta(days=6 - day.weekday())
        found = self.session_at_or_before(sunday)
        if found.day < sunday - timedelta(days=6):  # a week without a session
            return self._usual(sunday - timedelta(days=2))
        return found

    @property
    def weekend(self) -> frozenset[int]:
        """The weekdays (Monday = 0) on which the exchange never trades."""
        return _weekend(self.name)

    def segments(self, found: Session) -> list[tuple[datetime, datetime]]:
        """The traded stretches of a session: one, or two around a lunch break."""
        if found.break_start is None or found.break_end is None:
            return [(found.open, found.close)]
        return [(found.open, found.break_start), (found.break_end, found.close)]

    def bar_starts(self, found: Session, minutes: int) -> Sequence[datetime]:
        """The intraday grid of a session: bars of `minutes` from the open (and again
        from the end of a lunch break), the last of each stretch cut at its end."""
        key = (found, minutes)
        cached = self._grids.get(key)
        if cached is None:
            step = timedelta(minutes=minutes)
            starts: list[datetime] = []
            for first, end in self.segments(found):
                moment = first
                while moment < end:
                    starts.append(moment)
                    moment += step
            if len(self._grids) >= _GRID_CACHE:
                self._grids.clear()
            cached = self._grids[key] = tuple(starts)
        return cached

    @property
    def usual_session(self) -> Session:
        """A recent full-length session: the shape bars-per-session arithmetic uses."""
        return _usual_session(self.name)

    def _usual(self, day: date) -> Session:
        open_ = datetime.combine(day, self.usual_open, self.zone).astimezone(UTC)
        close = datetime.combine(day, self.usual_close, self.zone).astimezone(UTC)
        if close <= open_:  # around the clock (FX): to the next midnight
            close = datetime.combine(
                day + timedelta(days=1), self.usual_close, self.zone
            ).astimezone(UTC)
        return Session(day=day, open=open_, close=close)


def _instant(value: object) -> datetime | None:
    if value is None or str(value) == "NaT":
        return None
    return value.to_pydatetime().astimezone(UTC)  # type: ignore[attr-defined]


@cache
def calendar_for(name: str) -> TradingCalendar:
    """The calendar `name`, built once per process (about 0.1 s each)."""
    return TradingCalendar(name)


@cache
def _weekend(name: str) -> frozenset[int]:
    calendar = calendar_for(name)
    traded = {
        s.day.weekday()
        for s in calendar.sessions(calendar.last_day - timedelta(days=400), calendar.last_day)
    }
    return frozenset(set(range(7)) - traded)


@cache
def _usual_session(name: str) -> Session:
    calendar = calendar_for(name)
    recent = calendar.sessions(calendar.last_day - timedelta(days=400), calendar.last_day)
    return next(s for s in reversed(recent) if s.minutes == calendar.usual_minutes)


def new_york() -> TradingCalendar:
    """US equities' calendar: the default for synthetic and sample data."""
    return calendar_for(NEW_YORK_CALENDAR)


def calendar_of_instrument(instrument: Mapping[str, Any] | None, symbol: str) -> TradingCalendar:
    """The calendar an agent's stored instrument names (its `calendar` key), else the
    one its symbol resolves to."""
    name = (instrument or {}).get("calendar")
    if isinstance(name, str) and name:
        try:
            return calendar_for(name)
        except ValueError:
            pass
    return calendar_of(symbol)


def calendar_of(symbol: str) -> TradingCalendar:
    """The calendar of the instrument `symbol` names (a file name such as `VOD.L`
    included); New York's for anything the resolver does not know."""
    try:
        return calendar_for(resolve(symbol).calendar)
    except UnknownInstrument:
        return new_york()
