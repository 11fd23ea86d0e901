"""`app.services.notifications` on each backend's database: rows, pages, reads, the stream.

Webhook delivery (signing, retries, refused targets) is tested end to end in
tests/tasks/test_webhooks.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import session_scope
from app.models import Agent, Notification, User
from app.models.agents import AgentStatus
from app.services import notifications
from app.services.notifications import Notifier
from tests.utils.agents import agent_rows
from tests.utils.db import add_all
from tests.utils.users import user_row

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def agent(sessionmaker: Sessions, user: User) -> Agent:
    row, _ = agent_rows(user.id, serving=False, name="AAPL daily")
    async with sessionmaker() as session:
        await add_all(session, row)
        await session.commit()
    return row


async def emit(
    sessionmaker: Sessions, notifier: Notifier, agent: Agent, state: str, **extra: Any
) -> Notification:
    async with session_scope(sessionmaker) as session:
        return await notifier.emit(session, agent, state, **extra)


def id_of(note: Notification) -> int:
    assert note.id is not None  # flushed by `emit`
    return note.id


async def test_emit_writes_one_row_per_state_change(
    sessionmaker: Sessions,
    notifier: Notifier,
    agent: Agent,
    user: User,
) -> None:
    async with session_scope(sessionmaker) as session:
        note = await notifier.emit(session, agent, AgentStatus.TRAINING, epoch=3)
        assert note.id is not None  # flushed: the id is known before the commit
        assert "after_commit" not in session.info  # no callback_url, no webhook
    async with sessionmaker() as session:
        stored = await session.get(Notification, note.id)
    assert stored is not None
    assert (stored.user_id, stored.agent_id, stored.event) == (user.id, agent.id, "agent.training")
    assert stored.payload == {
        "agent_id": str(agent.id),
        "agent_name": "AAPL daily",
        "symbol": "AAPL",
        "status": "TRAINING",
        "epoch": 3,
    }
    assert stored.read_at is None and stored.delivered_at is None


async def test_page_is_newest_first_by_id_and_filters(
    sessionmaker: Sessions,
    notifier: Notifier,
    agent: Agent,
    user: User,
) -> None:
    other_agent, _ = agent_rows(user.id, serving=False, symbol="MSFT")
    async with sessionmaker() as session:
        await add_all(session, other_agent)
        await session.commit()
    states = [AgentStatus.QUEUED, AgentStatus.FETCHING_DATA, AgentStatus.TRAINING]
    notes = [await emit(sessionmaker, notifier, agent, state) for state in states]
    elsewhere = await emit(sessionmaker, notifier, other_agent, AgentStatus.QUEUED)

    async with sessionmaker() as session:
        first, cursor = await notifications.page(session, user, limit=3)
        assert [n.id for n in first] == [elsewhere.id, notes[2].id, notes[1].id]
        assert cursor == str(notes[1].id)
        rest, last = await notifications.page(session, user, limit=3, before=int(cursor))
        assert ([n.id for n in rest], last) == ([notes[0].id], None)
        only_agent, _ = await notifications.page(session, user, limit=10, agent_id=agent.id)
        assert [n.id for n in only_agent] == [n.id for n in reversed(notes)]


async def test_mark_read_touches_only_the_callers_unread_rows(
    sessionmaker: Sessions,
    notifier: Notifier,
    agent: Agent,
    user: User,
) -> None:
    notes = [
        await emit(sessionmaker, notifier, agent, state)
        for state in (AgentStatus.QUEUED, AgentStatus.TRAINING, AgentStatus.READY)
    ]
    stranger = user_row()
    async with session_scope(sessionmaker) as session:
        await add_all(session, stranger)
        assert await notifications.mark_read(session, stranger, [id_of(n) for n in notes]) == 0
    async with session_scope(sessionmaker) as session:
        assert await notifications.mark_read(session, user, [id_of(notes[1])]) == 1
    async with sessionmaker() as session:
        unread, _ = await notifications.page(session, user, limit=10, unread_only=True)
    assert [n.id for n in unread] == [notes[2].id, notes[0].id]
    async with session_scope(sessionmaker) as session:
        assert await notifications.mark_read(session, user, None) == 2
    async with session_scope(sessionmaker) as session:
        assert await notifications.mark_read(session, user, None) == 0


async def test_follow_yields_rows_after_the_id_and_ends_at_a_final_state(
    sessionmaker: Sessions,
    notifier: Notifier,
    agent: Agent,
) -> None:
    states = [
        AgentStatus.QUEUED,
        AgentStatus.TRAINING,
        AgentStatus.CANCELLED,
        AgentStatus.QUEUED,  # a retrain: the earlier final state does not end the stream
        AgentStatus.READY,
    ]
    notes = [await emit(sessionmaker, notifier, agent, state) for state in states]

    async def followed() -> list[str]:
        return [
            note.payload["status"]
            async for note in notifications.follow(
                sessionmaker, agent.id, id_of(notes[0]), poll_s=0.01
            )
            if isinstance(note, Notification)
        ]

    assert await asyncio.wait_for(followed(), 5) == ["TRAINING", "CANCELLED", "QUEUED", "READY"]
    async with sessionmaker() as session:  # a reconnect after it: nothing more will come
        assert await notifications.finished(session, agent.id, id_of(notes[-1]))
        assert not await notifications.finished(session, agent.id, id_of(notes[2]))


async def test_follow_keeps_an_idle_stream_alive_and_sees_later_rows(
    sessionmaker: Sessions,
    notifier: Notifier,
    agent: Agent,
) -> None:
    queued = await emit(sessionmaker, notifier, agent, AgentStatus.QUEUED)
    seen: list[str | None] = []

    async def follow() -> None:
        async for note in notifications.follow(
            sessionmaker, agent.id, id_of(queued), poll_s=0.01, keep_alive_s=0.025
        ):
            seen.append(None if note is None else note.payload["status"])
            if note is None:  # idle: now the job finishes, in another session
                await emit(sessionmaker, notifier, agent, AgentStatus.READY)

    await asyncio.wait_for(follow(), 5)
    assert seen == [None, "READY"]
