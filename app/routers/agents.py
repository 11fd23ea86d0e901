"""Agents over HTTP (SPEC §5): parse, call one service function, shape the answer."""

from __future__ import annotations

import json
import uuid
import weakref
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from app.config import Settings
from app.deps import (
    ClientDep,
    CurrentUser,
    DefaultRateLimit,
    RuntimeDep,
    SessionDep,
    StreamAuthDep,
    TokenDep,
    rate_limit,
)
from app.errors import RateLimited, error_responses
from app.models import Notification
from app.models.agents import AgentStatus
from app.models.base import NulFreeStr
from app.schemas.agents import AgentAccepted, AgentCreate, AgentPage, AgentPublic
from app.schemas.events import StreamToken
from app.schemas.notifications import MAX_NOTIFICATION_ID
from app.services import agent_views, agents
from app.services.notifications import Progress

router = APIRouter(tags=["agents"])
AgentCreateRateLimit = Depends(rate_limit("agent_create"))
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=255)
]


def _link(request: Request, settings: Settings, name: str, agent_id: uuid.UUID) -> str:
    """A link to one of our routes, from `PUBLIC_BASE_URL` (or a relative path): never
    from the request's Host header, which the client chooses."""
    path = str(request.app.url_path_for(name, agent_id=agent_id))
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/") + path
    return path


def _accepted(
    request: Request, settings: Settings, agent_id: uuid.UUID, status: str
) -> AgentAccepted:
    return AgentAccepted(
        agent_id=agent_id,
        status=AgentStatus(status),
        status_url=_link(request, settings, "get_agent", agent_id),
        events_url=_link(request, settings, "agent_events", agent_id),
    )


async def _create(
    data: AgentCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    client: ClientDep,
    idempotency_key: IdempotencyKey = None,
) -> AgentAccepted:
    created = await agents.create(
        session,
        runtime.settings,
        runtime.queue,
        runtime.notifier,
        user,
        data,
        client,
        idempotency_key,
    )
    agent = created.agent
    accepted = _accepted(request, runtime.settings, agent.id, agent.status)
    response.headers["Location"] = accepted.status_url
    if created.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return accepted


_CREATE: dict[str, Any] = {
    "status_code": status.HTTP_202_ACCEPTED,
    "response_model": AgentAccepted,
    "dependencies": [AgentCreateRateLimit],
    "responses": error_responses(400, 401, 404, 409, 413, 422, 429, 503),
}
router.post("/agents", operation_id="create_agent", summary="Create an agent", **_CREATE)(_create)
router.post(
    "/create-model", operation_id="create_model", summary="Create an agent (seed name)", **_CREATE
)(_create)
router.post(
    "/create-agent",
    operation_id="create_agent_alias",
    summary="Create an agent (seed name)",
    **_CREATE,
)(_create)


@router.get(
    "/agents",
    response_model=AgentPage,
    operation_id="list_agents",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 422, 429, 503),
)
async def list_agents(
    session: SessionDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    symbol: Annotated[NulFreeStr | None, Query(max_length=32)] = None,
    status_: Annotated[AgentStatus | None, Query(alias="status")] = None,
    architecture: Annotated[NulFreeStr | None, Query(max_length=16)] = None,
    data_frequency: Annotated[NulFreeStr | None, Query(max_length=8)] = None,
) -> AgentPage:
    return await agent_views.page(
        session,
        user,
        limit=limit,
        cursor=cursor,
        symbol=symbol,
        status=status_,
        architecture=architecture,
        data_frequency=data_frequency,
    )


@router.get(
    "/agents/{agent_id}",
    response_model=AgentPublic,
    operation_id="get_agent",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 404, 422, 429, 503),
)
async def get_agent(agent_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> AgentPublic:
    return await agent_views.get(session, user, agent_id)


@router.post(
    "/agents/{agent_id}/cancel",
    response_model=AgentPublic,
    operation_id="cancel_agent",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 404, 409, 422, 429, 503),
)
async def cancel_agent(
    agent_id: uuid.UUID,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    client: ClientDep,
) -> AgentPublic:
    return await agent_views.cancel(session, runtime.notifier, user, agent_id, client)


@router.post(
    "/agents/{agent_id}/retrain",
    response_model=AgentAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="retrain_agent",
    dependencies=[AgentCreateRateLimit],
    responses=error_responses(401, 404, 409, 422, 429, 503),
)
async def retrain_agent(
    agent_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    client: ClientDep,
) -> AgentAccepted:
    agent = await agents.retrain(
        session, runtime.queue, runtime.notifier, runtime.settings, user, agent_id, client
    )
    return _accepted(request, runtime.settings, agent.id, agent.status)


@router.delete(
    "/agents/{agent_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="delete_agent",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 404, 422, 429, 503),
)
async def delete_agent(
    agent_id: uuid.UUID,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    client: ClientDep,
) -> Response:
    await agents.remove(session, runtime.settings, user, agent_id, client)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


_SSE_DESCRIPTION = """Server-Sent Events: the agent's state changes (`agent.<state>`,
with `id:`), stored as notifications, and while it trains its epoch progress
(`agent.progress`, no `id:`, at most once a second, not stored); a `retry:` line first.
The stream ends after a final state (READY, FAILED, CANCELLED), on logout or when the
access token expires. A reconnect whose `Last-Event-ID` (or `last_event_id`) is that
final event gets 204, which stops an EventSource. Authenticate with the bearer, or in a
browser with `?token=` from `POST …/events/token`."""


@router.get(
    "/agents/{agent_id}/events",
    operation_id="agent_events",
    response_class=StreamingResponse,
    description=_SSE_DESCRIPTION,
    responses={
        200: {
            "content": {
                "text/event-stream": {
                    "schema": {
                        "type": "string",
                        "description": "`retry:` once, then per event `event:` and `data:` "
                        "(JSON) lines, with `id:` for a state change",
                    }
                }
            },
            "description": "Server-Sent Events",
        },
        204: {"description": "Nothing more will come: the client has the final event"},
        **error_responses(401, 404, 422, 429, 503),
    },
)
async def agent_events(
    agent_id: uuid.UUID,
    session: SessionDep,
    runtime: RuntimeDep,
    auth: StreamAuthDep,
    last_event_id: Annotated[
        int | None, Header(alias="Last-Event-ID", ge=0, le=MAX_NOTIFICATION_ID)
    ] = None,
    last_event_id_query: Annotated[
        int | None,
        Query(
            alias="last_event_id",
            ge=0,
            le=MAX_NOTIFICATION_ID,
            description="For a new EventSource (which sends no `Last-Event-ID`): the id "
            "of the last event received; the header wins when both are sent.",
        ),
    ] = None,
) -> Response:
    """Past and future state changes and training progress; the stream ends after a
    final state, or once the token it was opened with is revoked (logout) or expires."""
    settings = runtime.settings

    async def still_authorised() -> bool:
        if auth.expires_at <= datetime.now(UTC):
            return False
        return not await runtime.revocations.is_revoked(auth.revocation_keys)

    events = await agent_views.events(
        session,
        runtime.sessionmaker,
        auth.user,
        agent_id,
        after_id=last_event_id if last_event_id is not None else (last_event_id_query or 0),
        poll_s=settings.sse_poll_interval_s,
        progress_interval_s=settings.sse_progress_interval_s,
        still_authorised=still_authorised,
    )
    if events is None:  # the client has the final event: 204 makes EventSource stop
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    release = runtime.streams.acquire(auth.user.id)
    if release is None:
        limit = runtime.streams.per_user
        raise RateLimited(
            f"You already have {limit} event streams open; close one first.",
            headers={"Retry-After": str(max(int(settings.sse_poll_interval_s), 1))},
        )
    stream = _sse(events, release, settings.sse_retry_ms)
    # A stream the server never starts (the client left at once) still gives its slot back.
    weakref.finalize(stream, release)
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.post(
    "/agents/{agent_id}/events/token",
    response_model=StreamToken,
    operation_id="create_agent_events_token",
    summary="A stream token for the agent's events (for EventSource)",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 404, 422, 429, 503),
)
async def agent_events_token(
    agent_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    claims: TokenDep,
) -> StreamToken:
    """A single-use token, valid `STREAM_TOKEN_TTL_S` (60 s) and for this agent only, to
    put in `?token=` on its events URL: a browser's EventSource cannot send
    `Authorization`, and an access token never goes in a URL. The stream it opens ends
    on logout or when the access token it came from expires, like a bearer's."""
    token, stream = await agent_views.events_token(
        session, runtime.settings, user, claims, agent_id
    )
    url = _link(request, runtime.settings, "agent_events", agent_id)
    return StreamToken(
        token=token,
        expires_at=stream.expires_at,
        expires_in=max(int((stream.expires_at - datetime.now(UTC)).total_seconds()), 0),
        events_url=f"{url}?{urlencode({'token': token})}",
    )


def _event(name: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def _sse(
    events: AsyncIterator[Notification | Progress | None],
    release: Callable[[], None],
    retry_ms: int,
) -> AsyncIterator[str]:
    try:
        yield f"retry: {retry_ms}\n\n"
        async for item in events:
            if item is None:  # a comment keeps proxies from closing an idle stream
                yield ": keep-alive\n\n"
            elif isinstance(item, Progress):  # no id: a reconnect resumes after the state
                yield _event(item.event, item.payload)
            else:
                yield _event(item.event, item.payload, item.id)
    finally:
        release()
