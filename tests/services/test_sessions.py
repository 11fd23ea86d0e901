"""`app.db.PlatformSession`: a session that never took a connection commits and closes
in memory; one that did, or that has changes to flush, goes SQLAlchemy's way."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col

from app.db import PlatformSession, json_text
from app.models import User
from tests.utils.users import user_row


def _checkouts(sessionmaker: async_sessionmaker[AsyncSession]) -> list[Any]:
    """Every connection the sessions of `sessionmaker` take from the pool, from now on."""
    engine = sessionmaker.kw["bind"]
    assert isinstance(engine, AsyncEngine)
    taken: list[Any] = []
    event.listen(engine.sync_engine.pool, "checkout", lambda *args: taken.append(args))
    return taken


async def test_a_session_served_from_memory_takes_no_connection(
    sessionmaker: async_sessionmaker[AsyncSession], user: User
) -> None:
    """What the row cache leaves: a kept row attached without SQL, nothing changed."""
    taken = _checkouts(sessionmaker)
    async with sessionmaker() as session:
        assert isinstance(session, PlatformSession)
        kept = session.sync_session.merge(user, load=False)
        await session.commit()
        assert kept.email == user.email
    assert taken == []


async def test_a_changed_row_is_flushed_and_committed(
    sessionmaker: async_sessionmaker[AsyncSession], user: User
) -> None:
    async with sessionmaker() as session:
        kept = session.sync_session.merge(user, load=False)
        kept.full_name = "Changed Without A Read"
        await session.commit()
    async with sessionmaker() as session:
        stored = await session.scalar(select(User.full_name).where(col(User.id) == user.id))
    assert stored == "Changed Without A Read"


async def test_a_session_that_read_gives_its_connection_back(
    sessionmaker: async_sessionmaker[AsyncSession], user: User
) -> None:
    taken = _checkouts(sessionmaker)
    engine = sessionmaker.kw["bind"]
    async with sessionmaker() as session:
        assert (await session.get(User, user.id)) is not None
        assert engine.sync_engine.pool.checkedout() == 1
        await session.commit()
    assert taken
    assert engine.sync_engine.pool.checkedout() == 0


async def test_a_row_added_without_a_flush_is_committed(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    row = user_row()
    async with sessionmaker() as session:
        session.add(row)
        await session.commit()
    async with sessionmaker() as session:
        assert (await session.get(User, row.id)) is not None


def test_json_columns_read_back_as_they_were_written() -> None:
    value = {"n": 1, "nested": {"a": [1.5, None, "é", 1e-7]}, "when": "2026-01-02T03:04:05Z"}
    assert json.loads(json_text(value)) == value
