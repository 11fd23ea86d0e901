"""What the API shows of an agent, gathered from the services that own each part:
the row and its versions (`agents`), its track record (`outcomes`), its events
(`notifications`). One function per endpoint, so routers compose nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.models import Agent, AgentVersion, Notification, User
from app.models.agents import AgentStatus
from app.schemas.agents import (
    AgentPage,
    AgentPublic,
    AgentUpdate,
    AgentVersionPublic,
    TrackRecord,
)
from app.security import StreamClaims, TokenClaims, create_stream_token
from app.services import agents, notifications, outcomes
from app.services.audit import ClientInfo
from app.services.market_data.base import data_warnings
from app.services.notifications import Notifier, Progress


def public(
    agent: Agent,
    versions: list[AgentVersion] | None = None,
    track_record: TrackRecord | None = None,
) -> AgentPublic:
    versions = versions or []
    serving = next((v for v in versions if v.id == agent.serving_version_id), None)
    # The source's warning, then what training found in the serving version's data.
    warnings = data_warnings(agent.data_source, agent.symbol)
    found = ((serving.metrics or {}).get("data_warnings") or []) if serving else []
    warnings += [w for w in found if isinstance(w, str) and w not in warnings]
    return AgentPublic(
        **agent.model_dump(exclude={"user_id"}),
        data_warnings=warnings,
        metrics=serving.metrics if serving else None,
        versions=[AgentVersionPublic.model_validate(v, from_attributes=True) for v in versions],
        track_record=track_record or TrackRecord(),
    )


async def detail(session: AsyncSession, agent: Agent) -> AgentPublic:
    """One agent with its versions and track record."""
    records = await outcomes.track_records(session, [agent.id])
    return public(agent, await agents.versions(session, agent), records[agent.id])


async def get(session: AsyncSession, user: User, agent_id: uuid.UUID) -> AgentPublic:
    return await detail(session, await agents.get_owned(session, user, agent_id))


async def update(
    session: AsyncSession, user: User, agent_id: uuid.UUID, data: AgentUpdate, client: ClientInfo
) -> AgentPublic:
    return await detail(session, await agents.change(session, user, agent_id, data, client))


async def cancel(
    session: AsyncSession, notifier: Notifier, user: User, agent_id: uuid.UUID, client: ClientInfo
) -> AgentPublic:
    return await detail(session, await agents.cancel(session, notifier, user, agent_id, client))


async def promote(
    session: AsyncSession,
    notifier: Notifier,
    user: User,
    agent_id: uuid.UUID,
    version_id: uuid.UUID,
    client: ClientInfo,
) -> AgentPublic:
    agent = await agents.promote(session, notifier, user, agent_id, version_id, client)
    return await detail(session, agent)


async def rollback(
    session: AsyncSession, notifier: Notifier, user: User, agent_id: uuid.UUID, client: ClientInfo
) -> AgentPublic:
    return await detail(session, await agents.rollback(session, notifier, user, agent_id, client))


async def page(
    session: AsyncSession,
    user: User,
    *,
    limit: int,
    cursor: str | None = None,
    symbol: str | None = None,
    status: AgentStatus | None = None,
    architecture: str | None = None,
    data_frequency: str | None = None,
) -> AgentPage:
    """A page of the caller's agents with their track records (versions left out)."""
    rows, next_cursor = await agents.list_page(
        session,
        user,
        limit=limit,
        cursor=cursor,
        symbol=symbol,
        status=status,
        architecture=architecture,
        data_frequency=data_frequency,
    )
    records = await outcomes.track_records(session, [a.id for a in rows])
    return AgentPage(
        items=[public(a, track_record=records[a.id]) for a in rows], next_cursor=next_cursor
    )


async def events(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    user: User,
    agent_id: uuid.UUID,
    *,
    after_id: int,
    poll_s: float,
    progress_interval_s: float | None = None,
    still_authorised: Callable[[], Awaitable[bool]] | None = None,
) -> AsyncIterator[Notification | Progress | None] | None:
    """The agent's notifications (and progress) as they come (see `notifications.follow`);
    404 now, before anything is streamed, if the agent is not the caller's; None when the
    client's Last-Event-ID (`after_id`) is the agent's final event: nothing to stream."""
    await agents.get_owned(session, user, agent_id)
    if after_id and await notifications.finished(session, agent_id, after_id):
        return None
    return notifications.follow(
        sessionmaker,
        agent_id,
        after_id,
        poll_s,
        still_authorised=still_authorised,
        progress_interval_s=progress_interval_s,
    )


async def events_token(
    session: AsyncSession,
    settings: Settings,
    user: User,
    parent: TokenClaims,
    agent_id: uuid.UUID,
) -> tuple[str, StreamClaims]:
    """A single-use stream token for one of the caller's agents (404 for any other)."""
    await agents.get_owned(session, user, agent_id)
    return create_stream_token(
        secret=settings.jwt_secret(),
        parent=parent,
        agent_id=str(agent_id),
        ttl=timedelta(seconds=settings.stream_token_ttl_s),
    )
