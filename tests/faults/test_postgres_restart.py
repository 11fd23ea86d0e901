"""PostgreSQL restarts under traffic (SPEC §10): requests in flight fail with a
clean 503 in the one error shape (never a 500, never a stack trace), and later
requests succeed without restarting the API — the pool pings on checkout and
drops connections the restart killed.

The cluster is this test's own (initdb on a free port, tests/utils/servers.py),
so `pg_ctl restart -m fast` touches nothing else.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from sqlmodel import select

from app.config import Settings
from app.migrate import migrate
from app.models import TrainingJob
from tests.utils.backends import TEST_SECRET
from tests.utils.client import runtime_of
from tests.utils.jobs import slow_agent, tiny_agent, wait_for, wait_mid_training, worker_process
from tests.utils.servers import PostgresCluster
from tests.utils.serving import Artifact, ready_agent
from tests.utils.users import PASSWORD, bearer, user_with_tokens

logger = logging.getLogger(__name__)
pytestmark = [pytest.mark.postgres, pytest.mark.slow]

DAILY = {
    "user_segment": "short_term_trader",
    "stocks": ["AAPL"],
    "data_frequency": "1d",
    "prediction_horizon": "1d",
    "confidence_level": 0.6,
    "capital_at_risk": 0.02,
}
UNLIMITED = "1000000/60"


@dataclass(frozen=True)
class Outcome:
    kind: str
    started: float
    ended: float
    status: int | None  # None: the app raised instead of answering
    body: str
    retry_after: str | None


class Traffic:
    """Concurrent clients, each repeating one kind of request until told to stop."""

    def __init__(
        self, client: AsyncClient, email: str, headers: dict[str, str], agent_id: str
    ) -> None:
        confidence = iter(range(1_000_000))
        self.requests: dict[str, Callable[[], Any]] = {
            # A new confidence level each time misses the answer cache: the whole
            # pipeline runs, including the write of the prediction row.
            "predict": lambda: client.post(
                "/api/v1/predict",
                headers=headers,
                json={**DAILY, "confidence_level": 0.5 + (next(confidence) % 4000) / 10_000},
            ),
            "agent": lambda: client.get(f"/api/v1/agents/{agent_id}", headers=headers),
            "agents": lambda: client.get("/api/v1/agents", headers=headers),
            "me": lambda: client.get("/api/v1/auth/me", headers=headers),
            "login": lambda: client.post(
                "/api/v1/auth/login", data={"username": email, "password": PASSWORD}
            ),
        }
        self.outcomes: list[Outcome] = []
        self._stop = asyncio.Event()

    async def _loop(self, kind: str) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                response = await self.requests[kind]()
            except Exception as exc:  # a 500 surfaces here: the transport re-raises it
                self.outcomes.append(
                    Outcome(kind, started, time.perf_counter(), None, repr(exc), None)
                )
                await asyncio.sleep(0.01)
                continue
            self.outcomes.append(
                Outcome(
                    kind,
                    started,
                    time.perf_counter(),
                    response.status_code,
                    response.text,
                    response.headers.get("Retry-After"),
                )
            )
            if response.status_code != 200:
                await asyncio.sleep(0.01)

    async def run_during(self, fault: Callable[[], Any], after_s: float) -> tuple[float, float]:
        """Run traffic, the fault (in a thread) and `after_s` more; return the fault's span."""
        tasks = [asyncio.create_task(self._loop(kind)) for kind in self.requests for _ in range(2)]
        await asyncio.sleep(0.5)
        fault_started = time.perf_counter()
        await asyncio.to_thread(fault)
        fault_ended = time.perf_counter()
        await asyncio.sleep(after_s)
        self._stop.set()
        await asyncio.gather(*tasks)
        return fault_started, fault_ended


def _assert_clean_503(outcome: Outcome) -> None:
    assert outcome.status == 503, outcome
    assert "Traceback" not in outcome.body and "asyncpg" not in outcome.body, outcome
    body = json.loads(outcome.body)
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == "service_unavailable", body
    assert outcome.retry_after is not None and int(outcome.retry_after) > 0


async def _settings(cluster: PostgresCluster, tmp_path: Path, redis_url: str | None) -> Settings:
    await migrate(Settings(database_url=cluster.url, environment="test"))
    return Settings(
        environment="test",
        var_dir=tmp_path / "var",
        data_dir=tmp_path / "data",
        secret_key=TEST_SECRET,
        database_url=cluster.url,
        redis_url=redis_url,
        redis_namespace=f"fault-{uuid.uuid4().hex[:12]}",
        db_connect_timeout_s=2.0,
        db_pool_timeout_s=2.0,
        rate_limit_default=UNLIMITED,
        rate_limit_predict=UNLIMITED,
        rate_limit_login=UNLIMITED,
    )


@pytest.mark.parametrize("with_redis", [False, True], ids=["postgres", "postgres+redis"])
async def test_postgres_restart_under_traffic(
    app_factory: Callable[[Settings], Any],
    tmp_path: Path,
    postgres_cluster: PostgresCluster,
    daily_artifact: Artifact,
    with_redis: bool,
    request: pytest.FixtureRequest,
) -> None:
    redis_url = request.getfixturevalue("redis_server").url if with_redis else None
    settings = await _settings(postgres_cluster, tmp_path, redis_url)
    client = await app_factory(settings)
    user, tokens = await user_with_tokens(client, account_equity=35_000)
    headers = bearer(tokens)
    agent_id, _ = await ready_agent(client, user["id"], daily_artifact)
    assert (await client.post("/api/v1/predict", json=DAILY, headers=headers)).status_code == 200

    traffic = Traffic(client, user["email"], headers, agent_id)
    down, up = await traffic.run_during(postgres_cluster.restart, after_s=2.0)

    outcomes = traffic.outcomes
    raised = [o for o in outcomes if o.status is None]
    assert not raised, raised[:3]
    assert {o.status for o in outcomes} <= {200, 503}, {o.status for o in outcomes}
    failed = [o for o in outcomes if o.status == 503]
    for outcome in failed:
        _assert_clean_503(outcome)
    assert failed, "no request noticed the restart"
    # The pool recovers by itself: every request begun once the server was back succeeds.
    later = [o for o in outcomes if o.started >= up]
    assert later and all(o.status == 200 for o in later), [o for o in later if o.status != 200]
    for kind in traffic.requests:
        assert any(o.kind == kind and o.status == 200 for o in later), kind
    if not with_redis:  # embedded mode's training runner survived the outage too
        assert all(
            not task._task.done()
            for task in runtime_of(client).background  # type: ignore[attr-defined]
            if getattr(task, "_task", None) is not None
        )

    first_ok = min((o.ended for o in later if o.status == 200), default=up) - up
    logger.info(
        "postgres restart (%s): %d requests, %d answered 503 (max %.3f s each) between "
        "%.2f s and %.2f s after the restart began; pg_ctl restart took %.2f s; first 200 "
        "%.3f s after it returned; %d later requests all 200",
        "with redis" if with_redis else "no redis",
        len(outcomes),
        len(failed),
        max(o.ended - o.started for o in failed),
        min(o.started for o in failed) - down,
        max(o.ended for o in failed) - down,
        up - down,
        first_ok,
        len(later),
    )


@pytest.mark.parametrize("with_redis", [False, True], ids=["embedded", "worker"])
async def test_a_training_run_outlasts_a_postgres_restart(
    app_factory: Callable[[Settings], Any],
    tmp_path: Path,
    postgres_cluster: PostgresCluster,
    with_redis: bool,
    request: pytest.FixtureRequest,
) -> None:
    """The job keeps training through the restart — in the embedded runner, or in a
    worker process that itself runs on: its heartbeat, progress and stage writes wait
    the outage out instead of abandoning the run (which the reaper would only
    re-queue a minute later, spending an attempt), and its scheduler keeps ticking."""
    redis_url = request.getfixturevalue("redis_server").url if with_redis else None
    settings = (await _settings(postgres_cluster, tmp_path, redis_url)).model_copy(
        update={
            "heartbeat_interval_s": 0.3,
            "progress_write_interval_s": 0.1,
            "training_max_attempts": 1,
            "reaper_interval_s": 1.0,
            # Not the traffic test's 2 s, there to fail fast while the server is down
            # (a refused connection fails at once anyway): with a worker process starting
            # beside it on a loaded machine, a first connection took longer, and the
            # registration before the restart read it as an outage.
            "db_connect_timeout_s": 10.0,
            "db_pool_timeout_s": 10.0,
        }
    )
    worker = worker_process(settings, log=tmp_path / "worker.log") if with_redis else None
    try:
        await _train_through_a_restart(app_factory, settings, postgres_cluster)
        if worker is not None:
            assert worker.poll() is None, "the worker exited with PostgreSQL"
            # ...and still trains: a second agent, after the restart.
            await _train_through_a_restart(app_factory, settings, None)
            assert worker.poll() is None
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)


async def _train_through_a_restart(
    app_factory: Callable[[Settings], Any],
    settings: Settings,
    postgres_cluster: PostgresCluster | None,
) -> None:
    """Without `postgres_cluster`: a small agent trains, nothing restarted."""
    client = await app_factory(settings)
    _, tokens = await user_with_tokens(client, user_segment="quant")
    body = slow_agent(seed=0) if postgres_cluster is not None else tiny_agent()
    created = await client.post("/api/v1/agents", json=body, headers=bearer(tokens))
    assert created.status_code == 202, created.text
    agent_id = created.json()["agent_id"]
    restarted_at = datetime.now(UTC)
    if postgres_cluster is not None:
        await wait_mid_training(client, tokens, agent_id)
        restarted_at = datetime.now(UTC)
        started = time.perf_counter()
        await asyncio.to_thread(postgres_cluster.restart)
        logger.info("pg_ctl restart during training took %.2f s", time.perf_counter() - started)

    agent = await wait_for(client, tokens, agent_id, {"READY"}, timeout=120)
    logger.info(
        "READY %.1f s after the restart began", (datetime.now(UTC) - restarted_at).total_seconds()
    )
    assert agent["serving_version_id"]
    job = await _job(client, agent_id)
    assert job.attempts == 1 and job.state == "READY"
    assert job.finished_at is not None and job.finished_at > restarted_at  # trained through it


async def _job(client: AsyncClient, agent_id: str) -> TrainingJob:
    async with runtime_of(client).sessionmaker() as session:
        job = (
            await session.scalars(
                select(TrainingJob).where(TrainingJob.agent_id == uuid.UUID(agent_id))
            )
        ).one()
        return job
