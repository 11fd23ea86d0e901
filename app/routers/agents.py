"""Agents over HTTP (SPEC §5): parse, call one service function, shape the answer."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from app.deps import ClientDep, CurrentUser, DefaultRateLimit, RuntimeDep, SessionDep, rate_limit
from app.errors import error_responses
from app.models import Notification
from app.models.agents import AgentStatus
from app.models.base import NulFreeStr
from app.schemas.agents import AgentAccepted, AgentCreate, AgentPage, AgentPublic
from app.schemas.notifications import MAX_NOTIFICATION_ID
from app.services import agent_views, agents

router = APIRouter(tags=["agents"])
AgentCreateRateLimit = Depends(rate_limit("agent_create"))
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=255)
]


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
    status_url = str(request.url_for("get_agent", agent_id=agent.id))
    response.headers["Location"] = status_url
    if created.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return AgentAccepted(
        agent_id=agent.id,
        status=AgentStatus(agent.status),
        status_url=status_url,
        events_url=str(request.url_for("agent_events", agent_id=agent.id)),
    )


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
    return AgentAccepted(
        agent_id=agent.id,
        status=AgentStatus(agent.status),
        status_url=str(request.url_for("get_agent", agent_id=agent.id)),
        events_url=str(request.url_for("agent_events", agent_id=agent.id)),
    )


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


@router.get(
    "/agents/{agent_id}/events",
    operation_id="agent_events",
    response_class=StreamingResponse,
    dependencies=[DefaultRateLimit],
    responses={
        200: {
            "content": {
                "text/event-stream": {
                    "schema": {
                        "type": "string",
                        "description": "`id:`, `event:` and `data:` "
                        "(the agent's state as JSON) lines per event",
                    }
                }
            },
            "description": "Server-Sent Events: one per state change",
        },
        **error_responses(401, 404, 422, 429, 503),
    },
)
async def agent_events(
    agent_id: uuid.UUID,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    last_event_id: Annotated[
        int | None, Header(alias="Last-Event-ID", ge=0, le=MAX_NOTIFICATION_ID)
    ] = None,
) -> StreamingResponse:
    """Past and future state changes; the stream ends after a final state."""
    events = await agent_views.events(
        session,
        runtime.sessionmaker,
        user,
        agent_id,
        after_id=last_event_id or 0,
        poll_s=runtime.settings.sse_poll_interval_s,
    )
    return StreamingResponse(
        _sse(events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _sse(events: AsyncIterator[Notification | None]) -> AsyncIterator[str]:
    async for note in events:
        if note is None:  # a comment keeps proxies from closing an idle stream
            yield ": keep-alive\n\n"
        else:
            yield (
                f"id: {note.id}\nevent: {note.event}\n"
                f"data: {json.dumps(note.payload, separators=(',', ':'))}\n\n"
            )
