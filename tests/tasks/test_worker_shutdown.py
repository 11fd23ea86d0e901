"""A worker SIGTERMed mid-training (a deploy): its training stops at the next epoch
boundary with a checkpoint, the job goes back QUEUED without spending an attempt and
the worker exits; the next worker resumes from the checkpoint and finishes READY."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.models import AgentVersion, TrainingCheckpoint, TrainingJob
from tests.utils.jobs import arq_worker, slow_agent, wait_for, wait_mid_training, worker_process
from tests.utils.users import bearer, user_with_tokens

EPOCHS = 6
# Stopped in its first epochs, the run has epochs left (early stopping's patience
# of 3 cannot end it before epoch 4).
SLOW = slow_agent(epochs=EPOCHS)


async def _job(
    settings: Settings, agent_id: str
) -> tuple[TrainingJob, TrainingCheckpoint | None, AgentVersion | None]:
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session:
            job = (
                await session.scalars(
                    select(TrainingJob).where(TrainingJob.agent_id == uuid.UUID(agent_id))
                )
            ).one()
            checkpoint = await session.get(TrainingCheckpoint, job.id)
            return job, checkpoint, await session.get(AgentVersion, job.id)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", ["services"], indirect=True)
async def test_sigterm_checkpoints_requeues_and_the_next_worker_resumes(
    app_factory: Callable[[Settings], Any],
    make_worker_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    settings = make_worker_settings(heartbeat_interval_s=0.5, reaper_interval_s=60.0)
    client = await app_factory(settings)
    _, tokens = await user_with_tokens(client, user_segment="quant")
    log = tmp_path / "worker.log"
    worker = worker_process(settings, log, SHUTDOWN_GRACE_S="90")
    try:
        agent_id = (await client.post("/api/v1/agents", json=SLOW, headers=bearer(tokens))).json()[
            "agent_id"
        ]
        await wait_mid_training(client, tokens, agent_id)
        os.killpg(worker.pid, signal.SIGTERM)  # as a deploy would: the process group
        assert worker.wait(90) == 0, log.read_text()[-3000:]
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)

    job, checkpoint, _ = await _job(settings, agent_id)
    assert (job.state, job.attempts, job.interruptions) == ("QUEUED", 0, 1), log.read_text()
    assert job.lease_token is None and job.next_attempt_at is None
    assert checkpoint is not None and 1 <= checkpoint.epoch < EPOCHS
    stopped_at = checkpoint.epoch

    async with arq_worker(settings):
        agent = await wait_for(client, tokens, agent_id, {"READY"}, timeout=180)
    assert agent["serving_version_id"]
    job, checkpoint, version = await _job(settings, agent_id)
    assert (job.attempts, job.interruptions) == (1, 1)
    assert checkpoint is None  # deleted at READY
    # The second worker started at epoch stopped_at + 1, and the curve runs on.
    assert job.progress["resumed_from_epoch"] == stopped_at
    assert version is not None and version.loss_curve and version.metrics
    epochs_run = version.metrics["epochs_run"]
    assert stopped_at < epochs_run <= EPOCHS and job.progress["epoch"] == epochs_run
    assert [point["epoch"] for point in version.loss_curve] == list(range(1, epochs_run + 1))
    print(f"stopped after epoch {stopped_at}; resumed at {stopped_at + 1}; ran {epochs_run}")


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
async def test_the_apps_shutdown_checkpoints_the_embedded_runners_training(
    make_settings: Callable[..., Settings],
) -> None:
    """Embedded mode: the app's shutdown (lifespan exit) does what SIGTERM does to a
    worker, and the next start of the app resumes the job from its checkpoint."""
    from app.main import create_app
    from tests.utils.client import open_client

    settings = make_settings(heartbeat_interval_s=0.5, shutdown_grace_s=90)
    client, lifespan = await open_client(create_app(settings))
    try:
        _, tokens = await user_with_tokens(client, user_segment="quant")
        agent_id = (await client.post("/api/v1/agents", json=SLOW, headers=bearer(tokens))).json()[
            "agent_id"
        ]
        await wait_mid_training(client, tokens, agent_id)
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)
    job, checkpoint, _ = await _job(settings, agent_id)
    assert (job.state, job.attempts, job.interruptions) == ("QUEUED", 0, 1)
    assert checkpoint is not None and 1 <= checkpoint.epoch < EPOCHS
    stopped_at = checkpoint.epoch

    client, lifespan = await open_client(create_app(settings))
    try:
        await wait_for(client, tokens, agent_id, {"READY"}, timeout=180)
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)
    job, checkpoint, _ = await _job(settings, agent_id)
    assert (job.attempts, job.interruptions, checkpoint) == (1, 1, None)
    assert job.progress["resumed_from_epoch"] == stopped_at
