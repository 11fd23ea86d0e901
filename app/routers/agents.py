"""Agents over HTTP (SPEC §5): parse, call `services.agents`, shape the answer."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from app.deps import ClientDep, CurrentUser, DefaultRateLimit, RuntimeDep, SessionDep, rate_limit
from app.errors import error_responses
from app.models import Agent
from app.models.agent_io import (
    MAX_NOTIFICATION_ID,
    AgentAccepted,
    AgentCreate,
    AgentPage,
    AgentPublic,
    AgentVersionPublic,
    TrackRecord,
)
from app.models.agents import FINAL_STATES, AgentStatus
from app.models.base import NulFreeStr
from app.services import agents, notifications, outcomes

router = APIRouter(tags=["agents"])
AgentCreateRateLimit = Depends(rate_limit("agent_create"))
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1,
                                              max_length=255)]


def agent_public(agent: Agent, versions: list[agents.AgentVersion] | None = None,
                 track_record: TrackRecord | None = None) -> AgentPublic:
    versions = versions or []
    serving = next((v for v in versions if v.id == agent.serving_version_id), None)
    return AgentPublic(
        **agent.model_dump(exclude={"user_id"}),
        metrics=serving.metrics if serving else None,
        versions=[AgentVersionPublic.model_validate(v, from_attributes=True) for v in versions],
        track_record=track_record or TrackRecord(),
    )


async def agent_detail(session: AsyncSession, agent: Agent) -> AgentPublic:
    records = await outcomes.track_records(session, [agent.id])
    return agent_public(agent, await agents.versions(session, agent), records[agent.id])


async def _create(
    data: AgentCreate, request: Request, response: Response, session: SessionDep,
    runtime: RuntimeDep, user: CurrentUser, client: ClientDep,
    idempotency_key: IdempotencyKey = None,
) -> AgentAccepted:
    created = await agents.create(session, runtime.settings, runtime.queue, runtime.notifier,
                                  user, data, client, idempotency_key)
    agent = created.agent
    status_url = str(request.url_for("get_agent", agent_id=agent.id))
    response.headers["Location"] = status_url
    if created.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return AgentAccepted(agent_id=agent.id, status=AgentStatus(agent.status),
                         status_url=status_url,
                         events_url=str(request.url_for("agent_events", agent_id=agent.id)))


_CREATE: dict[str, Any] = {
    "status_code": status.HTTP_202_ACCEPTED, "response_model": AgentAccepted,
    "dependencies": [AgentCreateRateLimit],
    "responses": error_responses(400, 401, 404, 409, 413, 422, 429, 503),
}
router.post("/agents", operation_id="create_agent", summary="Create an agent", **_CREATE)(
    _create)
router.post("/create-model", operation_id="create_model", summary="Create an agent (seed name)",
            **_CREATE)(_create)
router.post("/create-agent", operation_id="create_agent_alias",
            summary="Create an agent (seed name)", **_CREATE)(_create)


@router.get("/agents", response_model=AgentPage, operation_id="list_agents",
            dependencies=[DefaultRateLimit], responses=error_responses(401, 422, 429, 503))
async def list_agents(
    session: SessionDep, user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    symbol: Annotated[NulFreeStr | None, Query(max_length=32)] = None,
    status_: Annotated[AgentStatus | None, Query(alias="status")] = None,
    architecture: Annotated[NulFreeStr | None, Query(max_length=16)] = None,
    data_frequency: Annotated[NulFreeStr | None, Query(max_length=8)] = None,
) -> AgentPage:
    rows, next_cursor = await agents.list_page(
        session, user, limit=limit, cursor=cursor, symbol=symbol, status=status_,
        architecture=architecture, data_frequency=data_frequency)
    records = await outcomes.track_records(session, [a.id for a in rows])
    return AgentPage(items=[agent_public(a, track_record=records[a.id]) for a in rows],
                     next_cursor=next_cursor)


@router.get("/agents/{agent_id}", response_model=AgentPublic, operation_id="get_agent",
            dependencies=[DefaultRateLimit], responses=error_responses(401, 404, 422, 429, 503))
async def get_agent(agent_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> AgentPublic:
    agent = await agents.get_owned(session, user, agent_id)
    return await agent_detail(session, agent)


@router.post("/agents/{agent_id}/cancel", response_model=AgentPublic,
             operation_id="cancel_agent", dependencies=[DefaultRateLimit],
             responses=error_responses(401, 404, 409, 422, 429, 503))
async def cancel_agent(agent_id: uuid.UUID, session: SessionDep, runtime: RuntimeDep,
                       user: CurrentUser, client: ClientDep) -> AgentPublic:
    agent = await agents.cancel(session, runtime.notifier, user, agent_id, client)
    return await agent_detail(session, agent)


@router.post("/agents/{agent_id}/retrain", response_model=AgentAccepted,
             status_code=status.HTTP_202_ACCEPTED, operation_id="retrain_agent",
             dependencies=[AgentCreateRateLimit],
             responses=error_responses(401, 404, 409, 422, 429, 503))
async def retrain_agent(agent_id: uuid.UUID, request: Request, session: SessionDep,
                        runtime: RuntimeDep, user: CurrentUser, client: ClientDep) -> AgentAccepted:
    agent = await agents.retrain(session, runtime.queue, runtime.notifier, runtime.settings,
                                 user, agent_id, client)
    return AgentAccepted(agent_id=agent.id, status=AgentStatus(agent.status),
                         status_url=str(request.url_for("get_agent", agent_id=agent.id)),
                         events_url=str(request.url_for("agent_events", agent_id=agent.id)))


@router.delete("/agents/{agent_id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, operation_id="delete_agent",
               dependencies=[DefaultRateLimit], responses=error_responses(401, 404, 422, 429, 503))
async def delete_agent(agent_id: uuid.UUID, session: SessionDep, runtime: RuntimeDep,
                       user: CurrentUser, client: ClientDep) -> Response:
    await agents.remove(session, user, agent_id, client)
    runtime.delete_weights(agent_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/agents/{agent_id}/events", operation_id="agent_events", response_class=StreamingResponse,
    dependencies=[DefaultRateLimit],
    responses={200: {"content": {"text/event-stream": {"schema": {
                         "type": "string", "description": "`id:`, `event:` and `data:` "
                         "(the agent's state as JSON) lines per event"}}},
                     "description": "Server-Sent Events: one per state change"},
               **error_responses(401, 404, 422, 429, 503)},
)
async def agent_events(
    agent_id: uuid.UUID, session: SessionDep, runtime: RuntimeDep, user: CurrentUser,
    last_event_id: Annotated[int | None, Header(alias="Last-Event-ID", ge=0,
                                                le=MAX_NOTIFICATION_ID)] = None,
) -> StreamingResponse:
    """Past and future state changes; the stream ends after a final state."""
    await agents.get_owned(session, user, agent_id)  # 404 before the stream starts
    sessionmaker = runtime.sessionmaker
    poll_s = runtime.settings.sse_poll_interval_s

    async def stream() -> AsyncIterator[str]:
        last, idle = last_event_id or 0, 0.0
        while True:
            async with sessionmaker() as fresh:
                rows = await notifications.since(fresh, agent_id, last)
            for note in rows:
                last = note.id or last
                yield (f"id: {note.id}\nevent: {note.event}\n"
                       f"data: {json.dumps(note.payload, separators=(',', ':'))}\n\n")
                if note.payload.get("status") in FINAL_STATES:
                    return
            if rows:
                idle = 0.0
            else:
                idle += poll_s
                if idle >= 15:  # a comment keeps proxies from closing an idle stream
                    idle = 0.0
                    yield ": keep-alive\n\n"
            await asyncio.sleep(poll_s)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
