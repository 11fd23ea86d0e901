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
from fastapi.security import APIKeyQuery

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
from app.routers.links import link
from app.schemas.agents import (
    AgentAccepted,
    AgentCreate,
    AgentPage,
    AgentPublic,
    AgentUpdate,
    ArchitectureIn,
    FrequencyIn,
    RetrainRequest,
)
from app.schemas.events import StreamToken
from app.schemas.notifications import MAX_NOTIFICATION_ID
from app.services import agent_views, agents
from app.services.notifications import Progress

router = APIRouter(tags=["agents"])
AgentCreateRateLimit = Depends(rate_limit("agent_create"))
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Any unique string (a UUID): a retry with the same key and body answers "
        "what the first request did (the agent it created, the version a retrain queued; "
        "`Idempotent-Replayed: true`) instead of doing it again; the same key with another "
        "body, agent or operation is a 422 `idempotency_key_reused`; 409 while the first "
        "request is still in progress. Keys are your own and kept at least 24 hours.",
    ),
]

_LOCATION = {
    "Location": {
        "description": "The agent's status URL (`GET /agents/{agent_id}`, the body's "
        "`status_url`): absolute from `PUBLIC_BASE_URL` when set, else a path.",
        "required": True,
        "schema": {"type": "string"},
    }
}
_REPLAYED = {
    "Idempotent-Replayed": {
        "description": "`true` when this answer replays an earlier request with the same "
        "`Idempotency-Key` and body: nothing was created or queued this time.",
        "schema": {"type": "string", "const": "true"},
    }
}


def _accepted(
    request: Request,
    settings: Settings,
    agent_id: uuid.UUID,
    version_id: uuid.UUID,
    status: str,
    events_after_id: int | None = None,
) -> AgentAccepted:
    events_url = link(request, settings, "agent_events", agent_id=agent_id)
    if events_after_id:  # a retrain's stream: this run's events, not the earlier runs'
        events_url += "?" + urlencode({"last_event_id": events_after_id})
    return AgentAccepted(
        agent_id=agent_id,
        version_id=version_id,
        status=AgentStatus(status),
        status_url=link(request, settings, "get_agent", agent_id=agent_id),
        events_url=events_url,
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
    """Queue the training of a new agent: one model (LSTM, CNN or Transformer) on one
    symbol's bars from `data_source` between `start_date` and `end_date`, at
    `data_frequency`, predicting `prediction_horizon` ahead.

    Answers 202 at once with the agent's id, `status: QUEUED`, its status URL (also in
    `Location`) and its Server-Sent Events URL; training runs in the background (poll the
    status, open the events stream, or set `callback_url` for webhooks) until READY or
    FAILED. Send `Idempotency-Key` to make a retry safe.

    Errors: 422 for an invalid body (each field in `details`: dates in the future or in
    the wrong order, too little or too much history for the horizon, a data source this
    deployment has not configured, an advanced preference outside your segment, a private
    `callback_url`); 409 `too_many_trainings` when your concurrent trainings are at the
    cap; 404 when the agent an `Idempotency-Key` created has since been deleted; 429
    past the `agent_create` quota; 503 when the database or queue is down."""
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
    accepted = _accepted(request, runtime.settings, agent.id, created.version.id, agent.status)
    response.headers["Location"] = accepted.status_url
    if created.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return accepted


_CREATE: dict[str, Any] = {
    "status_code": status.HTTP_202_ACCEPTED,
    "response_model": AgentAccepted,
    "dependencies": [AgentCreateRateLimit],
    "responses": {
        202: {"description": "Accepted: the training is queued", "headers": _LOCATION | _REPLAYED},
        **error_responses(400, 401, 404, 409, 413, 422, 429, 503),
    },
}
_ALIAS = (
    "The same as `POST /agents`, under the name the platform's original specification "
    "gave it; new clients should use `POST /agents`.\n\n" + (_create.__doc__ or "")
)
router.post("/agents", operation_id="create_agent", summary="Create an agent", **_CREATE)(_create)
router.post(
    "/create-model",
    operation_id="create_model",
    summary="Create an agent (alias: create-model)",
    description=_ALIAS,
    **_CREATE,
)(_create)
router.post(
    "/create-agent",
    operation_id="create_agent_alias",
    summary="Create an agent (alias: create-agent)",
    description=_ALIAS,
    **_CREATE,
)(_create)


@router.get(
    "/agents",
    response_model=AgentPage,
    operation_id="list_agents",
    summary="List your agents",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 422, 429, 503),
)
async def list_agents(
    session: SessionDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[
        str | None,
        Query(max_length=200, description="`next_cursor` of the previous page; opaque."),
    ] = None,
    symbol: Annotated[NulFreeStr | None, Query(max_length=32)] = None,
    status_: Annotated[AgentStatus | None, Query(alias="status")] = None,
    architecture: Annotated[ArchitectureIn | None, Query()] = None,
    data_frequency: Annotated[FrequencyIn | None, Query()] = None,
) -> AgentPage:
    """Your agents, newest first, a page at a time: pass the answer's `next_cursor` as
    `cursor` for the next page (null on the last). Filter by symbol (an instrument in
    any form: `AAPL`, `AAPL.O` and `AAPL US Equity` find the same agents), status,
    architecture or bar frequency (any letter case).

    Errors: 422 for a `limit` outside 1-100, a `cursor` this API did not issue, a
    `symbol` no source can resolve, or an `architecture` or `data_frequency` that is not
    one of the enum's values."""
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
    summary="Get an agent: status, versions and metrics",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 404, 422, 429, 503),
)
async def get_agent(agent_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> AgentPublic:
    """One of your agents: its configuration, training status (with `failure_stage` and
    `failure_reason` when FAILED), its versions, the serving version's test-split
    metrics (`skill` says whether it beats the naive forecast) and its live track record.

    Errors: 404 `agent_not_found` for an id that is not one of your agents (another
    user's agent is never revealed); 422 for an id that is not a UUID."""
    return await agent_views.get(session, user, agent_id)


@router.post(
    "/agents/{agent_id}/cancel",
    response_model=AgentPublic,
    operation_id="cancel_agent",
    summary="Cancel an agent's training",
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
    """Stop the agent's queued or running training: a queued job is CANCELLED at once, a
    running one by its worker within a batch. A version already READY keeps serving.
    Answers the agent.

    Errors: 409 when no training is queued or running; 404 `agent_not_found`."""
    return await agent_views.cancel(session, runtime.notifier, user, agent_id, client)


@router.post(
    "/agents/{agent_id}/retrain",
    response_model=AgentAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="retrain_agent",
    summary="Retrain an agent on fresh data",
    dependencies=[AgentCreateRateLimit],
    responses={
        202: {
            "description": "Accepted: the new version's training is queued",
            "headers": _LOCATION | _REPLAYED,
        },
        # 400: a body that is not JSON (the body is optional, so it is not a 422); 413.
        **error_responses(400, 401, 404, 409, 413, 422, 429, 503),
    },
)
async def retrain_agent(
    agent_id: uuid.UUID,
    request: Request,
    response: Response,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    client: ClientDep,
    body: RetrainRequest | None = None,
    idempotency_key: IdempotencyKey = None,
) -> AgentAccepted:
    """Train a challenger on newer bars: up to `end_date` (default today), the range
    rolled forward at the same length (`window: "rolling"`) or grown from the same
    start (`"expanding"`), same configuration. The champion keeps answering; when the
    challenger is READY it is judged against the champion on the challenger's test
    period and serves only if it is not worse (docs/MODELS.md, "Champion and
    challenger"); otherwise it stays a `candidate` you may promote. A failed retrain
    fails its version only. Answers 202 like creation, with the new `version_id` and
    the status URL in `Location`; `events_url` follows this run only. Send
    `Idempotency-Key` to make a retry safe: it answers the same version again.

    Errors: 409 when a training of this agent is already queued or running, or
    `too_many_trainings` at your concurrency cap, or a request with the same
    `Idempotency-Key` is still in progress; 422 for an `end_date` in the future or
    before the latest version's, or `idempotency_key_reused` for a key used with
    another body, agent or operation; 429 past the `agent_create` quota; 404
    `agent_not_found` (also when the version a key started was deleted with its
    agent)."""
    options = body or RetrainRequest()
    run = await agents.retrain(
        session,
        runtime.queue,
        runtime.notifier,
        runtime.settings,
        user,
        agent_id,
        client,
        end_date=options.end_date,
        window=options.window,
        idempotency_key=idempotency_key,
    )
    accepted = _accepted(
        request,
        runtime.settings,
        run.agent.id,
        run.version.id,
        run.version.status,
        run.events_after_id,
    )
    response.headers["Location"] = accepted.status_url
    if run.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return accepted


@router.patch(
    "/agents/{agent_id}",
    response_model=AgentPublic,
    operation_id="update_agent",
    summary="Change an agent's retrain policy",
    dependencies=[DefaultRateLimit],
    responses=error_responses(400, 401, 404, 413, 422, 429, 503),
)
async def update_agent(
    agent_id: uuid.UUID,
    data: AgentUpdate,
    session: SessionDep,
    user: CurrentUser,
    client: ClientDep,
) -> AgentPublic:
    """Set or clear the agent's `retrain_policy`: `{"every_bars": N}` and/or
    `{"when_stale": true}` makes the platform retrain it by itself (the scheduler
    follows the new policy from its next pass); `null` leaves retraining to you. The
    policy is replaced whole. A retrain already queued or running is not affected.
    Answers the agent, as `GET /agents/{agent_id}` does.

    Errors: 422 for a policy asking for nothing, values out of range, an unknown
    field or a missing `retrain_policy` (each field in `details`; nothing is
    changed); 404 `agent_not_found` for an id that is not one of your agents."""
    return await agent_views.update(session, user, agent_id, data, client)


@router.post(
    "/agents/{agent_id}/versions/{version_id}/promote",
    response_model=AgentPublic,
    operation_id="promote_agent_version",
    summary="Serve a version of the agent (promote a candidate, or roll back)",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 404, 409, 422, 429, 503),
)
async def promote_version(
    agent_id: uuid.UUID,
    version_id: uuid.UUID,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    client: ClientDep,
) -> AgentPublic:
    """Make a READY version the agent's champion: a `candidate` the gate held back, or
    an older version. `/predict` uses it from the next call, in every API process; the
    replaced champion is `retired`. Answers the agent.

    Errors: 404 `agent_not_found` or `version_not_found`; 409 when the version is not
    READY."""
    return await agent_views.promote(session, runtime.notifier, user, agent_id, version_id, client)


@router.post(
    "/agents/{agent_id}/rollback",
    response_model=AgentPublic,
    operation_id="rollback_agent",
    summary="Serve the previous champion again",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 404, 409, 422, 429, 503),
)
async def rollback_agent(
    agent_id: uuid.UUID,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    client: ClientDep,
) -> AgentPublic:
    """Serve the champion before the current one again (the latest `retired` READY
    version); the current one is retired. Answers the agent.

    Errors: 404 `agent_not_found`; 409 when there is no earlier champion."""
    return await agent_views.rollback(session, runtime.notifier, user, agent_id, client)


@router.delete(
    "/agents/{agent_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="delete_agent",
    summary="Delete an agent",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 404, 422, 429, 503),
)
async def delete_agent(
    agent_id: uuid.UUID,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    client: ClientDep,
) -> None:
    """Delete the agent, its versions, jobs and weights; a running training is stopped.
    Its past predictions stay in your history. Answers 204 with no body.

    Errors: 404 `agent_not_found` (also for a second delete)."""
    # Returning None rather than a Response: FastAPI then adds the rate-limit headers.
    await agents.remove(session, runtime.settings, user, agent_id, client)


_SSE_DESCRIPTION = """Server-Sent Events: the agent's state changes (`agent.<state>`,
with `id:`), stored as notifications, and while it trains its epoch progress
(`agent.progress`, no `id:`, at most once a second, not stored); a `retry:` line first.
The stream ends after a final state (READY, FAILED, CANCELLED), on logout or when the
access token expires. A reconnect whose `Last-Event-ID` (or `last_event_id`) is that
final event gets 204, which stops an EventSource.

Authenticate with the bearer (`Authorization: Bearer <access token>`), or in a browser,
whose EventSource cannot send headers, with `?token=` from `POST …/events/token` (single
use, this agent only; an access token there is refused).

Errors: 401 for a missing, expired, revoked, reused or other-agent token; 404
`agent_not_found`; 429 past the default quota or with too many streams already open
(`Retry-After` says when to try again)."""

# The `?token=` alternative to the bearer, for the document only: `get_stream_auth`
# reads and checks the parameter itself.
_stream_token = APIKeyQuery(
    name="token",
    scheme_name="StreamToken",
    description="A stream token from `POST /agents/{agent_id}/events/token`: single use, "
    "for one agent, valid for `STREAM_TOKEN_TTL_S` (60 s).",
    auto_error=False,
)


@router.get(
    "/agents/{agent_id}/events",
    operation_id="agent_events",
    summary="Follow an agent's training as Server-Sent Events",
    response_class=StreamingResponse,
    description=_SSE_DESCRIPTION,
    dependencies=[Depends(_stream_token)],
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
    response: Response,
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
    settings = runtime.settings
    # The answers are built here, so the rate-limit headers the dependency set on
    # `response` are copied onto them.
    limit_headers = dict(response.headers)

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
        return Response(status_code=status.HTTP_204_NO_CONTENT, headers=limit_headers)
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
        headers={**limit_headers, "Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.post(
    "/agents/{agent_id}/events/token",
    response_model=StreamToken,
    operation_id="create_agent_events_token",
    summary="Get a stream token for the agent's events (for EventSource)",
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
    on logout or when the access token it came from expires, like a bearer's.

    Errors: 404 `agent_not_found`; 401 without a valid access token."""
    token, stream = await agent_views.events_token(
        session, runtime.settings, user, claims, agent_id
    )
    url = link(request, runtime.settings, "agent_events", agent_id=agent_id)
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
