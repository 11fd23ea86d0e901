"""`python -m app.migrate`: bring the schema to `head`, safely from many replicas at once.

On PostgreSQL a session-level advisory lock, taken on the connection that then
runs the migrations, lets exactly one replica migrate while the others wait
(bounded by `MIGRATION_LOCK_TIMEOUT_S`) and then find nothing left to do.
Alembic's async `env.py` would call `asyncio.run` inside our loop, so the
connection is handed to it through `config.attributes` instead.

At start (`prepare_schema`, from the app's lifespan) an embedded (SQLite) database
migrates itself, one process at a time under a file lock beside the file; a
PostgreSQL one must already be at head, or the API refuses to start with one line
naming `python -m app.migrate` (migrating is a deployment step there, not a side
effect of starting a replica).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import sys
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from app.config import Settings, get_settings
from app.db import (
    database_revision,
    database_unavailable,
    describe,
    private_sqlite_file,
    schema_revisions,
)

logger = logging.getLogger("app.migrate")
# Any constant works; this one spells "ATPMIGR" in ASCII.
ADVISORY_LOCK_KEY = 0x41545050_4D494752 & 0x7FFFFFFFFFFFFFFF
ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["url"] = url
    return config


def _run(connection: Connection, config: Config, revision: str, downgrade: bool) -> None:
    config.attributes["connection"] = connection
    if downgrade:
        command.downgrade(config, revision)
    else:
        command.upgrade(config, revision)


async def migrate(settings: Settings, revision: str = "head", downgrade: bool = False) -> None:
    url = settings.sqlalchemy_database_url
    if url.startswith("sqlite"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        private_sqlite_file(url)
    config = alembic_config(url)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                await _acquire_lock(connection, settings.migration_lock_timeout_s)
            if connection.dialect.name == "sqlite":
                # WAL is a property of the file (app/db.py explains why WAL). Set here,
                # before anything serves, the app's first connections never race to
                # switch a fresh file's journal, which needs the file to themselves
                # ("database is locked" for whichever request lost).
                await connection.exec_driver_sql("PRAGMA journal_mode=WAL")
                await connection.commit()
            await connection.run_sync(_run, config, revision, downgrade)
            await connection.commit()
            if connection.dialect.name == "postgresql":
                await connection.execute(
                    text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY}
                )
                await connection.commit()
    finally:
        await engine.dispose()


async def _acquire_lock(connection: AsyncConnection, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        got = await connection.scalar(
            text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY}
        )
        await connection.commit()
        if got:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"another replica held the migration lock for over {timeout_s} s")
        logger.info("another replica is migrating; waiting")
        await asyncio.sleep(0.5)


class SchemaNotMigrated(RuntimeError):
    """The database's schema is behind this code's migrations (or absent)."""


async def prepare_schema(settings: Settings, engine: AsyncEngine) -> None:
    """Before the app serves: SQLite is brought to head, PostgreSQL must be there.

    A database that does not answer is left to `/readyz` (and each request's 503):
    the API starts, as it always has, and checks nothing it cannot reach. A schema
    newer than this code (a newer release migrated) is logged and served."""
    revisions = schema_revisions()
    try:
        async with engine.connect() as connection:
            found = await database_revision(connection)
    except SQLAlchemyError as exc:
        if not database_unavailable(exc):
            raise
        logger.warning("database unavailable at start, schema not checked: %s", describe(exc))
        return
    state, current = revisions.state(found), ", ".join(found) or "no revision (empty)"
    if state == "current":
        return
    if state == "ahead":
        logger.warning(
            "the database schema is at %s, newer than this code's head %s", current, revisions.head
        )
        return
    if engine.dialect.name == "sqlite":
        logger.info("embedded database at %s, head is %s: migrating", current, revisions.head)
        await asyncio.to_thread(_migrate_locked, settings)
        return
    raise SchemaNotMigrated(
        f"The database schema is at {current}, this code "
        f"needs {revisions.head}: run `python -m app.migrate` (with the same DATABASE_URL) "
        "before starting the API."
    )


def _migrate_locked(settings: Settings) -> None:
    """`migrate` in this thread's own event loop, holding an exclusive lock on a file
    beside the database, so that processes starting together migrate one at a time
    (the others then find nothing left to do)."""
    database = make_url(settings.sqlalchemy_database_url).database
    if not database or database == ":memory:":
        asyncio.run(migrate(settings))
        return
    lock_path = Path(f"{database}.migrate.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + settings.migration_lock_timeout_s
    with lock_path.open("a") as lock:
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"another process held {lock_path} for over "
                        f"{settings.migration_lock_timeout_s} s"
                    ) from None
                time.sleep(0.1)
        try:
            asyncio.run(migrate(settings))
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(lock, fcntl.LOCK_UN)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    args = sys.argv[1:]
    downgrade = bool(args) and args[0] == "downgrade"
    revision = args[1] if downgrade and len(args) > 1 else ("base" if downgrade else "head")
    asyncio.run(migrate(get_settings(), revision, downgrade))


if __name__ == "__main__":
    main()
