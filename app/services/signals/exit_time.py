"""When to leave a position: the suggested exit instant and how it is written.

A forecast is only worth its horizon, and a day trader is flat by the exit
window's end, so the exit is whichever comes first, in the window's time zone.
It is an instant (the outcome job scores the call then) and a short text for
people ("HH:MM" on the bar's day, ISO-8601 otherwise). See docs/SIGNALS.md.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.core.clock import NEW_YORK, SESSION_CLOSE, Window, clock_text, hhmm


def suggested_exit(
    *,
    bar_time: datetime,
    horizon: timedelta | None,
    horizon_end: datetime | None,
    exit_window: Window | None,
    intraday: bool,
    zone: ZoneInfo,
    zone_name: str,
) -> tuple[datetime, list[str]]:
    """The suggested exit instant and its warnings.

    `horizon_end` (trading time, from the caller's calendar) wins over `horizon`
    (elapsed time); `zone` is the windows' time zone and `zone_name` its name for
    the warnings.
    """
    bar = bar_time
    if horizon_end is None and horizon is not None:
        # Elapsed time: aware + timedelta in the same zone is wall-clock arithmetic.
        horizon_end = bar.astimezone(UTC) + horizon
    window = exit_window
    if window is None:
        return (horizon_end or _next_session_close(bar, inclusive=intraday)), []

    local_bar = bar.astimezone(zone)
    warnings: list[str] = []
    if intraday:
        deadline = _at(local_bar.date(), window.end, zone)
        exit_at = deadline if horizon_end is None else min(horizon_end, deadline)
        if exit_at < bar:
            warnings.append(
                f"Your exit window closed at {hhmm(window.end)} ({zone_name}), before "
                f"this bar at {clock_text(local_bar)}: close any open position now."
            )
            exit_at = bar
    else:
        day = (horizon_end or bar).astimezone(zone).date()
        deadline = _at(day, window.end, zone)
        while deadline <= bar or deadline.weekday() >= 5:
            day += timedelta(days=1)
            deadline = _at(day, window.end, zone)
        exit_at = deadline if horizon_end is None else min(horizon_end, deadline)

    local_exit = exit_at.astimezone(zone)
    if window.start is not None and local_exit.time() < window.start:
        warnings.append(
            f"The suggested exit at {clock_text(local_exit)} comes before your exit window opens "
            f"at {hhmm(window.start)} ({zone_name}): the forecast's horizon ends first."
        )
    return exit_at, warnings


def format_exit(exit_at: datetime, bar_time: datetime, zone: ZoneInfo) -> str:
    """The exit as "HH:MM" on the bar's local date, else ISO-8601 with the zone's offset."""
    local = exit_at.astimezone(zone)
    if local.date() == bar_time.astimezone(zone).date():
        return local.strftime("%H:%M")
    return local.isoformat(timespec="seconds")


def _next_session_close(moment: datetime, *, inclusive: bool) -> datetime:
    """The first weekday 16:00 New York at (inclusive) or after `moment`."""
    day = moment.astimezone(NEW_YORK).date()
    while True:
        close = _at(day, SESSION_CLOSE, NEW_YORK)
        if day.weekday() < 5 and (close > moment or (inclusive and close == moment)):
            return close
        day += timedelta(days=1)


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)
