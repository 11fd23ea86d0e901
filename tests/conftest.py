"""Fixtures: every API test runs in embedded mode (SQLite, in-memory) and against
real PostgreSQL + Redis.

Service-backed runs are skipped, with the reason, when the services do not
answer, unless `REQUIRE_SERVICES=1` (set by `.ci/run`), which turns a missing
service into a failure. Override the addresses with `TEST_POSTGRES_URL` (an
administrative URL; a throw-away database is created from it) and
`TEST_REDIS_URL`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from app.config import Settings
from app.main import create_app
from app.migrate import migrate

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
logging.getLogger("httpx").setLevel(logging.WARNING)

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false")
TEST_SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), 1.0):
            return True
    except OSError:
        return False


def services_or_skip() -> None:
    missing = [name for name, url in (("PostgreSQL", POSTGRES_URL), ("Redis", REDIS_URL))
               if not _answers(url)]
    if not missing:
        return
    reason = f"{' and '.join(missing)} not answering (TEST_POSTGRES_URL / TEST_REDIS_URL)"
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES is set but {reason}")
    pytest.skip(reason)


def _database_url(admin_url: str, name: str) -> str:
    parts = urlsplit(admin_url)
    return parts._replace(path=f"/{name}").geturl()


async def _admin(sql: str) -> None:
    import asyncpg

    parts = urlsplit(POSTGRES_URL)
    conn = await asyncpg.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
        password=parts.password, database=(parts.path or "/postgres").lstrip("/") or "postgres",
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _throwaway_database() -> Iterator[str]:
    services_or_skip()
    name = f"atp_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = _database_url(POSTGRES_URL, name)
    asyncio.run(migrate(Settings(database_url=url, environment="test")))
    yield url
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throw-away, migrated PostgreSQL database for this test session."""
    yield from _throwaway_database()


@pytest.fixture
def own_postgres_database() -> Iterator[str]:
    """A migrated database of this test's own, for a test whose worker sweeps every
    QUEUED job it finds: in the session's database it would train other tests' agents."""
    yield from _throwaway_database()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    var_dir = tmp_path_factory.mktemp("template")
    asyncio.run(migrate(Settings(var_dir=var_dir, environment="test")))
    return var_dir / "platform.db"


@pytest.fixture(params=["embedded", "services"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_settings(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, sqlite_template: Path,
) -> Callable[..., Settings]:
    """Settings for this test's backend; call it again for a second replica."""
    namespace = f"test-{uuid.uuid4().hex[:12]}"
    var_dir = tmp_path / "var"
    if not (var_dir / "platform.db").exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(sqlite_template, var_dir / "platform.db")
    db_url = request.getfixturevalue("postgres_database") if backend == "services" else None

    def factory(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "environment": "test", "var_dir": var_dir, "secret_key": TEST_SECRET,
            "redis_namespace": namespace, "data_dir": tmp_path / "data",
        }
        if backend == "services":
            values.update(database_url=db_url, redis_url=REDIS_URL)
        values.update(overrides)
        return Settings(**values)

    return factory


@pytest.fixture
def make_worker_settings(
    make_settings: Callable[..., Settings], backend: str, request: pytest.FixtureRequest,
) -> Callable[..., Settings]:
    """`make_settings` for a test that runs an ARQ worker: in services mode on a
    database of its own, since the worker's sweep enqueues every QUEUED job it finds."""
    if backend != "services":
        return make_settings
    return functools.partial(make_settings,
                             database_url=request.getfixturevalue("own_postgres_database"))


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


async def open_client(app: FastAPI) -> tuple[AsyncClient, Any]:
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    client = AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver")
    return client, lifespan


@pytest.fixture
async def app_factory() -> AsyncIterator[Callable[[Settings], Any]]:
    """Start app instances (lifespan included) and close them all at the end."""
    opened: list[tuple[AsyncClient, Any]] = []

    async def start(settings: Settings) -> AsyncClient:
        pair = await open_client(create_app(settings))
        opened.append(pair)
        return pair[0]

    yield start
    for client, lifespan in reversed(opened):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


@pytest.fixture
async def client(app_factory: Callable[[Settings], Any], settings: Settings) -> AsyncClient:
    result: AsyncClient = await app_factory(settings)
    return result


@pytest.fixture(scope="session")
def daily_artifact(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A tiny trained daily model (tests/api/serving.py), shared by the whole session."""
    from datetime import date

    from tests.api.serving import train_artifact

    return train_artifact(tmp_path_factory.mktemp("daily"), "1d", "1d", 1,
                          date(2020, 1, 1), date(2024, 6, 30), lookback=10)
