"""/predict's request rules that need more than one field, checked before any I/O.

Every field at fault is named in one 422, and what the rules work out (horizon in
bars, features, windows, equity) travels on as a `Plan` so nothing is parsed twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.core.clock import Window, as_utc, zone_of
from app.core.field_errors import FieldErrors
from app.errors import Unprocessable
from app.models import User
from app.schemas.predictions import PredictRequest
from app.services.features import DEFAULT_FEATURES, normalize_features
from app.services.market_data.frequency import get_frequency, horizon_bars


@dataclass(frozen=True)
class Plan:
    """A validated request: what the rule needs beyond the request itself."""

    steps: int
    features: list[str]
    entry_window: Window | None
    exit_window: Window | None
    as_of: datetime | None
    equity: float


def validate(req: PredictRequest, user: User) -> Plan:
    """The rules that need more than one field: 422 naming every field at fault."""
    errors = FieldErrors()

    steps = 0
    try:
        get_frequency(req.data_frequency, ["data_frequency"])
        steps = horizon_bars(req.data_frequency, req.prediction_horizon, ["prediction_horizon"])
    except Unprocessable as exc:
        errors.absorb(exc, ["prediction_horizon"])
    features = list(DEFAULT_FEATURES)
    if req.features is not None:
        try:
            features = normalize_features(req.features)
        except Unprocessable as exc:
            errors.absorb(exc, ["features"])
    try:
        zone_of(req.timezone)
    except ValueError as exc:
        errors.add(["timezone"], str(exc))
    as_of = None
    if req.as_of is not None:
        as_of = as_utc(req.as_of)
        if as_of > datetime.now(UTC) + timedelta(seconds=5):
            errors.add(["as_of"], "as_of is in the future; leave it out to predict from now")
    if req.agent_ids:
        for symbol in req.agent_ids:
            if symbol not in req.stocks:
                errors.add(["agent_ids", symbol], f"{symbol} is not in stocks")
    if (
        req.entry_price is not None
        and req.stop_loss is not None
        and req.entry_price == req.stop_loss
    ):
        errors.add(
            ["stop_loss"],
            "stop_loss equals entry_price: the trade would have no risk "
            "limit (and position size would be infinite)",
        )
    errors.raise_if_any()
    return Plan(
        steps=steps,
        features=features,
        entry_window=req.entry_window.window() if req.entry_window else None,
        exit_window=req.exit_window.window() if req.exit_window else None,
        as_of=as_of,
        equity=req.account_equity or user.account_equity,
    )
