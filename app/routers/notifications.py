"""Notifications over HTTP: the list, and marking them read."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import CurrentUser, DefaultRateLimit, SessionDep
from app.errors import error_responses
from app.schemas.notifications import (
    MAX_NOTIFICATION_ID,
    MarkedRead,
    MarkRead,
    NotificationEvent,
    NotificationPage,
    NotificationPublic,
)
from app.services import notifications

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get(
    "",
    response_model=NotificationPage,
    operation_id="list_notifications",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 422, 429, 503),
)
async def list_notifications(
    session: SessionDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[int | None, Query(ge=1, le=MAX_NOTIFICATION_ID)] = None,
    unread: bool = False,
    agent_id: uuid.UUID | None = None,
    event: Annotated[
        NotificationEvent | None,
        Query(description="Only this event type, e.g. `agent.ready`."),
    ] = None,
) -> NotificationPage:
    rows, next_cursor = await notifications.page(
        session,
        user,
        limit=limit,
        before=cursor,
        unread_only=unread,
        agent_id=agent_id,
        event=event.value if event else None,
    )
    return NotificationPage(
        items=[NotificationPublic.model_validate(n, from_attributes=True) for n in rows],
        next_cursor=next_cursor,
    )


@router.post(
    "/read",
    response_model=MarkedRead,
    operation_id="mark_notifications_read",
    dependencies=[DefaultRateLimit],
    responses=error_responses(400, 401, 413, 422, 429, 503),
)
async def mark_read(body: MarkRead, session: SessionDep, user: CurrentUser) -> MarkedRead:
    return MarkedRead(marked=await notifications.mark_read(session, user, body.ids))
