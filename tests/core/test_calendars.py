"""Exchange calendars: sessions in UTC, holidays, half-days, breaks, FX 24/5, fallback."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from app.core.calendars import calendar_for, calendar_of, calendar_of_instrument, new_york


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_symbols_resolve_to_their_exchange() -> None:
    assert calendar_of("AAPL").name == "XNYS"
    assert calendar_of("VOD.L").name == "XLON"
    assert calendar_of("VOD LN Equity").name == "XLON"
    assert calendar_of("7203.T").name == "XTKS"
    assert calendar_of("EURUSD").name == "24/5"
    assert calendar_of_instrument({"calendar": "XLON"}, "AAPL").name == "XLON"
    assert calendar_of_instrument(None, "VOD.L").name == "XLON"
    assert calendar_of_instrument({}, "NOT A SYMBOL!").name == "XNYS"


def test_new_york_holiday_and_half_day() -> None:
    ny = new_york()
    assert ny.session(date(2024, 7, 4)) is None
    half = ny.session(date(2024, 11, 29))
    assert half is not None
    assert (half.open, half.close) == (utc(2024, 11, 29, 14, 30), utc(2024, 11, 29, 18))
    assert half.minutes == 210
    assert ny.sessions_after(date(2024, 7, 3), 1).day == date(2024, 7, 5)


def test_london_in_utc_across_gmt_and_bst() -> None:
    london = calendar_of("VOD.L")
    winter, summer = london.session(date(2024, 1, 10)), london.session(date(2024, 7, 10))
    assert winter is not None and summer is not None
    assert (winter.open, winter.close) == (utc(2024, 1, 10, 8), utc(2024, 1, 10, 16, 30))
    assert (summer.open, summer.close) == (utc(2024, 7, 10, 7), utc(2024, 7, 10, 15, 30))
    assert (london.usual_open, london.usual_close) == (time(8), time(16, 30))


def test_tokyo_lunch_break_is_inside_the_session_but_not_traded() -> None:
    tokyo = calendar_of("7203.T")
    found = tokyo.session(date(2024, 12, 2))
    assert found is not None and found.break_start is not None
    assert found.trades_at(utc(2024, 12, 2, 1)) and not found.trades_at(utc(2024, 12, 2, 3))
    assert [s.isoformat() for s in tokyo.bar_starts(found, 60)] == [
        "2024-12-02T00:00:00+00:00",
        "2024-12-02T01:00:00+00:00",
        "2024-12-02T02:00:00+00:00",  # 11:00-11:30 JST, cut at the break
        "2024-12-02T03:30:00+00:00",  # 12:30 JST, the afternoon's grid
        "2024-12-02T04:30:00+00:00",
        "2024-12-02T05:30:00+00:00",
    ]


def test_fx_trades_around_the_clock_monday_to_friday() -> None:
    fx = calendar_for("24/5")
    assert fx.session(date(2024, 11, 30)) is None  # a Saturday
    friday = fx.session(date(2024, 11, 29))
    assert friday is not None and friday.close == utc(2024, 11, 30)
    assert fx.weekend == frozenset({5, 6})


def test_weekly_bars_close_on_the_exchange_weeks_last_session() -> None:
    # Good Friday 2024-03-29: New York's and London's week ends on Thursday.
    assert new_york().week_last_session(date(2024, 3, 25)).day == date(2024, 3, 28)
    assert calendar_of("VOD.L").week_last_session(date(2024, 3, 25)).day == date(2024, 3, 28)
    assert new_york().week_last_session(date(2024, 3, 18)).day == date(2024, 3, 22)


def test_days_outside_the_library_range_fall_back_to_usual_hours() -> None:
    ny, fx = new_york(), calendar_for("24/5")
    far = ny.session(date(2040, 1, 4))  # a Wednesday
    assert far is not None and far.minutes == 390
    assert ny.session(date(2040, 1, 7)) is None  # a Saturday
    fx_far = fx.session(date(2040, 1, 4))
    assert fx_far is not None and fx_far.minutes == 1440  # to the next midnight
