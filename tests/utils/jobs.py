"""Training jobs end to end: tiny agents to create, waiting for a state, ARQ workers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from httpx import AsyncClient

from app.config import Settings
from app.tasks.worker import make_worker
from tests.utils.users import bearer

FINAL = {"READY", "FAILED", "CANCELLED"}
ROOT = Path(__file__).resolve().parents[2]


def tiny_agent(architecture: str = "LSTM", **overrides: Any) -> dict[str, Any]:
    """About a thousand daily bars and a very small network: seconds to train.

    The agent ends READY; whether with an edge on the synthetic source's weak planted
    momentum does not matter here. The seed is pinned so its metrics are reproducible."""
    body: dict[str, Any] = {
        "name": f"tiny {architecture}",
        "symbol": "AAPL",
        "data_source": "synthetic",
        # The indicators' 410-bar warm-up ends on 2020-02-17: the first training row.
        "start_date": "2018-07-23",
        "end_date": "2023-12-31",
        "data_frequency": "1d",
        "prediction_horizon": "1d",
        "features": ["SMA", "EMA", "MACD", "volatility"],
        "model_preferences": {
            "architecture": architecture,
            "epochs": 2,
            "lookback": 10,
            "units": 8,
            "layers": 1,
            "batch_size": 64,
            "seed": 0,
        },
    }
    body.update(overrides)
    return body


def slow_agent(**preferences: Any) -> dict[str, Any]:
    """A tiny agent with more history and epochs: training lasts long enough for a
    test to kill or restart something while it runs. Batches of 8: with 32, a fast
    machine ran the five epochs after the first (0.3 s each) in the time between a
    test seeing epoch 1 (`wait_mid_training`) and its SIGTERM reaching the run."""
    return tiny_agent(
        "LSTM",
        start_date="2012-01-01",
        model_preferences={
            "architecture": "LSTM",
            "epochs": 6,
            "lookback": 20,
            "units": 16,
            "layers": 1,
            "batch_size": 8,
            **preferences,
        },
    )


async def wait_for(
    client: AsyncClient,
    tokens: dict[str, Any],
    agent_id: str,
    statuses: set[str],
    timeout: float = 180.0,
    predicate: Any = None,
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    agent: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = await client.get(f"/api/v1/agents/{agent_id}", headers=bearer(tokens))
        agent = response.json()
        if agent.get("status") in statuses and (predicate is None or predicate(agent)):
            return agent
        if agent.get("status") in FINAL - statuses:
            raise AssertionError(f"agent ended {agent['status']}: {agent.get('failure_reason')}")
        await asyncio.sleep(0.25)
    raise AssertionError(f"agent still {agent.get('status')} after {timeout} s")


async def wait_mid_training(
    client: AsyncClient, tokens: dict[str, Any], agent_id: str, timeout: float = 120.0
) -> dict[str, Any]:
    """Until the agent is TRAINING with an epoch done: a test can then kill, restart or
    cancel something under a run that is truly under way."""
    return await wait_for(
        client,
        tokens,
        agent_id,
        {"TRAINING"},
        timeout=timeout,
        predicate=lambda a: a["progress"].get("epoch", 0) >= 1,
    )


@contextlib.asynccontextmanager
async def arq_worker(settings: Settings, **options: Any) -> AsyncIterator[Any]:
    """A real ARQ worker on the test's Redis and database, in this event loop
    (`options`: those of `make_worker`, e.g. the `http` client of a fake vendor)."""
    worker = make_worker(settings, handle_signals=False, poll_delay=0.1, **options)
    task = asyncio.create_task(worker.async_run())
    try:
        yield worker
    finally:
        await worker.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


def worker_process(
    settings: Settings, log: Path | None = None, **env: str
) -> subprocess.Popen[bytes]:
    """`python -m app.tasks.worker` for `settings`, in a session of its own (so a test
    can SIGKILL it with its training process); its output goes to `log`, if given."""
    environment = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": settings.redis_url or "",
        "REDIS_NAMESPACE": settings.redis_namespace,
        "VAR_DIR": str(settings.var_dir),
        "SECRET_KEY": settings.jwt_secret(),
        "HEARTBEAT_INTERVAL_S": str(settings.heartbeat_interval_s),
        "PROGRESS_WRITE_INTERVAL_S": str(settings.progress_write_interval_s),
        "STALE_JOB_AFTER_S": str(settings.stale_job_after_s),
        "REAPER_INTERVAL_S": str(settings.reaper_interval_s),
        "TRAINING_MAX_ATTEMPTS": str(settings.training_max_attempts),
        "WALK_FORWARD_FOLDS": str(settings.walk_forward_folds),
        "KERAS_TRAINING_BACKEND": settings.keras_training_backend,
        "ENVIRONMENT": "test",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        **env,
    }
    output = open(log, "ab") if log is not None else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "app.tasks.worker"],
        cwd=ROOT,
        env=environment,
        start_new_session=True,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
