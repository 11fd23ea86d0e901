"""The group writer: rows built without ORM objects carry the models' defaults,
concurrent callers share a transaction, and a bad call fails alone."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.models import AuditLog, User
from app.services import audit
from app.services.audit import ClientInfo
from app.services.batch_writer import GroupWriter, row
from app.sqlite_connection import InlineWriter
from tests.utils.backends import TEST_SECRET

CLIENT = ClientInfo(ip="192.0.2.7", user_agent="pytest")


async def test_rows_carry_the_models_defaults_and_concurrent_calls_all_land(
    sessionmaker: async_sessionmaker[AsyncSession], user: User
) -> None:
    writer = GroupWriter()

    async def call(n: int) -> None:
        async with sessionmaker() as session:
            await writer.write(session, [audit.entry("prediction", CLIENT, user.id, n=n)])

    await asyncio.gather(*(call(n) for n in range(12)))
    async with sessionmaker() as session:
        rows = (
            await session.scalars(select(AuditLog).where(col(AuditLog.user_id) == user.id))
        ).all()
    assert sorted(r.details["n"] for r in rows) == list(range(12))
    for saved in rows:  # the serial key from the database, the timestamp from the model
        assert saved.id is not None and saved.created_at is not None
        assert saved.client_ip == "192.0.2.7" and saved.action == "prediction"


async def test_a_bad_call_fails_alone(
    sessionmaker: async_sessionmaker[AsyncSession], user: User
) -> None:
    writer = GroupWriter()
    nobody = uuid.uuid4()  # no such user: the foreign key refuses the row

    async def call(user_id: uuid.UUID, n: int) -> None:
        async with sessionmaker() as session:
            await writer.write(
                session, [row(AuditLog, user_id=user_id, action="x", details={"n": n})]
            )

    results = await asyncio.gather(
        call(user.id, 1), call(nobody, 2), call(user.id, 3), return_exceptions=True
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], Exception)
    async with sessionmaker() as session:
        saved = (
            await session.scalars(select(AuditLog).where(col(AuditLog.user_id) == user.id))
        ).all()
    assert sorted(r.details["n"] for r in saved) == [1, 3]


def test_a_row_fills_every_column() -> None:
    one = row(AuditLog, action="login", details={})
    assert set(one.values) == {c.key for c in AuditLog.__table__.columns}  # type: ignore[attr-defined]
    assert one.values["created_at"] is not None and one.values["id"] is None
    with pytest.raises(KeyError):
        one.values["no_such_column"]


async def test_rows_are_stored_as_sqlalchemy_stores_them(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """On SQLite the writer binds the values itself (one trip for the inserts and the
    commit); what lands is what SQLAlchemy's own insert of the same values stores."""
    values = {
        "user_segment": "quant",
        "account_equity": 12345.5,
        "hashed_password": "x",
        "is_active": False,
        "full_name": None,
    }
    ours, theirs = (
        row(User, email="ours@writer.test", **values),
        row(User, email="theirs@writer.test", **values),
    )
    theirs.values["created_at"] = ours.values["created_at"]
    theirs.values["updated_at"] = ours.values["updated_at"]
    theirs.values["webhook_secret"] = ours.values["webhook_secret"]
    details = {"n": 1, "nested": {"a": [1.5, None, "é"]}}
    entries = [
        row(AuditLog, user_id=u.values["id"], action="as-sqlalchemy", details=details)
        for u in (ours, theirs)
    ]
    entries[1].values["created_at"] = entries[0].values["created_at"]
    async with sessionmaker() as session:
        await GroupWriter().write(session, [ours, entries[0]])
        bind = session.bind
        async with bind.begin() as conn:  # type: ignore[union-attr]
            await conn.execute(User.__table__.insert(), theirs.values)  # type: ignore[attr-defined]
            audit_values = {k: v for k, v in entries[1].values.items() if k != "id"}
            await conn.execute(AuditLog.__table__.insert(), audit_values)  # type: ignore[attr-defined]
        async with bind.connect() as conn:  # type: ignore[union-attr]
            stored = {
                email: tuple(value for key, value in stored.items() if key not in ("id", "email"))
                for email, stored in (
                    (r.email, r._asdict())
                    for r in await conn.exec_driver_sql(
                        "SELECT * FROM users WHERE email LIKE '%@writer.test'"
                    )
                )
            }
            logged = [
                tuple(v for k, v in r._asdict().items() if k not in ("id", "user_id"))
                for r in await conn.exec_driver_sql(
                    "SELECT * FROM audit_log WHERE action = 'as-sqlalchemy' ORDER BY id"
                )
            ]
    assert stored["ours@writer.test"] == stored["theirs@writer.test"]
    assert len(logged) == 2 and logged[0] == logged[1]


async def test_on_sqlite_a_held_write_lock_is_waited_for_off_the_event_loop(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """The commit on the event loop's thread never waits for SQLite's write lock: while
    another connection holds it, the rows wait on a pooled connection's thread (the
    loop keeps serving) and land once it is released."""
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    shutil.copy(sqlite_template, var_dir / "platform.db")
    settings = Settings(environment="test", var_dir=var_dir, secret_key=TEST_SECRET)
    engine = make_engine(settings)
    writer = GroupWriter()
    try:
        async with make_sessionmaker(engine)() as session:
            await session.execute(select(1))  # the pool's first connection sets WAL mode
            await writer.write(session, [audit.entry("prediction", CLIENT, n=1)])
            holder = sqlite3.connect(var_dir / "platform.db", isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            try:
                waiting = asyncio.create_task(
                    writer.write(session, [audit.entry("prediction", CLIENT, n=2)])
                )
                loop = asyncio.get_running_loop()
                gaps = []
                for _ in range(20):  # the loop is free meanwhile, not held by a busy wait
                    before = loop.time()
                    await asyncio.sleep(0.01)
                    gaps.append(loop.time() - before)
                assert max(gaps) < 5 and not waiting.done()
            finally:
                holder.execute("COMMIT")
                holder.close()
            await asyncio.wait_for(waiting, 30)
            saved = (await session.scalars(select(AuditLog))).all()
        assert sorted(r.details["n"] for r in saved) == [1, 2]
    finally:
        writer.close()
        await engine.dispose()


def test_only_a_database_file_in_wal_mode_is_written_inline(tmp_path: Path) -> None:
    assert InlineWriter.of("sqlite+aiosqlite:///:memory:") is None
    rollback_journal = tmp_path / "journal.db"
    sqlite3.connect(rollback_journal).close()
    assert InlineWriter.of(f"sqlite+aiosqlite:///{rollback_journal}") is None  # commits fsync
    wal = tmp_path / "wal.db"
    with sqlite3.connect(wal) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
    inline = InlineWriter.of(f"sqlite+aiosqlite:///{wal}")
    assert inline is not None
    inline.close()
