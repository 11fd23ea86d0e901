"""Notification answers and the mark-read request."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

# Notification ids are a 32-bit INTEGER column: a larger number in a filter would
# reach the driver and fail there (a 500) instead of matching nothing.
MAX_NOTIFICATION_ID = 2**31 - 1
NotificationId = Annotated[int, Field(ge=1, le=MAX_NOTIFICATION_ID)]


class NotificationEvent(StrEnum):
    """The events a notification row can carry: `agent.<status>` for each agent
    state (`agent.progress` is streamed, never stored)."""

    QUEUED = "agent.queued"
    FETCHING_DATA = "agent.fetching_data"
    VALIDATING = "agent.validating"
    TRAINING = "agent.training"
    EVALUATING = "agent.evaluating"
    READY = "agent.ready"
    FAILED = "agent.failed"
    CANCELLED = "agent.cancelled"


class NotificationPublic(BaseModel):
    id: int
    agent_id: uuid.UUID | None
    event: str
    payload: dict[str, Any]
    read_at: datetime | None
    created_at: datetime


class NotificationPage(BaseModel):
    items: list[NotificationPublic]
    next_cursor: str | None


class MarkRead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[NotificationId] | None = Field(
        default=None, max_length=500, description="Notifications to mark read; all when omitted."
    )


class MarkedRead(BaseModel):
    marked: int
