"""Stored predictions (outcome, history and dashboard tests) and /predict's answer fields.

Rows are written straight to the test's database: these tests are about what is
built from stored history, not about /predict (tests/api/test_predict.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from app.config import Settings
from app.models import Prediction
from tests.utils.db import database

# The seed's eight answer fields, in the seed's order.
EIGHT = [
    "predicted_price",
    "confidence",
    "trade_signal",
    "direction",
    "suggested_exit_time",
    "position_size",
    "suggestion_text",
    "risk_metrics",
]


def prediction_row(user_id: uuid.UUID | str, **overrides: Any) -> Prediction:
    """A stored call: by default a pending 10-minute Long on CSV bars of AAPL."""
    as_of = overrides.pop("as_of", datetime.fromisoformat("2003-01-02T14:41:00+00:00"))
    values: dict[str, Any] = {
        "user_id": uuid.UUID(str(user_id)),
        "agent_id": None,
        "agent_version_id": None,
        "user_segment": "short_term_trader",
        "symbol": "AAPL",
        "data_source": "csv",
        "data_frequency": "1min",
        "prediction_horizon": "10min",
        "trade_signal": "Enter",
        "direction": "Long",
        "entry_price": 100.0,
        "stop_loss": 99.0,
        "position_size": 10,
        "max_loss": 10.0,
        "predicted_price": 101.0,
        "confidence": 0.8,
        "as_of": as_of,
        "target_time": as_of + timedelta(minutes=10),
        "request": {},
        "response": {},
        "latency_ms": 1.0,
    }
    values.update(overrides)
    return Prediction(**values)


async def stored(settings: Settings, *ids: uuid.UUID) -> dict[uuid.UUID, Prediction]:
    """The predictions with these ids as the database has them now."""
    async with database(settings) as sessionmaker, sessionmaker() as session:
        rows = await session.scalars(select(Prediction).where(col(Prediction.id).in_(ids)))
        return {row.id: row for row in rows.all()}
