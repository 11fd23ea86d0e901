"""The embedded engine's SQLite connections: a statement is one trip to the
connection's thread, everything SQLAlchemy reads of a cursor still holds, and the WAL
is checkpointed in the background."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from app.config import Settings
from app.db import WAL_AUTOCHECKPOINT_PAGES, WalCheckpointer, make_engine
from app.sqlite_connection import OneTripConnection
from tests.utils.client import runtime_of


def _embedded(var_dir: Path) -> Settings:
    return Settings(var_dir=var_dir, environment="test", database_url=None)


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The functions run on connections' threads, by name."""
    seen: list[str] = []
    original = OneTripConnection._execute

    async def counted(self: OneTripConnection, fn: object, *args: object, **kw: object) -> object:
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kw)

    monkeypatch.setattr(OneTripConnection, "_execute", counted)
    return seen


async def test_statements_take_one_trip_and_keep_their_results(
    tmp_path: Path, trips: list[str]
) -> None:
    engine = make_engine(_embedded(tmp_path))
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
            trips.clear()
            inserted = await conn.execute(
                text("INSERT INTO t (name) VALUES (:name)"), [{"name": "a"}, {"name": "b"}]
            )
            assert inserted.rowcount == 2
            one = await conn.execute(text("INSERT INTO t (name) VALUES ('c')"))
            assert one.lastrowid == 3
            rows = await conn.execute(text("SELECT id, name FROM t ORDER BY id"))
            assert list(rows.keys()) == ["id", "name"]
            assert rows.all() == [(1, "a"), (2, "b"), (3, "c")]
            empty = await conn.execute(text("SELECT id FROM t WHERE name = 'z'"))
            assert empty.first() is None
            assert trips == ["<lambda>"] * 4  # one per statement, none per cursor or fetch
            with pytest.raises(IntegrityError):
                await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
        async with engine.connect() as conn:
            streamed = await conn.stream(text("SELECT name FROM t ORDER BY id"))
            assert [row.name async for row in streamed] == ["a", "b", "c"]
            with pytest.raises(OperationalError, match="no such table"):
                await conn.execute(text("SELECT * FROM missing"))
    finally:
        await engine.dispose()


async def test_the_pragmas_apply_on_every_connection(tmp_path: Path) -> None:
    engine = make_engine(_embedded(tmp_path))
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 30000
    finally:
        await engine.dispose()


async def test_bound_rows_are_inserted_and_committed_in_one_trip_or_not_at_all(
    tmp_path: Path, trips: list[str]
) -> None:
    engine = make_engine(_embedded(tmp_path))
    insert = "INSERT INTO t (name) VALUES (?)"
    names = text("SELECT name FROM t ORDER BY id")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
        trips.clear()
        async with engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            assert isinstance(driver, OneTripConnection)
            await driver.insert_and_commit([(insert, [("a",), ("b",)]), (insert, [("c",)])])
            assert trips == ["<lambda>"]
            # A failing row takes the others with it, raised as SQLAlchemy's error.
            with pytest.raises(IntegrityError):
                await driver.insert_and_commit([(insert, [("d",)]), (insert, [("a",)])])
        async with engine.connect() as conn:
            assert (await conn.execute(names)).scalars().all() == ["a", "b", "c"]
    finally:
        await engine.dispose()


async def test_the_wal_is_checkpointed_in_the_background_not_by_a_commit(tmp_path: Path) -> None:
    engine = make_engine(_embedded(tmp_path))
    database = tmp_path / "platform.db"

    def rows_in_the_file() -> int:
        """Rows the database file itself holds: `immutable` reads it without the WAL."""
        with closing(sqlite3.connect(f"file:{database}?mode=ro&immutable=1", uri=True)) as db:
            return int(db.execute("SELECT count(*) FROM t").fetchone()[0])

    checkpointer = WalCheckpointer(engine, interval_s=0.05)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        await checkpointer.run_once()
        async with engine.connect() as conn:
            pages = (await conn.execute(text("PRAGMA wal_autocheckpoint"))).scalar()
            assert pages == WAL_AUTOCHECKPOINT_PAGES
            for _ in range(50):  # commits of their own: none checkpoints
                await conn.execute(text("INSERT INTO t DEFAULT VALUES"))
                await conn.commit()
        assert rows_in_the_file() == 0
        checkpointer.start()
        for _ in range(100):
            if rows_in_the_file() == 50:
                break
            await asyncio.sleep(0.05)
        assert rows_in_the_file() == 50
    finally:
        await checkpointer.stop()
        await engine.dispose()


async def test_an_embedded_api_checkpoints_in_the_background(
    app_factory: Callable[[Settings], Any], settings: Settings
) -> None:
    background = runtime_of(await app_factory(settings)).background
    checkpointers = [task for task in background if isinstance(task, WalCheckpointer)]
    assert len(checkpointers) == (1 if settings.database_url is None else 0)
