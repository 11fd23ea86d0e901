"""Async engine and sessions.

One engine per app instance (kept on `app.state`, so two instances in one
process — as the tests run them — stay independent). The session dependency
commits when the handler succeeds and rolls back when it raises; services only
`flush`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.config import Settings
from app.errors import DomainError, ServiceUnavailable


def make_engine(settings: Settings) -> AsyncEngine:
    url = settings.sqlalchemy_database_url
    if url.startswith("sqlite"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout_s,
        # A PostgreSQL restart leaves dead connections in the pool: ping on checkout.
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={"timeout": settings.db_connect_timeout_s},
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def session_scope(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """Commit on success, roll back on failure, map a lost database to 503."""
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
            await run_after_commit(session)
        except DomainError as exc:
            if exc.commit_session:
                await session.commit()
            else:
                await session.rollback()
            raise
        except (OperationalError, PoolTimeout, DBAPIError, OSError) as exc:
            await _quiet_rollback(session)
            if isinstance(exc, DBAPIError) and not _is_connection_error(exc):
                raise
            raise ServiceUnavailable("The database is unavailable; retry shortly.") from None
        except BaseException:
            await _quiet_rollback(session)
            raise


def after_commit(session: AsyncSession, callback: Callable[[], Awaitable[None]]) -> None:
    """Run `callback` once the session's transaction has committed.

    Jobs are enqueued this way (Polar's pattern): a request that fails leaves no
    orphan job, and a worker never picks up a job whose row is not yet visible.
    """
    session.info.setdefault("after_commit", []).append(callback)


async def run_after_commit(session: AsyncSession) -> None:
    callbacks = session.info.pop("after_commit", [])
    for callback in callbacks:
        await callback()


def _is_connection_error(exc: DBAPIError) -> bool:
    return bool(exc.connection_invalidated) or isinstance(exc, OperationalError)


async def _quiet_rollback(session: AsyncSession) -> None:
    # The connection may already be gone; the original error is what gets raised.
    with contextlib.suppress(Exception):
        await session.rollback()
