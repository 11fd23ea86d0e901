"""The trading clock: time-of-day windows, time zones and New York's default hours.

Each instrument's sessions (holidays, half-days, lunch breaks, other exchanges, FX
24/5) come from `app.core.calendars`; the bar calendar built on them lives in
`market_data.frequency`. The constants below are New York's usual session: the
default zone of windows and the hours of US listings' ordinary days, not a rule the
market-data layer applies to every instrument.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE: Final = "America/New_York"
NEW_YORK: Final = ZoneInfo(DEFAULT_TIMEZONE)
SESSION_OPEN: Final = time(9, 30)
SESSION_CLOSE: Final = time(16, 0)
SESSION_MINUTES: Final = 390

_HHMM = re.compile(r"(\d{1,2}):(\d{2})")


def zone_of(name: str) -> ZoneInfo:
    """The IANA zone `name`, or a ValueError (ZoneInfo raises a KeyError subclass)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def parse_hhmm(text: str) -> time:
    """A wall-clock time from "HH:MM" (00:00-23:59; "9:30" is accepted)."""
    match = _HHMM.fullmatch(text.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"expected a time of day as HH:MM, got {text!r}")
    return time(int(match[1]), int(match[2]))


def hhmm(clock: time) -> str:
    return clock.strftime("%H:%M")


def clock_text(moment: datetime) -> str:
    """ "HH:MM", with seconds only when the instant has them."""
    return moment.strftime("%H:%M:%S" if moment.second or moment.microsecond else "%H:%M")


def as_utc(moment: datetime) -> datetime:
    """`moment`, naive read as UTC (what SQLite returns and what the API accepts)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_aware(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.utcoffset() is not None


@dataclass(frozen=True, kw_only=True)
class Window:
    """A time-of-day window in the signal's time zone; both edges are inside.

    A missing `start` means "from midnight" (an exit window is often just an end).
    Windows do not cross midnight: the platform trades the regular US session.
    """

    start: time | None = None
    end: time

    def __post_init__(self) -> None:
        if self.end.tzinfo is not None or (self.start is not None and self.start.tzinfo):
            raise ValueError("window times are wall-clock times; the zone is separate")
        if self.start is not None and self.start >= self.end:
            raise ValueError(
                f"window start {hhmm(self.start)} must be before its end {hhmm(self.end)}"
            )

    @classmethod
    def parse(cls, start: str | None, end: str) -> Window:
        """From the request's "HH:MM" strings."""
        return cls(start=None if start is None else parse_hhmm(start), end=parse_hhmm(end))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Window:
        """From the seed's JSON shape, `{"start": "10:00", "end": "11:30"}`."""
        if "end" not in data or data["end"] is None:
            raise ValueError("a window needs an end")
        start = data.get("start")
        return cls.parse(None if start is None else str(start), str(data["end"]))

    def contains(self, moment: time) -> bool:
        return (self.start or time.min) <= moment <= self.end

    def text(self) -> str:
        if self.start is None:
            return f"until {hhmm(self.end)}"
        return f"{hhmm(self.start)}-{hhmm(self.end)}"
