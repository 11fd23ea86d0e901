"""When to leave a position: the suggested exit instant and how it is written.

A forecast is only worth its horizon, and a day trader is flat by the exit
window's end, so the exit is whichever comes first, in the window's time zone.
Sessions come from the instrument's exchange calendar (`app.core.calendars`, New
York's by default): without a window the exit is the next session close (13:00 New
York on a US half-day, 16:30 in London), a window's end after the day's close is the
close, and a daily bar's window deadline falls on the next session, never on a
weekend or a holiday. It is an instant (the outcome job scores the call then) and a
short text for people ("HH:MM" on the bar's day, ISO-8601 otherwise). See
docs/SIGNALS.md.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.core.calendars import TradingCalendar, new_york
from app.core.clock import Window, clock_text, hhmm


def suggested_exit(
    *,
    bar_time: datetime,
    horizon: timedelta | None,
    horizon_end: datetime | None,
    exit_window: Window | None,
    intraday: bool,
    zone: ZoneInfo,
    zone_name: str,
    calendar: TradingCalendar | None = None,
) -> tuple[datetime, list[str]]:
    """The suggested exit instant and its warnings.

    `horizon_end` (trading time, from the caller's calendar) wins over `horizon`
    (elapsed time); `zone` is the windows' time zone and `zone_name` its name for
    the warnings; `calendar` is the exchange's sessions (None: New York's).
    """
    calendar = calendar or new_york()
    bar = bar_time
    if horizon_end is None and horizon is not None:
        # Elapsed time: aware + timedelta in the same zone is wall-clock arithmetic.
        horizon_end = bar.astimezone(UTC) + horizon
    window = exit_window
    if window is None:
        return (horizon_end or calendar.next_close(bar, inclusive=intraday)), []

    local_bar = bar.astimezone(zone)
    warnings: list[str] = []
    if intraday:
        deadline = _deadline(local_bar.date(), window.end, zone, calendar)
        exit_at = deadline if horizon_end is None else min(horizon_end, deadline)
        if exit_at < bar:
            local_deadline = deadline.astimezone(zone)
            what = (
                f"Your exit window closed at {hhmm(window.end)} ({zone_name}), before"
                if local_deadline.time() == window.end
                else f"The session closed at {clock_text(local_deadline)} ({zone_name}), "
                f"before your exit window's end at {hhmm(window.end)} and before"
            )
            warnings.append(
                f"{what} this bar at {clock_text(local_bar)}: close any open position now."
            )
            exit_at = bar
    else:
        day = (horizon_end or bar).astimezone(zone).date()
        deadline = _deadline(day, window.end, zone, calendar)
        while deadline <= bar or not calendar.is_session(day):
            day += timedelta(days=1)
            deadline = _deadline(day, window.end, zone, calendar)
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


def _deadline(day: date, clock: time, zone: ZoneInfo, calendar: TradingCalendar) -> datetime:
    """The window's end on `day`, or that day's session close when the exchange closes
    first (a half-day): nothing can be sold on a closed market."""
    end = datetime.combine(day, clock, tzinfo=zone)
    session = calendar.session(day)
    if session is not None and session.open < end and session.close < end:
        return session.close.astimezone(zone)
    return end
