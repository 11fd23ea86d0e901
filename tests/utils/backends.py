"""The PostgreSQL and Redis the service-backed tests run against.

Service-backed runs are skipped, with the reason, when the services do not
answer, unless `REQUIRE_SERVICES=1` (set by `.ci/run`), which turns a missing
service into a failure. Override the addresses with `TEST_POSTGRES_URL` (an
administrative URL; a throw-away database is created from it) and
`TEST_REDIS_URL`.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from app.config import Settings
from app.migrate import migrate

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
    missing = [
        name
        for name, url in (("PostgreSQL", POSTGRES_URL), ("Redis", REDIS_URL))
        if not _answers(url)
    ]
    if not missing:
        return
    reason = f"{' and '.join(missing)} not answering (TEST_POSTGRES_URL / TEST_REDIS_URL)"
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES is set but {reason}")
    pytest.skip(reason)


def postgres_url(name: str) -> str:
    """The URL of the database `name` on the tests' PostgreSQL server."""
    return urlsplit(POSTGRES_URL)._replace(path=f"/{name}").geturl()


async def admin(sql: str) -> None:
    """Run `sql` on the administrative connection (CREATE / DROP DATABASE)."""
    import asyncpg

    parts = urlsplit(POSTGRES_URL)
    conn = await asyncpg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        database=(parts.path or "/postgres").lstrip("/") or "postgres",
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def throwaway_database() -> Iterator[str]:
    """A migrated PostgreSQL database of its own (its URL), dropped afterwards."""
    services_or_skip()
    name = f"atp_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = postgres_url(name)
    asyncio.run(migrate(Settings(database_url=url, environment="test")))
    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
