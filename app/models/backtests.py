"""Backtests: the signal rule replayed over a period after a version's data.

A row is the truth about one backtest job, as a training job row is about a run:
its state, attempts and heartbeat decide whether a lost worker's job is retried
or failed, whatever the queue remembers. The request is stored resolved (every
default filled in), so the result can always be read beside what produced it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from app.models.agents import json_field
from app.models.base import UTCDateTime, created_at_field, uuid_pk


class BacktestStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class Backtest(SQLModel, table=True):
    __tablename__ = "backtests"
    __table_args__ = (
        Index("ix_backtests_agent_id_created_at", "agent_id", "created_at"),
        Index("ix_backtests_state_heartbeat_at", "state", "heartbeat_at"),
    )

    id: uuid.UUID = uuid_pk()
    agent_id: uuid.UUID = Field(foreign_key="agents.id", ondelete="CASCADE")
    version_id: uuid.UUID = Field(foreign_key="agent_versions.id", ondelete="CASCADE")
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    state: str = Field(default=BacktestStatus.QUEUED, max_length=16)
    request: dict[str, Any] = json_field()
    # {"stage": "fetching_data" | "forecasting" | "replaying" | "done", "done": n, "total": n}
    progress: dict[str, Any] = json_field()
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    error: str | None = Field(default=None, max_length=2000)
    attempts: int = 0
    max_attempts: int = 2
    lease_token: str | None = Field(default=None, max_length=64)
    heartbeat_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = created_at_field()
