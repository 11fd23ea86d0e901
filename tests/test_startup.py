"""Start-up and the schema: embedded migrates itself, PostgreSQL must be at head.

A fresh embedded directory (no `python -m app.migrate`) serves at once; processes
starting together on one fresh file migrate one at a time. A PostgreSQL database
that is empty or behind makes the API refuse to start, in one log line naming
`python -m app.migrate`, with a non-zero exit. `/readyz` tells a schema that fell
behind ("not migrated") from a database that is down ("unavailable").
"""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import text

from app.config import Settings
from app.db import schema_revisions
from app.main import create_app
from app.migrate import SchemaNotMigrated
from tests.utils.backends import TEST_SECRET, admin, postgres_url, services_or_skip
from tests.utils.client import open_client, runtime_of
from tests.utils.live_server import live_server, start_server, stop_server
from tests.utils.users import register


@pytest.fixture
def empty_postgres_database() -> Iterator[str]:
    """A PostgreSQL database of its own that nobody migrated."""
    services_or_skip()
    name = f"atp_empty_{uuid.uuid4().hex[:10]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield postgres_url(name)
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _fresh(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "var_dir": tmp_path / "var",
        "data_dir": tmp_path / "data",
        "secret_key": TEST_SECRET,
        "outcomes_interval_s": 0,
    }
    values.update(overrides)
    return Settings(**values)


async def test_a_fresh_embedded_start_migrates_and_serves(tmp_path: Path) -> None:
    settings = _fresh(tmp_path)
    assert not (settings.var_dir / "platform.db").exists()
    client, lifespan = await open_client(create_app(settings))
    try:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        await register(client)  # 201, not "The database is unavailable"
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


async def test_processes_starting_together_on_one_fresh_file_all_serve(tmp_path: Path) -> None:
    """The file lock: one migrates, the others wait and find nothing left to do."""
    settings = _fresh(tmp_path)
    apps = [create_app(settings) for _ in range(3)]
    opened = await asyncio.gather(*(open_client(app) for app in apps))
    try:
        for client, _ in opened:
            await register(client)
            assert (await client.get("/readyz")).status_code == 200
    finally:
        for client, lifespan in opened:
            await client.aclose()
            await lifespan.__aexit__(None, None, None)


def test_uvicorn_on_a_fresh_embedded_directory_serves(tmp_path: Path) -> None:
    """`uvicorn app.main:app` as a new user runs it: no migration step first."""
    import httpx

    with live_server(tmp_path) as server:
        response = httpx.post(
            f"{server.url}/api/v1/auth/register",
            json={
                "email": "fresh@example.com",
                "password": "correct horse battery staple",
                "user_segment": "investor",
            },
        )
        assert response.status_code == 201, (response.text, server.output())
    assert "migrating" in server.output()


async def test_an_unmigrated_postgres_refuses_to_start(empty_postgres_database: str) -> None:
    app = create_app(Settings(environment="test", database_url=empty_postgres_database))
    with pytest.raises(SchemaNotMigrated, match=r"python -m app\.migrate"):
        await open_client(app)


def test_uvicorn_on_an_unmigrated_postgres_exits_with_one_line(
    tmp_path: Path, empty_postgres_database: str
) -> None:
    server = start_server(tmp_path, database_url=empty_postgres_database)
    try:
        code = server.process.wait(60)
    except subprocess.TimeoutExpired:
        stop_server(server)
        raise AssertionError(f"the server started:\n{server.output()}") from None
    output = server.output()
    assert code != 0, output
    refusals = [line for line in output.splitlines() if "python -m app.migrate" in line]
    assert len(refusals) == 1, output
    assert "ERROR" in refusals[0] and schema_revisions().head in refusals[0]
    assert "Traceback" not in output, output


@pytest.fixture
def own_settings(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Callable[..., Settings]:
    """A database of this test's own (it rewrites alembic_version)."""
    if backend == "services":
        url = request.getfixturevalue("own_postgres_database")
        return lambda: _fresh(tmp_path, database_url=url)
    return lambda: _fresh(tmp_path)


async def test_readyz_says_not_migrated_when_the_schema_falls_behind(
    app_factory: Callable[[Settings], Any], own_settings: Callable[..., Settings]
) -> None:
    client: AsyncClient = await app_factory(own_settings())
    assert (await client.get("/readyz")).status_code == 200
    async with runtime_of(client).engine.begin() as conn:  # as if restored from an old backup
        await conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    ready = await client.get("/readyz")
    assert ready.status_code == 503, ready.text
    body = ready.json()
    assert body["error"]["code"] == "not_migrated"
    assert "python -m app.migrate" in body["error"]["message"]
    assert body["checks"]["database"] == "not migrated"
    assert ready.headers["Retry-After"]
