"""Redis stops while the API runs (SPEC §10): predictions keep being served from
in-process fallbacks, logouts keep holding, agent creation records the agent
durably as QUEUED, and when Redis comes back — empty, as a crashed cache node
does — the queued agent is enqueued and trained. Nothing is lost.

Each test runs its own `redis-server` on a free port (tests/utils/servers.py)
beside the session's PostgreSQL test database.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from redis.asyncio import Redis
from sqlmodel import select

from app.config import Settings
from app.models import TrainingJob
from tests.utils.client import runtime_of
from tests.utils.jobs import tiny_agent, wait_for, worker_process
from tests.utils.servers import RedisServer
from tests.utils.serving import Artifact, ready_agent
from tests.utils.users import bearer, login, user_with_tokens

logger = logging.getLogger(__name__)
pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.parametrize("backend", ["services"], indirect=True),
]

DAILY = {
    "user_segment": "quant",
    "stocks": ["AAPL"],
    "data_frequency": "1d",
    "prediction_horizon": "1d",
    "confidence_level": 0.6,
    "capital_at_risk": 0.02,
}


async def _predict(
    client: AsyncClient, headers: dict[str, str], **changes: Any
) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    response = await client.post("/api/v1/predict", json={**DAILY, **changes}, headers=headers)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    assert "RateLimit" in response.headers  # still limited, from this replica's memory
    return dict(response.json()), elapsed


async def _status(client: AsyncClient, headers: dict[str, str]) -> int:
    return (await client.get("/api/v1/auth/me", headers=headers)).status_code


async def _job(client: AsyncClient, agent_id: str) -> TrainingJob:
    async with runtime_of(client).sessionmaker() as session:
        job = (
            await session.scalars(
                select(TrainingJob).where(TrainingJob.agent_id == uuid.UUID(agent_id))
            )
        ).one()
        return job


@pytest.mark.slow
async def test_redis_killed_then_restarted_loses_nothing(
    app_factory: Callable[[Settings], Any],
    make_worker_settings: Callable[..., Settings],
    redis_server: RedisServer,
    daily_artifact: Artifact,
    tmp_path: Path,
) -> None:
    """One worker process, started before the outage, runs through it: it waits Redis
    out instead of exiting, and trains the agent created while Redis was down."""
    settings = make_worker_settings(
        redis_url=redis_server.url,
        redis_timeout_s=5.0,  # a call that waited it out stands apart from a slow machine
        heartbeat_interval_s=0.5,
        progress_write_interval_s=0.2,
        reaper_interval_s=1.0,
    )
    worker = worker_process(settings, log=tmp_path / "worker.log")
    try:
        await _outage(app_factory, settings, redis_server, daily_artifact, worker)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
        logger.info("worker log:\n%s", (tmp_path / "worker.log").read_text()[-4000:])


async def _outage(
    app_factory: Callable[[Settings], Any],
    settings: Settings,
    redis_server: RedisServer,
    daily_artifact: Artifact,
    worker: Any,
) -> None:
    api = await app_factory(settings)
    replica = await app_factory(settings)  # a second API process on the same services
    user, tokens = await user_with_tokens(api, user_segment="quant", account_equity=35_000)
    headers = bearer(tokens)
    await ready_agent(api, user["id"], daily_artifact)
    before, _ = await _predict(api, headers)
    assert before["cached"] is False
    shared, _ = await _predict(replica, headers)
    assert shared["cached"] is True  # the answer cache is on Redis, shared
    await _predict(replica, headers, confidence_level=0.7)  # the replica loads the model
    revoked_before = bearer(await login(api, user["email"]))
    assert (await api.post("/api/v1/auth/logout", headers=revoked_before)).status_code == 204

    redis_server.kill()
    killed = time.monotonic()

    # /predict: 200 on both replicas, whether the answer is new or a repeat.
    timings = []
    for client in (api, replica):
        for level in (0.61, 0.62, 0.61):
            body, elapsed = await _predict(client, headers, confidence_level=level)
            timings.append(elapsed)
        assert body["cached"] is True  # the repeat, from this replica's memory
    logger.info("predict with redis killed: %s s", [round(t, 3) for t in timings])
    assert max(timings) < 2.5, timings  # no call waited out the 5 s Redis timeout
    # Logouts hold: the one from before (now only in the database) and a new one.
    assert await _status(replica, revoked_before) == 401
    revoked_during = bearer(await login(api, user["email"]))
    assert (await api.post("/api/v1/auth/logout", headers=revoked_during)).status_code == 204
    assert await _status(replica, revoked_during) == 401
    # Agent creation: accepted and recorded durably as QUEUED.
    created = await replica.post("/api/v1/agents", json=tiny_agent(), headers=headers)
    assert created.status_code == 202, created.text
    agent_id = created.json()["agent_id"]
    assert created.json()["status"] == "QUEUED"
    assert (await _job(api, agent_id)).state == "QUEUED"
    # /readyz reports the outage (whether it should also take a replica whose
    # fallbacks still serve out of rotation is the health route's decision).
    ready = await api.get("/readyz")
    assert ready.json()["checks"]["redis"].startswith("error")

    await asyncio.sleep(3.0)  # the worker polls, fails and backs off meanwhile
    assert worker.poll() is None, "the worker exited with Redis"
    redis_server.start()  # same port, empty
    back = time.monotonic()

    # Revocations are not lost with Redis' memory, on the replica that did not make them.
    other = await app_factory(settings)  # a replica started after the outage: no memory of it
    for client in (replica, other):
        assert await _status(client, revoked_before) == 401
        assert await _status(client, revoked_during) == 401
    assert await _status(other, headers) == 200
    await _predict(other, headers, confidence_level=0.63)
    assert (await api.get("/readyz")).status_code == 200
    # Redis is used again: the rate limiter's state is back on it, and the
    # revocations were copied back from the database.
    probe = Redis.from_url(redis_server.url)
    try:
        # A first call that met Redis still waking up (a loaded machine) opens the
        # breaker for its cool-down; the limiter must be back on Redis after it.
        deadline = time.monotonic() + 15
        while not await probe.keys(f"{settings.redis_namespace}:rl:*"):
            assert time.monotonic() < deadline, "the rate limiter never used Redis again"
            await _status(other, headers)
            await asyncio.sleep(0.5)
        assert await probe.exists(f"{settings.redis_namespace}:revocations-copied")
        assert len(await probe.keys(f"{settings.redis_namespace}:revoked:*")) >= 4
    finally:
        await probe.aclose()
    # The agent created during the outage is enqueued by the sweep and trained, by the
    # worker that was running before Redis went away.
    claimed = await wait_for(
        api, tokens, agent_id, {"FETCHING_DATA", "VALIDATING", "TRAINING", "EVALUATING", "READY"}
    )
    claimed_s = time.monotonic() - back
    agent = await wait_for(api, tokens, agent_id, {"READY"}, timeout=120)
    assert agent["serving_version_id"]
    assert worker.poll() is None, "the worker exited"
    job = await _job(api, agent_id)
    assert job.state == "READY" and job.attempts == 1
    logger.info(
        "redis down %.1f s; after it came back the worker claimed the job in %.1f s "
        "(first seen %s) and it was READY %.1f s after",
        back - killed,
        claimed_s,
        claimed["status"],
        time.monotonic() - back,
    )


async def test_a_hung_redis_costs_one_timeout_not_one_per_call(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    redis_server: RedisServer,
    daily_artifact: Artifact,
) -> None:
    """SIGSTOP: connections open but nothing answers — what a Redis host that
    vanished from the network looks like. Without the breaker each of /predict's
    four Redis calls waited out its 2 s timeout: 8 s a call."""
    # The breaker's probe 5 s on: past the calls below even on a busy machine (at 2 s a
    # slow agent creation met it and waited a timeout of its own).
    settings = make_settings(redis_url=redis_server.url, redis_retry_interval_s=5.0)
    api = await app_factory(settings)
    user, tokens = await user_with_tokens(api, user_segment="quant", account_equity=35_000)
    headers = bearer(tokens)
    await ready_agent(api, user["id"], daily_artifact)
    await _predict(api, headers)
    breaker = runtime_of(api).redis_breaker

    redis_server.pause()
    try:
        timings = [
            (await _predict(api, headers, confidence_level=level))[1]
            for level in (0.61, 0.62, 0.63, 0.64, 0.62)
        ]
        started = time.perf_counter()
        created = await api.post("/api/v1/agents", json=tiny_agent(), headers=headers)
        create_s = time.perf_counter() - started
        logger.info(
            "predict with redis hung: %s s; create: %.3f s",
            [round(t, 3) for t in timings],
            create_s,
        )
        # The first call waits out one timeout, not two; the breaker then skips Redis,
        # so no later call waits for it at all (bounds in timeouts: a busy machine
        # slows every call, never by a whole timeout).
        timeout = settings.redis_timeout_s
        assert 0.9 * timeout < timings[0] < 2 * timeout, timings
        assert max(timings[1:]) < timeout, timings
        assert created.status_code == 202 and created.json()["status"] == "QUEUED"
        assert create_s < timeout
        assert breaker.is_open
    finally:
        redis_server.resume()

    await asyncio.sleep(settings.redis_retry_interval_s + 0.1)
    await _predict(api, headers, confidence_level=0.65)  # the probe: Redis answers
    assert not breaker.is_open
    agent_id = created.json()["agent_id"]  # not trained here: remove it from the shared database
    assert (await api.delete(f"/api/v1/agents/{agent_id}", headers=headers)).status_code == 204
