"""The row cache: a caller's account and /predict's agents kept between requests while
the database's change stamp says no committed write touched them, from any process."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import event, text, update
from sqlmodel import col

from app.change_listener import ChangeListener
from app.change_stamp import of_database, touches_watched
from app.config import Settings
from app.db import make_engine
from app.models import User
from app.sqlite_connection import OneTripConnection
from tests.utils.client import runtime_of
from tests.utils.db import database
from tests.utils.serving import Artifact, ready_agent
from tests.utils.users import bearer, user_with_tokens

DAILY = {
    "user_segment": "short_term_trader",
    "stocks": ["AAPL"],
    "data_frequency": "1d",
    "prediction_horizon": "1d",
}
EMBEDDED = pytest.mark.parametrize("backend", ["embedded"])


@pytest.fixture
def statements(client: AsyncClient) -> list[str]:
    """The SQL the app behind `client` sends, in order."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(runtime_of(client).engine.sync_engine, "before_cursor_execute", record)
    return seen


def _reads(statements: list[str], table: str) -> list[str]:
    return [s for s in statements if s.lstrip().startswith("SELECT") and f"FROM {table}" in s]


_IN_ANOTHER_PROCESS = """
import asyncio, sys
from pathlib import Path
from sqlalchemy import text
from app.config import Settings
from app.db import make_engine
from app.models import User

async def main() -> None:
    engine = make_engine(Settings(var_dir=Path(sys.argv[1]), environment="test", database_url=None))
    async with engine.begin() as conn:
        await conn.execute(text(sys.argv[2]), {"id": sys.argv[3]})
    await engine.dispose()

asyncio.run(main())
"""


async def _write_in_another_process(settings: Settings, sql: str, row_id: str) -> None:
    """`sql` (on the row whose id is `:id`) committed by a separate Python process through
    the app's own engine, as another API process or the training child would write it."""
    hex_id = uuid.UUID(row_id).hex  # how SQLite holds a UUID
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _IN_ANOTHER_PROCESS, str(settings.var_dir), sql, hex_id
    )
    assert await process.wait() == 0


def test_what_counts_as_a_write_to_a_kept_table() -> None:
    assert touches_watched("UPDATE users SET is_active=? WHERE users.id = ?")
    assert touches_watched("  insert into token_revocations (key) values (?)")
    assert touches_watched("DELETE FROM agents WHERE agents.id = ?")
    assert touches_watched("WITH doomed AS (SELECT 1) DELETE FROM agents")
    assert not touches_watched("SELECT users.id FROM users WHERE users.id = ?")
    assert not touches_watched("INSERT INTO predictions (user_id, agent_id) VALUES (?, ?)")
    assert not touches_watched("INSERT INTO agent_versions (id, agent_id) VALUES (?, ?)")
    assert not touches_watched("PRAGMA wal_checkpoint(PASSIVE)")


async def test_the_stamp_changes_only_once_a_write_to_a_kept_table_commits(
    tmp_path: Path,
) -> None:
    settings = Settings(var_dir=tmp_path, environment="test", database_url=None)
    stamp = of_database(settings.sqlalchemy_database_url)
    assert stamp is not None and stamp.path == (tmp_path / "platform.db-stamp").resolve()
    engine = make_engine(settings)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)"))
            await conn.execute(text("CREATE TABLE predictions (id INTEGER PRIMARY KEY, n INT)"))
        before = stamp.read()
        async with engine.connect() as conn:
            await conn.execute(text("INSERT INTO users (name) VALUES ('a')"))
            assert stamp.read() == before  # not before the commit
            await conn.commit()
        after = stamp.read()
        assert after != before
        async with engine.connect() as conn:
            await conn.execute(text("UPDATE users SET name = 'b'"))
            await conn.rollback()
            await conn.execute(text("SELECT name FROM users"))
            await conn.execute(text("INSERT INTO predictions (n) VALUES (1)"))
            await conn.commit()
            assert stamp.read() == after  # rolled back, read, or another table
            driver = (await conn.get_raw_connection()).driver_connection
            assert isinstance(driver, OneTripConnection)
            await driver.insert_and_commit([("INSERT INTO predictions (n) VALUES (?)", [(2,)])])
            assert stamp.read() == after
            await driver.insert_and_commit([("INSERT INTO users (name) VALUES (?)", [("c",)])])
            assert stamp.read() != after
    finally:
        await engine.dispose()


def test_only_a_database_file_has_a_stamp() -> None:
    assert of_database("postgresql+asyncpg://u@localhost/db") is None
    assert of_database("sqlite+aiosqlite:///:memory:") is None


@EMBEDDED
async def test_the_caller_is_read_once_and_a_change_from_another_process_is_seen(
    client: AsyncClient,
    settings: Settings,
    statements: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    user, tokens = await user_with_tokens(client)
    headers = bearer(tokens)
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    statements.clear()
    for _ in range(3):
        assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    assert _reads(statements, "users") == []
    await _write_in_another_process(
        settings, "UPDATE users SET is_active = 0 WHERE id = :id", user["id"]
    )
    response = await client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 401, response.text
    assert "no longer exists or is disabled" in caplog.text


@EMBEDDED
async def test_a_logout_ends_a_kept_caller_at_once(client: AsyncClient) -> None:
    _user, tokens = await user_with_tokens(client)
    headers = bearer(tokens)
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    runtime_of(client).revocations._known.clear()  # another process: only the table knows
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    runtime_of(client).revocations._known.clear()
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401


@EMBEDDED
async def test_predict_reads_no_user_or_agent_while_they_are_unchanged(
    client: AsyncClient,
    settings: Settings,
    statements: list[str],
    daily_artifact: Artifact,
) -> None:
    user, tokens = await user_with_tokens(client)
    headers = {**bearer(tokens), "Cache-Control": "no-cache"}
    agent_id, _version = await ready_agent(client, user["id"], daily_artifact)
    chosen = {**DAILY, "agent_ids": {"AAPL": agent_id}}
    for body in (DAILY, chosen):
        first = await client.post("/api/v1/predict", json=body, headers=headers)
        assert first.status_code == 200, first.text
    statements.clear()
    for body in (DAILY, chosen, DAILY):
        response = await client.post("/api/v1/predict", json=body, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["agent_id"] == agent_id
    assert _reads(statements, "users") == [] and _reads(statements, "agents") == []
    saved = await client.get("/api/v1/predictions", params={"limit": 100}, headers=headers)
    assert len(saved.json()["items"]) == 5  # each call still saved (by the group commit)
    await _write_in_another_process(
        settings, "UPDATE agents SET serving_version_id = NULL WHERE id = :id", agent_id
    )
    gone = await client.post("/api/v1/predict", json=DAILY, headers=headers)
    assert gone.status_code == 409 and gone.json()["error"]["code"] == "no_ready_agent"
    chosen_gone = await client.post("/api/v1/predict", json=chosen, headers=headers)
    assert chosen_gone.status_code == 409
    assert chosen_gone.json()["error"]["code"] == "agent_not_ready"


@pytest.mark.parametrize("backend", ["embedded", "services"])
async def test_nothing_is_kept_when_turned_off(
    app_factory: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    client = await app_factory(make_settings(row_cache_ttl_s=0))
    assert not runtime_of(client).rows.enabled
    _user, tokens = await user_with_tokens(client)
    assert await _user_reads(client, bearer(tokens), 2) == 2


async def _user_reads(client: AsyncClient, headers: dict[str, str], calls: int) -> int:
    """How many times `calls` authenticated requests read the caller's row."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    engine = runtime_of(client).engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        for _ in range(calls):
            assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(_reads(seen, "users"))


async def _until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("backend", ["services"])
async def test_with_postgresql_a_committed_change_is_heard_from_another_connection(
    client: AsyncClient, settings: Settings
) -> None:
    listener = runtime_of(client).rows.source
    assert isinstance(listener, ChangeListener)
    await _until(lambda: listener.read() is not None)
    user, tokens = await user_with_tokens(client)
    headers = bearer(tokens)
    await listener.heard()  # the account's creation
    await _user_reads(client, headers, 2)  # the first after Redis' refill asks the database
    assert await _user_reads(client, headers, 3) == 0
    before = listener.read()
    async with database(settings) as sessionmaker, sessionmaker() as session:
        await session.execute(
            update(User).where(col(User.id) == uuid.UUID(user["id"])).values(full_name="Ann")
        )
        await session.commit()
    await listener.heard()
    assert listener.read() != before
    me = await client.get("/api/v1/auth/me", headers=headers)
    assert me.json()["full_name"] == "Ann"


@pytest.mark.parametrize("backend", ["services"])
async def test_with_postgresql_nothing_is_kept_while_the_listener_is_down(
    client: AsyncClient,
) -> None:
    listener = runtime_of(client).rows.source
    assert isinstance(listener, ChangeListener)
    listener.interval_s = 0.2
    await _until(lambda: listener.read() is not None)
    _user, tokens = await user_with_tokens(client)
    headers = bearer(tokens)
    await listener.heard()
    await _user_reads(client, headers, 2)
    assert await _user_reads(client, headers, 2) == 0
    # The server refuses the listener's reconnections until the calls below are made.
    args, kwargs = listener._connect_args
    listener._connect_args = (args, {**kwargs, "port": 1})
    async with runtime_of(client).engine.connect() as conn:
        await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": listener.pid})
    await _until(lambda: listener.read() is None)
    assert await _user_reads(client, headers, 2) == 2
    listener._connect_args = (args, kwargs)
    await _until(lambda: listener.read() is not None)  # back, and heard nothing meanwhile
    assert await _user_reads(client, headers, 3) == 1
