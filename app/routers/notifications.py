"""Notifications over HTTP: the list, and marking them read."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import CurrentUser, DefaultRateLimit, SessionDep
from app.errors import Unprocessable, error_responses
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


def _before(cursor: str | None) -> int | None:
    """The notification id a `next_cursor` names; anything else is the 422 every list
    answers for a cursor it did not issue (never a database error)."""
    if cursor is None:
        return None
    if cursor.isascii() and cursor.isdigit() and 1 <= int(cursor) <= MAX_NOTIFICATION_ID:
        return int(cursor)
    raise Unprocessable.field(["query", "cursor"], "not a cursor this API returned")


@router.get(
    "",
    response_model=NotificationPage,
    operation_id="list_notifications",
    summary="List your notifications",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 422, 429, 503),
)
async def list_notifications(
    session: SessionDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[
        str | None,
        Query(max_length=200, description="`next_cursor` of the previous page; opaque."),
    ] = None,
    unread: bool = False,
    agent_id: uuid.UUID | None = None,
    event: Annotated[
        NotificationEvent | None,
        Query(description="Only this event type, e.g. `agent.ready`."),
    ] = None,
) -> NotificationPage:
    """Your agents' state changes (`agent.queued` … `agent.ready`, `agent.failed`,
    `agent.cancelled`), newest first, a page at a time: pass `next_cursor` as `cursor`
    for the next (null on the last). Filter by unread, agent or event type.

    Errors: 422 for a `limit` outside 1-100, an unknown `event` or a `cursor` this API
    did not issue."""
    rows, next_cursor = await notifications.page(
        session,
        user,
        limit=limit,
        before=_before(cursor),
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
    summary="Mark notifications read",
    dependencies=[DefaultRateLimit],
    responses=error_responses(400, 401, 413, 422, 429, 503),
)
async def mark_read(body: MarkRead, session: SessionDep, user: CurrentUser) -> MarkedRead:
    """Mark the notifications in `ids` read, or all of yours when `ids` is left out;
    answers how many changed (ids that are not yours, or already read, count 0).

    Errors: 422 for an id that is not a positive 32-bit integer."""
    return MarkedRead(marked=await notifications.mark_read(session, user, body.ids))
