"""The trading clock: "HH:MM" times, time-of-day windows, zones."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from app.core.clock import NEW_YORK, Window, clock_text, is_aware, parse_hhmm, zone_of


@pytest.mark.parametrize("text", ["24:00", "12:60", "noon", "1230", "12:3", "", "-1:00"])
def test_bad_hhmm_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        parse_hhmm(text)


def test_window_parsing() -> None:
    assert parse_hhmm("9:30") == time(9, 30)
    assert Window.from_mapping({"start": "10:00", "end": "11:30"}) == Window(
        start=time(10), end=time(11, 30)
    )
    assert Window.from_mapping({"end": "14:00"}) == Window(end=time(14))
    with pytest.raises(ValueError, match="before its end"):
        Window.parse("11:30", "10:00")
    with pytest.raises(ValueError, match="before its end"):
        Window.parse("10:00", "10:00")
    with pytest.raises(ValueError, match="needs an end"):
        Window.from_mapping({"start": "10:00"})
    with pytest.raises(ValueError, match="wall-clock"):
        Window(end=time(14, tzinfo=UTC))


def test_both_edges_of_a_window_are_inside() -> None:
    window = Window.parse("10:00", "11:30")
    edges = [time(9, 59, 59), time(10), time(11, 30), time(11, 30, 1)]
    assert [window.contains(moment) for moment in edges] == [False, True, True, False]
    assert Window.parse(None, "11:30").contains(time(0)) is True  # no start: from midnight
    assert (window.text(), Window.parse(None, "16:00").text()) == ("10:00-11:30", "until 16:00")


def test_zones_and_clock_text() -> None:
    assert zone_of("America/New_York") == NEW_YORK
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        zone_of("Mars/Olympus")
    assert clock_text(datetime(2025, 6, 10, 9, 30)) == "09:30"
    assert clock_text(datetime(2025, 6, 10, 9, 30, 5)) == "09:30:05"
    assert is_aware(datetime(2025, 6, 10, tzinfo=UTC)) and not is_aware(datetime(2025, 6, 10))
