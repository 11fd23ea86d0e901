"""Notification answers and the mark-read request."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from app.models.agents import AgentStatus
from app.schemas.base import Output, Stored, shape

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


class _NotificationPayload(TypedDict):
    """What a notification (and its webhook delivery) says about the agent."""

    agent_id: str
    agent_name: str
    symbol: str
    status: AgentStatus


@shape
class NotificationPayload(_NotificationPayload, total=False):
    """What a notification (and its webhook delivery) says about the agent."""

    reason: Annotated[str, Field(description="Why it failed or was re-queued.")]
    failure_stage: AgentStatus
    retry: Annotated[bool, Field(description="Re-queued for another attempt.")]
    retry_in_s: Annotated[float, Field(description="Seconds until the retry.")]
    resume_epoch: Annotated[int, Field(description="The epoch a re-queued run resumes from.")]


class NotificationPublic(Output):
    id: int
    agent_id: uuid.UUID | None
    event: NotificationEvent
    payload: Annotated[dict[str, Any], Stored(NotificationPayload)]
    read_at: datetime | None
    created_at: datetime


class NotificationPage(Output):
    items: list[NotificationPublic]
    next_cursor: str | None


class MarkRead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[NotificationId] | None = Field(
        default=None, max_length=500, description="Notifications to mark read; all when omitted."
    )


class MarkedRead(Output):
    marked: int
