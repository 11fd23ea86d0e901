"""Predictions: every answer of /predict, with what it was asked and how it turned out.

`realised_price` / `correct` are filled by the outcome job once the horizon has
passed (`target_time`), which gives every agent a live track record. `correct` is
judged from `reference_price`, the close the forecast was made from (rows from
before it was stored fall back to `entry_price`). A cached answer is stored too
(it is what the user was told) with `cached` set; track records count each (agent
version, symbol, as_of) call once, and never an `in_sample` one (its `as_of` lies
inside the data the serving version was trained and evaluated on).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, false
from sqlmodel import Field, SQLModel

from app.models.agents import json_field
from app.models.base import UTCDateTime, created_at_field, uuid_pk


class Prediction(SQLModel, table=True):
    __tablename__ = "predictions"
    __table_args__ = (
        Index("ix_predictions_user_id_created_at_id", "user_id", "created_at", "id"),
        Index("ix_predictions_pending_outcome", "realised_at", "target_time"),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    agent_id: uuid.UUID | None = Field(
        default=None, foreign_key="agents.id", index=True, ondelete="SET NULL"
    )
    agent_version_id: uuid.UUID | None = Field(default=None)
    user_segment: str = Field(max_length=32)
    symbol: str = Field(max_length=32, index=True)
    data_source: str = Field(max_length=16)
    data_frequency: str = Field(max_length=8)
    prediction_horizon: str = Field(max_length=8)
    trade_signal: str = Field(max_length=8)
    direction: str = Field(max_length=8)
    entry_price: float
    stop_loss: float
    position_size: int = Field(sa_type=BigInteger)  # up to ⌊1e12 equity ÷ $0.0001⌋ shares
    max_loss: float  # dollars at the stop, for portfolio totals
    predicted_price: float
    confidence: float
    reference_price: float | None = None  # the last close the forecast was made from
    in_sample: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    as_of: datetime = Field(sa_type=UTCDateTime)
    target_time: datetime = Field(sa_type=UTCDateTime)
    request: dict[str, Any] = json_field()
    response: dict[str, Any] = json_field()
    latency_ms: float
    cached: bool = False
    realised_price: float | None = None
    correct: bool | None = None
    realised_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = created_at_field()
