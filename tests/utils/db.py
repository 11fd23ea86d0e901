"""The test's own database, reached the way the app reaches it (`app.db`).

Rows are written straight to it by the tests that are about what is built from
stored rows, not about the route that would have written them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import make_engine, make_sessionmaker


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A sessionmaker on the test's database, its engine disposed afterwards."""
    engine = make_engine(settings)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


async def insert(settings: Settings, *rows: Any) -> None:
    """Rows in the order given (the tables have no ORM relationships to order them)."""
    async with database(settings) as sessionmaker, sessionmaker() as session:
        await add_all(session, *rows)
        await session.commit()


async def add_all(session: AsyncSession, *rows: Any) -> None:
    """Rows in the order given, flushed one by one, in the caller's transaction."""
    for row in rows:
        session.add(row)
        await session.flush()
