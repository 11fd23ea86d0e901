"""Migrations: `upgrade head` then `downgrade base` on empty databases, both clean."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from app.config import Settings
from app.migrate import migrate
from tests.utils.backends import admin, postgres_url, services_or_skip


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def _round_trip(settings: Settings) -> None:
    url = settings.sqlalchemy_database_url
    await migrate(settings)
    assert set(SQLModel.metadata.tables) <= await _tables(url)
    await migrate(settings)  # a second upgrade is a no-op
    await migrate(settings, "base", downgrade=True)
    assert await _tables(url) <= {"alembic_version"}
    await migrate(settings)  # and back up again after a full downgrade


def test_sqlite_upgrade_and_downgrade(tmp_path: Path) -> None:
    asyncio.run(_round_trip(Settings(var_dir=tmp_path, environment="test")))


def test_postgres_upgrade_and_downgrade() -> None:
    services_or_skip()
    name = f"atp_mig_{uuid.uuid4().hex[:10]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        asyncio.run(_round_trip(Settings(database_url=postgres_url(name), environment="test")))
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_concurrent_upgrades_on_postgres_serialise() -> None:
    """Several replicas starting at once: the advisory lock lets one migrate."""
    services_or_skip()
    name = f"atp_mig_{uuid.uuid4().hex[:10]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    settings = Settings(database_url=postgres_url(name), environment="test")

    async def three_at_once() -> None:
        await asyncio.gather(*(migrate(settings) for _ in range(3)))

    try:
        asyncio.run(three_at_once())
        tables = asyncio.run(_tables(settings.sqlalchemy_database_url))
        assert set(SQLModel.metadata.tables) <= tables
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_a_migrated_sqlite_file_is_already_in_wal_mode(tmp_path: Path) -> None:
    """The app never has to switch a fresh file's journal while requests race for it."""
    import sqlite3

    asyncio.run(migrate(Settings(var_dir=tmp_path, environment="test")))
    with sqlite3.connect(tmp_path / "platform.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def _a_0003_call_after_0004(settings: Settings) -> tuple[bool, float | None]:
    """A prediction stored before 0004, as 0004 leaves it: (in_sample, reference_price)."""
    import sqlalchemy as sa

    from app.models import Prediction, User
    from app.models.base import utcnow
    from tests.utils.predictions import prediction_row
    from tests.utils.users import user_row

    users: sa.Table = User.__table__  # type: ignore[attr-defined]
    predictions: sa.Table = Prediction.__table__  # type: ignore[attr-defined]
    then = sa.Table(  # the predictions table as 0003 made it
        "predictions",
        sa.MetaData(),
        *(
            sa.Column(c.name, c.type, primary_key=c.primary_key)
            for c in predictions.columns
            if c.name not in ("reference_price", "in_sample")
        ),
    )
    user = user_row()
    row = prediction_row(user.id, created_at=utcnow())
    await migrate(settings, "0003")
    engine = create_async_engine(settings.sqlalchemy_database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                users.insert().values({c.name: getattr(user, c.name) for c in users.columns})
            )
            await conn.execute(
                then.insert().values({c.name: getattr(row, c.name) for c in then.columns})
            )
        await migrate(settings)
        async with engine.connect() as conn:
            query = sa.select(predictions.c.in_sample, predictions.c.reference_price)
            in_sample, reference = (await conn.execute(query)).one()
    finally:
        await engine.dispose()
    return in_sample, reference


def test_calls_stored_before_0004_count_and_are_judged_from_their_entry(tmp_path: Path) -> None:
    """Out of sample (they count, as they did) and no reference close (their entry)."""
    settings = Settings(var_dir=tmp_path, environment="test")
    assert asyncio.run(_a_0003_call_after_0004(settings)) == (False, None)


def test_calls_stored_before_0004_on_postgres() -> None:
    services_or_skip()
    name = f"atp_mig_{uuid.uuid4().hex[:10]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        settings = Settings(database_url=postgres_url(name), environment="test")
        assert asyncio.run(_a_0003_call_after_0004(settings)) == (False, None)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


TABLES = ("users", "agents", "agent_versions", "idempotency_keys")


async def _a_creation_key_after_0011(settings: Settings) -> tuple[Any, Any]:
    """A creation's key stored before 0011, as 0011 leaves it: (its version_id, the id
    of its agent's first version). Rows go in through the tables as 0010 had them."""
    import sqlalchemy as sa

    from app.models import IdempotencyKey
    from tests.utils.agents import agent_rows
    from tests.utils.users import user_row

    user = user_row()
    agent, first = agent_rows(user.id)
    assert first is not None
    second = first.model_copy(update={"id": uuid.uuid4(), "number": 2})
    key = IdempotencyKey(
        user_id=user.id, key="before-0011", request_hash="0" * 64, agent_id=agent.id
    )
    await migrate(settings, "0010")
    engine = create_async_engine(settings.sqlalchemy_database_url)
    try:
        async with engine.begin() as conn:
            then = await conn.run_sync(lambda c: {t: inspect(c).get_columns(t) for t in TABLES})
            for row in (user, agent, first, second, key):
                model: sa.Table = type(row).__table__  # type: ignore[union-attr]
                present = {column["name"] for column in then[model.name]}
                table = sa.Table(  # the table as 0010 had it, with the model's column types
                    model.name,
                    sa.MetaData(),
                    *(sa.Column(c.name, c.type) for c in model.columns if c.name in present),
                )
                values = {c.name: getattr(row, c.name) for c in table.columns}
                if model.name == "idempotency_keys":
                    del values["id"]  # autoincrement
                await conn.execute(table.insert().values(values))
        await migrate(settings)
        keys: sa.Table = IdempotencyKey.__table__  # type: ignore[attr-defined]
        async with engine.connect() as conn:
            stored = (await conn.execute(sa.select(keys.c.version_id))).scalar_one()
    finally:
        await engine.dispose()
    return stored, first.id


def test_creation_keys_stored_before_0011_name_the_first_version(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, environment="test")
    stored, first = asyncio.run(_a_creation_key_after_0011(settings))
    assert stored == first


def test_creation_keys_stored_before_0011_on_postgres() -> None:
    services_or_skip()
    name = f"atp_mig_{uuid.uuid4().hex[:10]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        settings = Settings(database_url=postgres_url(name), environment="test")
        stored, first = asyncio.run(_a_creation_key_after_0011(settings))
        assert stored == first
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
