"""Fixtures of the service tests: a real session on each backend's database.

Services are called directly, as the routers and tasks call them, inside
`app.db.session_scope` (commit, then the after-commit callbacks) on the migrated
SQLite file and on PostgreSQL (`backend`, tests/conftest.py). The PostgreSQL
database is shared by the session's tests: each test makes its own user.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.models import User
from app.services.notifications import Notifier
from tests.utils.db import add_all, database
from tests.utils.users import user_row


@pytest.fixture
async def sessionmaker(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on this backend's database, as `app.db` makes them."""
    async with database(settings) as maker:
        yield maker


@pytest.fixture
async def notifier(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[Notifier]:
    """The real notifier (webhooks go nowhere: a test that wants one sets it up)."""
    async with httpx.AsyncClient() as http:
        notifier = Notifier(sessionmaker, http, allow_private=False, max_attempts=1)
        yield notifier
        await notifier.drain()


@pytest.fixture
async def user(sessionmaker: async_sessionmaker[AsyncSession]) -> User:
    """A stored user of this test's own (an investor)."""
    row = user_row()
    async with sessionmaker() as session:
        await add_all(session, row)
        await session.commit()
    return row
