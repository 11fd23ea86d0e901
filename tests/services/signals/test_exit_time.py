"""The suggested exit: the horizon's end or the exit window's end, in the window's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.core.clock import Window
from app.services.signals.rule import decide
from tests.services.signals.plans import has_warning, ny, plan

INTRADAY = [
    pytest.param({}, "11:30", id="10:30+1h-before-the-14:00-window-end"),
    pytest.param({"horizon": timedelta(hours=5)}, "14:00", id="the-windows-end-comes-first"),
    pytest.param({"bar_time": ny(11), "horizon": timedelta(hours=3)}, "14:00", id="a-tie"),
    pytest.param({"exit_window": None, "horizon": timedelta(hours=5)}, "15:30", id="no-window-5h"),
    pytest.param(
        {"exit_window": None, "horizon": timedelta(hours=1, minutes=7)}, "11:37", id="no-window-67m"
    ),
    pytest.param(
        {"exit_window": None, "horizon": timedelta(days=1)},
        "2025-06-11T10:30:00-04:00",
        id="no-window-1d-is-iso",
    ),
    pytest.param({"exit_window": None, "horizon": None}, "16:00", id="the-session-close"),
    pytest.param(
        {"exit_window": None, "horizon": None, "bar_time": ny(16)},
        "16:00",
        id="the-close-itself-counts-intraday",
    ),
    pytest.param(
        {"exit_window": None, "horizon": None, "bar_time": ny(16, 1)},
        "2025-06-11T16:00:00-04:00",
        id="after-the-close-the-next-one",
    ),
    pytest.param(
        {"exit_window": None, "horizon": None, "bar_time": ny(16, 1, day=13)},
        "2025-06-16T16:00:00-04:00",
        id="friday-after-the-close-is-monday",
    ),
    pytest.param({"horizon": None}, "14:00", id="the-window-alone"),
    pytest.param(
        {"horizon": None, "horizon_end": ny(10, 0, day=11)}, "14:00", id="horizon-end-after-window"
    ),
    pytest.param(
        {"horizon": None, "horizon_end": ny(10, 0, day=11), "exit_window": None},
        "2025-06-11T10:00:00-04:00",
        id="trading-time-1h-from-15:30-is-the-next-morning",
    ),
    # a Hold and an Exit are timed too
    pytest.param({"confidence": 0.1}, "11:30", id="hold"),
    pytest.param({"user_segment": "manager", "predicted_price": 180.0}, "11:30", id="exit"),
    # an exit window that closed before the bar: exit now
    pytest.param({"bar_time": ny(15), "entry_window": None}, "15:00", id="window-closed-exit-now"),
    # an exit before the exit window opens is still the horizon's end
    pytest.param(
        {"exit_window": Window.parse("13:00", "14:00")}, "11:30", id="before-the-window-opens"
    ),
    pytest.param(
        {"exit_window": Window.parse("11:00", "14:00")}, "11:30", id="inside-the-exit-window"
    ),
    # 10:30 New York = 15:30 London; a London exit deadline of 16:00 is 11:00 New York
    pytest.param(
        {
            "timezone": "Europe/London",
            "entry_window": None,
            "exit_window": Window.parse(None, "16:00"),
        },
        "16:00",
        id="london-window-on-londons-trading-day",
    ),
    # 2025-03-20 14:30 UTC + 1h on the London clock
    pytest.param(
        {
            "bar_time": datetime(2025, 3, 20, 14, 30, tzinfo=UTC),
            "timezone": "Europe/London",
            "entry_window": Window.parse("14:00", "15:00"),
            "exit_window": Window.parse(None, "16:00"),
        },
        "15:30",
        id="london-clock",
    ),
    # Saturday 2025-11-01 20:00 EDT + 24h of elapsed time = Sunday 19:00 EST
    pytest.param(
        {
            "bar_time": ny(20, day=1, month=11),
            "horizon": timedelta(hours=24),
            "entry_window": None,
            "exit_window": None,
        },
        "2025-11-02T19:00:00-05:00",
        id="elapsed-time-across-a-dst-change",
    ),
    # the window's end is local time on a DST day and in winter alike
    pytest.param(
        {"bar_time": ny(10, 30, day=10, month=3), "horizon": timedelta(hours=5)},
        "14:00",
        id="window-end-monday-after-dst",
    ),
    pytest.param(
        {"bar_time": ny(10, 30, day=13, month=1), "horizon": timedelta(hours=5)},
        "14:00",
        id="window-end-in-january",
    ),
    # ISO-8601 carries the window's offset
    pytest.param(
        {
            "timezone": "Europe/London",
            "entry_window": None,
            "exit_window": None,
            "horizon": timedelta(days=2),
        },
        "2025-06-12T15:30:00+01:00",
        id="iso-in-london",
    ),
    pytest.param(
        {
            "bar_time": ny(10, 30, day=14, month=1),
            "entry_window": None,
            "exit_window": None,
            "horizon": timedelta(days=1),
        },
        "2025-01-15T10:30:00-05:00",
        id="iso-in-new-york-winter",
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), INTRADAY)
def test_suggested_exit_time_intraday(overrides: dict[str, Any], expected: str) -> None:
    signal = decide(plan(**overrides))
    assert signal.suggested_exit_time == expected
    assert signal.exit_at >= overrides.get("bar_time", ny(10, 30))


@pytest.mark.parametrize(
    ("overrides", "instant"),
    [
        pytest.param({"bar_time": ny(15), "entry_window": None}, ny(15), id="window-closed-at-bar"),
        pytest.param(
            {
                "timezone": "Europe/London",
                "entry_window": None,
                "exit_window": Window.parse(None, "16:00"),
            },
            ny(11),
            id="16:00-london-is-11:00-new-york",
        ),
        # Monday after the spring change: 14:00 EDT is 18:00 UTC (19:00 UTC in January)
        pytest.param(
            {"bar_time": ny(10, 30, day=10, month=3), "horizon": timedelta(hours=5)},
            datetime(2025, 3, 10, 18, tzinfo=UTC),
            id="14:00-edt-is-18:00-utc",
        ),
        pytest.param(
            {"bar_time": ny(10, 30, day=13, month=1), "horizon": timedelta(hours=5)},
            datetime(2025, 1, 13, 19, tzinfo=UTC),
            id="14:00-est-is-19:00-utc",
        ),
    ],
)
def test_exit_instant(overrides: dict[str, Any], instant: datetime) -> None:
    assert decide(plan(**overrides)).exit_at == instant


def test_exit_window_already_closed_warns_to_close_now() -> None:
    signal = decide(plan(bar_time=ny(15), entry_window=None))
    assert (
        "Your exit window closed at 14:00 (America/New_York), before this bar at 15:00: "
        "close any open position now."
    ) in signal.warnings


@pytest.mark.parametrize(
    ("exit_window", "fragment", "warned"),
    [
        pytest.param(
            Window.parse("13:00", "14:00"),
            "before your exit window opens at 13:00",
            True,
            id="opens-at-13:00-after-the-exit",
        ),
        pytest.param(
            Window.parse("11:00", "14:00"),
            "exit window opens",
            False,
            id="opens-at-11:00-before-the-exit",
        ),
    ],
)
def test_exit_before_the_exit_windows_start_warns(
    exit_window: Window, fragment: str, warned: bool
) -> None:
    assert has_warning(decide(plan(exit_window=exit_window)), fragment) is warned


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # a daily bar closing Tuesday 16:00, 1 day ahead: Wednesday's 14:00 comes first
        ({"horizon": timedelta(days=1)}, "2025-06-11T14:00:00-04:00"),
        # a caller-computed horizon end (5 trading days) on Tuesday the 17th
        ({"horizon": None, "horizon_end": ny(16, day=17)}, "2025-06-17T14:00:00-04:00"),
        # no horizon: the window's end on the bar's day has passed → the next weekday
        ({"horizon": None}, "2025-06-11T14:00:00-04:00"),
        ({"horizon": None, "bar_time": ny(16, day=13)}, "2025-06-16T14:00:00-04:00"),
        # a daily bar stamped 00:00 UTC Monday (Sunday 20:00 New York)
        (
            {"horizon": None, "bar_time": datetime(2025, 6, 9, tzinfo=UTC)},
            "2025-06-09T14:00:00-04:00",
        ),
        # no window, no horizon: the next session close after the bar
        ({"horizon": None, "exit_window": None}, "2025-06-11T16:00:00-04:00"),
        ({"horizon": timedelta(hours=2)}, "18:00"),  # a horizon ending before the window's day
    ],
)
def test_suggested_exit_time_daily_bars(overrides: dict[str, Any], expected: str) -> None:
    signal = decide(plan(**{"intraday": False, "bar_time": ny(16), **overrides}))
    assert signal.suggested_exit_time == expected
    assert not has_warning(signal, "exit window closed")
