"""A worker SIGKILLed mid-training: the reaper re-queues the job and another worker
trains it; with no attempts left it is FAILED with a reason. Never stuck running."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import select

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.models import TrainingJob
from app.services.job_queue import ArqJobQueue
from app.tasks.context import JobContext
from app.tasks.reaper import reap_stale_jobs
from tests.utils.jobs import arq_worker, slow_agent, wait_for, wait_mid_training, worker_process
from tests.utils.users import bearer, user_with_tokens

SLOW_ENOUGH = slow_agent()


async def _job(settings: Settings, agent_id: str) -> TrainingJob:
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session:
            job = (
                await session.scalars(
                    select(TrainingJob).where(TrainingJob.agent_id == uuid.UUID(agent_id))
                )
            ).one()
            return job
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", ["services"], indirect=True)
@pytest.mark.parametrize("max_attempts", [2, 1])
async def test_sigkilled_worker_job_is_retried_or_failed(
    app_factory: Callable[[Settings], Any],
    make_worker_settings: Callable[..., Settings],
    max_attempts: int,
) -> None:
    settings = make_worker_settings(
        stale_job_after_s=2.0, heartbeat_interval_s=0.5, training_max_attempts=max_attempts
    )
    client = await app_factory(settings)
    _, tokens = await user_with_tokens(client, user_segment="quant")
    worker = worker_process(settings)
    try:
        agent_id = (
            await client.post("/api/v1/agents", json=SLOW_ENOUGH, headers=bearer(tokens))
        ).json()["agent_id"]
        await wait_mid_training(client, tokens, agent_id)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its training process
        worker.wait(10)
    await asyncio.sleep(2.5)  # let the heartbeat go stale

    ctx = JobContext.build(
        settings, ArqJobQueue(settings.redis_url or "", settings.redis_namespace)
    )
    try:
        assert await reap_stale_jobs(ctx) == 1
    finally:
        await ctx.queue.close()
        await ctx.close()
    job = await _job(settings, agent_id)
    if max_attempts == 1:
        agent = await wait_for(client, tokens, agent_id, {"FAILED"}, timeout=5)
        assert agent["failure_stage"] == "TRAINING"
        assert "stopped responding" in agent["failure_reason"]
        return
    assert job.state == "QUEUED" and job.attempts == 1
    async with arq_worker(settings):
        agent = await wait_for(client, tokens, agent_id, {"READY"}, timeout=180)
    assert agent["serving_version_id"]
    assert (await _job(settings, agent_id)).attempts == 2
