"""`POST /trade-signal`: the signal engine alone, for a forecast the caller brings.

No agent, model or bars: the caller's own forecast goes through the same rule
/predict uses, so the two never disagree about what a forecast means. The symbol
names the exchange: its windows are read on that exchange's clock unless the
request names a `timezone`, and the exit is timed on its calendar.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.config import Settings
from app.core.calendars import calendar_for
from app.core.clock import as_utc, zone_of
from app.core.field_errors import FieldErrors
from app.core.instruments import resolve
from app.errors import Unprocessable
from app.models import User
from app.schemas.predictions import TradeSignalRequest
from app.services.market_data.frequency import close_after, parse_horizon
from app.services.signals.rule import SignalInput, decide


def trade_signal(req: TradeSignalRequest, user: User, settings: Settings) -> dict[str, Any]:
    """The signal engine alone (`POST /trade-signal`), for a forecast the caller brings."""
    errors = FieldErrors()
    as_of = as_utc(req.as_of or datetime.now(UTC))
    horizon: timedelta | None = timedelta(hours=1)
    horizon_end: datetime | None = None
    instrument = resolve(req.symbol)  # the schema resolved it already
    calendar = calendar_for(instrument.calendar)
    if req.prediction_horizon is not None:
        try:
            hz = parse_horizon(req.prediction_horizon, ["prediction_horizon"])
            if hz.trading_minutes is not None:
                horizon = timedelta(minutes=hz.trading_minutes)
            else:  # whole sessions: the close of the session that many days on
                horizon = None
                day = datetime.combine(as_of.date(), datetime.min.time(), UTC)
                horizon_end = close_after("1d", day, hz.sessions or 1, calendar=calendar)
        except Unprocessable as exc:
            errors.absorb(exc, ["prediction_horizon"])
    try:
        zone_of(req.timezone)
    except ValueError as exc:
        errors.add(["timezone"], str(exc))
    errors.raise_if_any()
    currency = instrument.currency
    # The windows' zone: the one the request names, else the exchange's.
    zone_name = req.timezone if "timezone" in req.model_fields_set else instrument.timezone
    signal = decide(
        SignalInput(
            symbol=req.symbol,
            predicted_price=req.predicted_price,
            confidence=req.confidence,
            entry_price=req.entry_price,
            stop_loss=req.stop_loss,
            capital_at_risk=req.capital_at_risk,
            confidence_level=req.confidence_level,
            user_segment=req.user_segment,
            account_equity=req.account_equity or user.account_equity,
            bar_time=as_of,
            horizon=horizon,
            horizon_end=horizon_end,
            entry_window=req.entry_window.window() if req.entry_window else None,
            exit_window=req.exit_window.window() if req.exit_window else None,
            timezone=zone_name,
            calendar=calendar,
            min_edge=settings.signal_min_edge,
            currency=currency,
        )
    )
    return {
        **signal.to_dict(),
        "currency": currency,
        "max_loss_amount": float(signal.max_loss_amount),
        "suggested_exit_at": signal.suggested_exit_at,
        "symbol": req.symbol,
        "warnings": signal.warnings,
    }
