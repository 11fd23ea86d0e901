"""Windows and exits on the instrument's exchange: its zone unless the request names
another, its calendar's closes (a US half-day at 13:00, London at 16:30, FX 24/5),
and no exit on a holiday."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from app.config import Settings
from app.core.calendars import calendar_for, calendar_of, new_york
from app.core.clock import Window
from app.models import User
from app.schemas.predictions import PredictRequest, TradeSignalRequest
from app.services.predictions.service import requested_zone
from app.services.signals.exit_time import suggested_exit
from app.services.signals.replay import ReplayBars, ReplayParams, replay
from app.services.signals.rule import decide
from app.services.signals.venue import exchange_zone, instrument_zone, window_zone
from app.services.trade_signal import trade_signal
from tests.services.signals.plans import has_warning, plan

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def london(hour: int, minute: int = 0, day: int = 10, month: int = 6, year: int = 2025) -> datetime:
    """A London wall-clock instant; 2025-06-10 is a Tuesday (BST, UTC+1)."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def new_york_at(hour: int, minute: int = 0, *, day: int, month: int, year: int = 2024) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def vod(**overrides: Any) -> Any:
    """The seed's plan on a London share (prices in pence), windows on London's clock."""
    fields: dict[str, Any] = {
        "symbol": "VOD.L",
        "currency": "GBX",
        "predicted_price": 75.0,
        "entry_price": 72.0,
        "stop_loss": 70.0,
        "bar_time": london(10, 30),
        "entry_window": Window.parse("09:00", "11:00"),
        "exit_window": None,
        "horizon": None,
    }
    return plan(**{**fields, **overrides})


# --- the zone of the windows ---------------------------------------------------------


def test_the_exchange_zone_is_the_instruments() -> None:
    assert exchange_zone("AAPL") == exchange_zone("AAPL US Equity") == "America/New_York"
    assert exchange_zone("VOD.L") == exchange_zone("VOD LN Equity") == "Europe/London"
    assert exchange_zone("EURUSD") == "America/New_York"  # the FX day rolls in New York
    assert exchange_zone("TEST") == "America/New_York"  # unresolvable: as before
    stored = {"timezone": "Asia/Tokyo", "calendar": "XTKS"}
    assert instrument_zone(stored, "AAPL") == "Asia/Tokyo"  # the agent's record wins
    assert instrument_zone({}, "VOD.L") == instrument_zone(None, "VOD.L") == "Europe/London"
    assert window_zone("America/Chicago", stored, "VOD.L") == "America/Chicago"
    assert window_zone(None, None, "VOD.L") == "Europe/London"


def test_a_london_share_reads_its_windows_and_exits_on_londons_clock() -> None:
    signal = decide(vod())
    assert signal.timezone == "Europe/London"
    assert signal.trade_signal == "Enter"  # 10:30 London is inside 09:00-11:00 London
    # no window, no horizon: the session's close, 16:30 London
    assert signal.suggested_exit_time == "16:30"
    assert signal.exit_at == datetime(2025, 6, 10, 15, 30, tzinfo=UTC)
    assert signal.suggested_exit_at == "2025-06-10T16:30:00+01:00"


def test_a_london_exit_window_past_the_close_ends_at_16_30() -> None:
    signal = decide(vod(exit_window=Window.parse(None, "17:00")))
    assert signal.suggested_exit_time == "16:30"
    earlier = decide(vod(exit_window=Window.parse(None, "15:00")))
    assert earlier.suggested_exit_time == "15:00"


def test_a_london_bar_outside_the_london_entry_window_is_held_naming_london() -> None:
    signal = decide(vod(bar_time=london(14)))
    assert signal.trade_signal == "Hold"
    assert has_warning(signal, "outside your entry window 09:00-11:00 (Europe/London)")


def test_a_named_timezone_still_wins() -> None:
    # 10:30 London is 05:30 New York: outside a New York 09:00-11:00 window
    signal = decide(vod(timezone="America/New_York"))
    assert signal.timezone == "America/New_York"
    assert signal.trade_signal == "Hold"
    assert has_warning(signal, "(America/New_York)")
    # the exit is still London's close, written on New York's clock
    assert signal.exit_at == datetime(2025, 6, 10, 15, 30, tzinfo=UTC)
    assert signal.suggested_exit_time == "11:30"


def test_the_seed_plan_answers_as_before() -> None:
    """A US share without a timezone: New York windows, 16:00 close."""
    signal = decide(plan())
    assert signal.timezone == "America/New_York"
    assert signal.suggested_exit_time == "11:30"
    assert decide(plan(exit_window=None, horizon=None)).suggested_exit_time == "16:00"


# --- half-days, holidays, FX ------------------------------------------------------------


def test_a_us_half_day_closes_at_13_00() -> None:
    bar = new_york_at(10, 30, day=29, month=11)  # the day after Thanksgiving
    close = new_york().next_close(bar, inclusive=True)
    assert close == new_york_at(13, 0, day=29, month=11)
    signal = decide(plan(bar_time=bar, horizon=None, exit_window=None, entry_window=None))
    assert signal.suggested_exit_time == "13:00"
    # a 14:00 exit window ends with the session, at 13:00
    windowed = decide(plan(bar_time=bar, horizon=None, entry_window=None))
    assert windowed.suggested_exit_time == "13:00"


def test_after_a_half_days_close_the_window_warns_that_the_session_closed() -> None:
    bar = new_york_at(13, 30, day=29, month=11)
    signal = decide(plan(bar_time=bar, horizon=None, entry_window=None))
    assert signal.exit_at == bar
    assert has_warning(signal, "The session closed at 13:00 (America/New_York)")


def test_a_daily_exit_skips_a_holiday() -> None:
    # a daily bar closing Wednesday 2024-07-03 (a half-day); Thursday is July 4th
    bar = new_york_at(13, 0, day=3, month=7)
    windowed = decide(plan(bar_time=bar, intraday=False, horizon=None, entry_window=None))
    assert windowed.suggested_exit_time == "2024-07-05T14:00:00-04:00"
    closing = decide(
        plan(bar_time=bar, intraday=False, horizon=None, entry_window=None, exit_window=None)
    )
    assert closing.suggested_exit_time == "2024-07-05T16:00:00-04:00"


def test_suggested_exit_defaults_to_new_yorks_calendar() -> None:
    bar = new_york_at(13, 0, day=3, month=7)
    exit_at, _ = suggested_exit(
        bar_time=bar,
        horizon=None,
        horizon_end=None,
        exit_window=None,
        intraday=False,
        zone=NEW_YORK,
        zone_name="America/New_York",
    )
    assert exit_at == new_york_at(16, 0, day=5, month=7)


def test_fx_trades_around_the_clock_monday_to_friday() -> None:
    assert calendar_of("EURUSD") is calendar_for("24/5")
    friday_evening = datetime(2025, 6, 13, 22, tzinfo=UTC)
    signal = decide(
        plan(
            symbol="EURUSD",
            currency="USD",
            predicted_price=1.16,
            entry_price=1.15,
            stop_loss=1.14,
            bar_time=friday_evening,
            horizon=None,
            exit_window=None,
            entry_window=None,
        )
    )
    assert signal.timezone == "America/New_York"
    # the 24/5 session of Friday ends at Saturday 00:00 UTC
    assert signal.exit_at == datetime(2025, 6, 14, tzinfo=UTC)


# --- the request's zone, /trade-signal and the replay --------------------------------------


def _predict_request(**extra: Any) -> PredictRequest:
    return PredictRequest.model_validate(
        {
            "user_segment": "short_term_trader",
            "stocks": ["VOD.L"],
            "data_frequency": "1min",
            "prediction_horizon": "1h",
            **extra,
        }
    )


def test_a_predict_request_names_a_zone_only_when_it_gives_one() -> None:
    assert requested_zone(_predict_request()) is None
    assert requested_zone(_predict_request(timezone="America/New_York")) == "America/New_York"


def _trade_request(**extra: Any) -> TradeSignalRequest:
    return TradeSignalRequest.model_validate(
        {
            "symbol": "VOD.L",
            "predicted_price": 75.0,
            "confidence": 0.85,
            "entry_price": 72.0,
            "stop_loss": 70.0,
            "user_segment": "short_term_trader",
            "entry_window": {"start": "09:00", "end": "11:00"},
            "exit_window": {"end": "17:00"},
            "prediction_horizon": "8h",
            "as_of": "2025-06-10T09:30:00Z",  # 10:30 London
            "account_equity": 10_000,
            **extra,
        }
    )


def test_trade_signal_on_a_london_share_is_on_londons_clock() -> None:
    user = User(email="x@example.com", hashed_password="-", user_segment="short_term_trader")
    settings = cast(Settings, SimpleNamespace(signal_min_edge=0.0005))
    body = trade_signal(_trade_request(), user, settings)
    assert body["trade_signal"] == "Enter"
    assert body["suggested_exit_time"] == "16:30"  # the 17:00 window ends with the session
    assert body["suggested_exit_at"] == "2025-06-10T16:30:00+01:00"
    named = trade_signal(_trade_request(timezone="America/New_York"), user, settings)
    assert named["trade_signal"] == "Hold"  # 05:30 New York is outside 09:00-11:00
    assert named["suggested_exit_at"] == "2025-06-10T11:30:00-04:00"


def test_the_replay_times_exits_on_the_symbols_calendar() -> None:
    closes_at = [london(10, 30) + timedelta(minutes=i) for i in range(3)]
    prices = np.array([72.0, 72.1, 72.2])
    result = replay(
        ReplayBars(
            closes_at=closes_at,
            horizon_end=[london(23)] * 3,  # past the close: the close comes first
            open=prices,
            high=prices + 0.05,
            low=prices - 0.05,
            close=prices,
            atr=np.full(3, 0.5),
            log_return=np.full(3, 0.02),
            confidence=np.full(3, 0.9),
        ),
        ReplayParams(
            symbol="VOD.L",
            user_segment="short_term_trader",
            confidence_level=0.6,
            capital_at_risk=0.02,
            account_equity=10_000.0,
            cost_bp=0.0,
            slippage_bp=0.0,
            min_edge=0.0005,
            bars_per_year=98_280.0,
            intraday=True,
            timezone="Europe/London",
            exit_window=Window.parse(None, "17:00"),
        ),
    )
    [trade] = result.trades
    assert trade["suggested_exit_at"] == "2025-06-10T16:30:00+01:00"  # London's close


@pytest.mark.parametrize("symbol", ["AAPL", "AAPL.O", "AAPL US Equity"])
def test_every_form_of_a_us_share_is_on_new_york(symbol: str) -> None:
    assert decide(plan(symbol=symbol, exit_window=None, horizon=None)).suggested_exit_time == (
        "16:00"
    )
