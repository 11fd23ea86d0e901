"""Fixtures: every API test runs in embedded mode (SQLite, in-memory) and against
real PostgreSQL + Redis.

Service-backed runs are skipped, with the reason, when the services do not
answer, unless `REQUIRE_SERVICES=1` (set by `.ci/run`), which turns a missing
service into a failure (tests/utils/backends.py: the addresses and that rule).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient

from app.config import Settings
from app.main import create_app
from app.migrate import migrate
from tests.utils.backends import REDIS_URL, TEST_SECRET, throwaway_database
from tests.utils.client import open_client

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# JAX compiles each new model afresh, which a test's tiny model does not repay, and
# the timing of the worker tests assumes TensorFlow's pace: every test, its servers and
# workers train under TensorFlow (tests/ml/test_training_backend.py picks JAX itself).
os.environ.setdefault("KERAS_TRAINING_BACKEND", "tensorflow")
logging.getLogger("httpx").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throw-away, migrated PostgreSQL database for this test session."""
    yield from throwaway_database()


@pytest.fixture
def own_postgres_database() -> Iterator[str]:
    """A migrated database of this test's own, for a test whose worker sweeps every
    QUEUED job it finds: in the session's database it would train other tests' agents."""
    yield from throwaway_database()


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
    backend: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    sqlite_template: Path,
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
            "environment": "test",
            "var_dir": var_dir,
            "secret_key": TEST_SECRET,
            "redis_namespace": namespace,
            "data_dir": tmp_path / "data",
            # Each fold is a training run: tests about walk-forward turn it on.
            "walk_forward_folds": 0,
        }
        if backend == "services":
            values.update(database_url=db_url, redis_url=REDIS_URL)
        values.update(overrides)
        return Settings(**values)

    return factory


@pytest.fixture
def make_worker_settings(
    make_settings: Callable[..., Settings],
    backend: str,
    request: pytest.FixtureRequest,
) -> Callable[..., Settings]:
    """`make_settings` for a test that runs an ARQ worker: in services mode on a
    database of its own, since the worker's sweep enqueues every QUEUED job it finds."""
    if backend != "services":
        return make_settings
    return functools.partial(
        make_settings, database_url=request.getfixturevalue("own_postgres_database")
    )


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


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
    """A tiny trained daily model (tests/utils/serving.py), shared by the whole session."""
    from datetime import date

    from tests.utils.serving import train_artifact

    return train_artifact(
        tmp_path_factory.mktemp("daily"),
        "1d",
        "1d",
        1,
        date(2020, 1, 1),
        date(2024, 6, 30),
        lookback=10,
    )


@pytest.fixture(scope="session")
def minute_artifact(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """1-minute bars, 1h horizon: what the seed's example request asks for (a tiny
    model), shared by the whole session."""
    from datetime import date

    from tests.utils.serving import train_artifact

    return train_artifact(
        tmp_path_factory.mktemp("minute"),
        "1min",
        "1h",
        60,
        date(2025, 4, 1),
        date(2025, 5, 15),
        lookback=30,
    )
