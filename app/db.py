"""Async engine and sessions.

One engine per app instance (kept on `app.state`, so two instances in one
process — as the tests run them — stay independent). The session dependency
commits when the handler succeeds and rolls back when it raises; services only
`flush`.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic_core import to_json
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from app import sqlite_connection
from app.config import Settings
from app.core.periodic import Periodic
from app.errors import DomainError, ServiceUnavailable

logger = logging.getLogger(__name__)

# SQLSTATEs that mean "the server is not there right now", not "this query is
# wrong": connection exceptions (class 08), too many connections, and a server
# shutting down, crashed or starting up (57P01-57P03).
_UNAVAILABLE_SQLSTATES = ("08", "53300", "57P01", "57P02", "57P03")


class DatabaseUnavailable(ServiceUnavailable):
    message = "The database is unavailable; retry shortly."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        # A PostgreSQL restart or a pool refill takes about a second.
        kwargs.setdefault("retry_after", 2)
        super().__init__(message, **kwargs)


def private_sqlite_file(url: str) -> None:
    """Create the SQLite file 0600 before SQLite does (it would use 0644 under the
    usual umask) and tighten an existing one: it holds password hashes and webhook
    secrets. SQLite gives its -wal and -shm files the database file's permissions."""
    database = make_url(url).database
    if not url.startswith("sqlite") or not database or database == ":memory:":
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Only ever create it: opening and closing an existing database file would drop
    # every SQLite lock this process holds on it (POSIX locks belong to the process,
    # and closing any descriptor of the file releases them), so a second engine in a
    # process with a live one (the embedded runner's) let other processes write
    # under its feet and corrupt the file.
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(file, 0o600)


def json_text(value: Any) -> str:
    """JSON columns' text, by pydantic-core's encoder: /predict's row carries its
    request and answer, and `json.dumps` took four times as long on them."""
    return to_json(value).decode()


def make_engine(settings: Settings) -> AsyncEngine:
    url = settings.sqlalchemy_database_url
    if url.startswith("sqlite"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        private_sqlite_file(url)
        engine = create_async_engine(
            url,
            async_creator=sqlite_connection.creator(url, timeout=30),
            json_serializer=json_text,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout_s,
        # A PostgreSQL restart leaves dead connections in the pool: ping on checkout.
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={"timeout": settings.db_connect_timeout_s},
        json_serializer=json_text,
    )
    event.listen(engine.sync_engine, "do_connect", _connect_failures_are_operational)
    return engine


def _connect_failures_are_operational(
    dialect: Any,
    _record: Any,
    cargs: Any,
    cparams: Any,
) -> Any:
    """asyncpg lets a refused connection (`OSError`) or a server that is starting up
    (`CannotConnectNowError`) escape SQLAlchemy unwrapped; make them the DBAPI's
    `OperationalError`, as psycopg's would be, so SQLAlchemy wraps them too."""
    try:
        return dialect.connect(*cargs, **cparams)
    except dialect.loaded_dbapi.Error:
        raise
    except Exception as exc:
        raise dialect.loaded_dbapi.OperationalError(str(exc), exc) from exc


# WAL pages after which a commit checkpoints by itself (SQLite's default: 1,000): a
# backstop, for processes with no `WalCheckpointer` (a training child, the CLI).
WAL_AUTOCHECKPOINT_PAGES = 10_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; foreign keys are off by default.
    # synchronous=NORMAL: in WAL mode a commit no longer waits for an fsync (the WAL
    # is synced at checkpoints), so a power cut may lose the last commits but never
    # corrupts the file — SQLite's own advice for WAL, and a millisecond per write.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class WalCheckpointer(Periodic):
    """Checkpoints an SQLite database's WAL every `interval_s`, off the requests.

    Left to itself, SQLite checkpoints in whichever commit takes the WAL past
    `wal_autocheckpoint` pages: with /predict's group commits at the default 1,000,
    one call in about seventy paid the copy into the database file and its fsyncs
    (a warm call's p99 twice its p50). Here a PASSIVE checkpoint, which waits for no
    reader or writer, runs on a pooled connection's own thread; the pragma is only
    the backstop."""

    def __init__(self, engine: AsyncEngine, interval_s: float) -> None:
        super().__init__("sqlite-wal-checkpoint", interval_s)
        self.engine = engine

    async def run_once(self) -> None:
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")


# Set in a session's `info` once it has taken a connection (SQLAlchemy's `after_begin`).
_CONNECTED = "app.connected"


@event.listens_for(Session, "after_begin")
def _connected(session: Session, transaction: object, connection: Connection) -> None:
    session.info[_CONNECTED] = True


class PlatformSession(AsyncSession):
    """An `AsyncSession` whose commit and close cost nothing when it never took a
    connection and has nothing to flush: what a request served from the row cache
    leaves (`app.services.row_cache`). SQLAlchemy would still run the commit through
    a greenlet and the close in a task of its own, shielded so that a cancelled
    request gives its connection back; with no connection there is nothing to give
    back, and the two cost a warm /predict 0.085 ms of its 1.25 (in one process)."""

    def _idle(self) -> bool:
        sync = self.sync_session
        return not (sync.info.get(_CONNECTED) or sync.new or sync.dirty or sync.deleted)

    async def commit(self) -> None:
        if not self._idle():
            await super().commit()

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        if self._idle():
            self.sync_session.close()  # detaches what it holds; no I/O
        else:
            await super().__aexit__(type_, value, traceback)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=PlatformSession, expire_on_commit=False)


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
        except SQLAlchemyError as exc:
            await _quiet_rollback(session)
            if not database_unavailable(exc):
                raise
            logger.warning("database unavailable: %s", describe(exc))
            raise DatabaseUnavailable() from None
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


def database_unavailable(exc: BaseException) -> bool:
    """A lost or unreachable database (answered 503), as opposed to a bug (a 500).

    A refused connection, a pool with no connection to give, a connection the
    server closed mid-query (a restart), a server starting up or shutting down,
    SQLite's busy file.
    """
    if isinstance(exc, PoolTimeout | OperationalError):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        sqlstate = getattr(exc.orig, "sqlstate", None)
        return isinstance(sqlstate, str) and sqlstate.startswith(_UNAVAILABLE_SQLSTATES)
    return False


def describe(exc: BaseException) -> str:
    """The driver's own message (never the statement or its parameters, which may
    hold personal data): what an operator needs to tell a busy file from a restart."""
    orig = getattr(exc, "orig", None)
    if orig is None:
        return type(exc).__name__
    return f"{type(exc).__name__} ({type(orig).__name__}: {str(orig)[:200]})"


async def _quiet_rollback(session: AsyncSession) -> None:
    # The connection may already be gone; the original error is what gets raised.
    with contextlib.suppress(Exception):
        await session.rollback()


# --- the schema's revision -------------------------------------------------------------

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"

SchemaState = Literal["current", "behind", "ahead"]


@dataclass(frozen=True)
class SchemaRevisions:
    """The migrations this code ships: its heads (one, unless branches are being
    merged) and every revision it knows."""

    heads: frozenset[str]
    known: frozenset[str]

    @property
    def head(self) -> str:
        return ", ".join(sorted(self.heads))

    def state(self, revisions: tuple[str, ...]) -> SchemaState:
        """`behind`: empty, or revisions before head (`python -m app.migrate` brings it
        up); `ahead`: a revision this code does not know, i.e. a newer release migrated."""
        if set(revisions) == self.heads:
            return "current"
        if set(revisions) <= self.known:
            return "behind"
        return "ahead"


@functools.cache
def schema_revisions() -> SchemaRevisions:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_INI.parent / "alembic"))
    script = ScriptDirectory.from_config(config)
    return SchemaRevisions(
        frozenset(script.get_heads()), frozenset(s.revision for s in script.walk_revisions())
    )


async def database_revision(connection: AsyncConnection) -> tuple[str, ...]:
    """The revisions the database was migrated to (one, unless branches are being
    merged); empty for an empty database."""

    def read(sync_connection: Connection) -> tuple[str, ...]:
        # Alembic's own table, read directly: its MigrationContext logs at INFO each time.
        if not inspect(sync_connection).has_table("alembic_version"):
            return ()
        rows = sync_connection.execute(text("SELECT version_num FROM alembic_version"))
        return tuple(sorted(rows.scalars()))

    return await connection.run_sync(read)
