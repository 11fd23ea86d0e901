"""Fixtures of the fault tests: throw-away servers and a trained artifact."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.utils.servers import PostgresCluster, RedisServer
from tests.utils.serving import Artifact, train_artifact


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test's own, which it may kill, pause and restart."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster of this test's own, which it may restart."""
    cluster = PostgresCluster()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="session")
def daily_artifact(tmp_path_factory: pytest.TempPathFactory) -> Artifact:
    """A tiny daily model, trained once for the session by the job's own code."""
    return train_artifact(
        tmp_path_factory.mktemp("fault-daily"),
        "1d",
        "1d",
        1,
        date(2020, 1, 1),
        date(2024, 6, 30),
        lookback=10,
    )
