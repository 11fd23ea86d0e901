"""Training-job transitions against a real database (SQLite, and PostgreSQL when it answers).

Each transition of a claimed job is conditional on the lease (and, for the
reaper, on what the sweep read): a writer that lost the job — a sweep that read
an old lease, a worker whose job was reaped and re-claimed — changes nothing.
The races are played out step by step, one session per actor.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from app.models import Agent, AgentVersion, Notification, TrainingJob, User
from app.models.agents import AgentStatus
from app.models.base import utcnow
from app.services import training_jobs
from app.services.job_queue import EmbeddedJobQueue
from app.services.notifications import Notifier
from app.services.training_jobs import CancelRequested, LeaseLost
from tests.utils.agents import agent_rows
from tests.utils.db import add_all

STALE_AFTER = timedelta(seconds=60)
RESULT = {
    "weights_path": "/nowhere",
    "sha256": "0" * 64,
    "preprocessing": {},
    "calibration": {},
    "metrics": {"rmse": 1.0},
    "loss_curve": [],
}


@dataclass
class World:
    sessionmaker: async_sessionmaker[AsyncSession]
    notifier: Notifier
    job_id: uuid.UUID
    agent_id: uuid.UUID

    def session(self) -> AsyncSession:
        return self.sessionmaker()

    async def claim(self) -> str:
        async with self.session() as session:
            lease = await training_jobs.claim(session, self.job_id)
            await session.commit()
        assert lease is not None
        return lease

    async def go_stale(self) -> None:
        """The lease holder stopped beating (killed, partitioned, paused)."""
        async with self.session() as session:
            await session.execute(
                update(TrainingJob)
                .where(col(TrainingJob.id) == self.job_id)
                .values(heartbeat_at=utcnow() - 10 * STALE_AFTER)
            )
            await session.commit()

    async def reap(self) -> int:
        async with self.session() as session:
            handled = await training_jobs.reap(session, self.notifier, utcnow() - STALE_AFTER)
            await session.commit()
        return handled

    async def snapshot(self) -> dict[str, Any]:
        """Everything a transition may write: the job, its version, its agent, the
        notifications."""
        async with self.session() as session:
            job = await session.get(TrainingJob, self.job_id)
            version = await session.get(AgentVersion, self.job_id)
            agent = await session.get(Agent, self.agent_id)
            notes = await session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(col(Notification.agent_id) == self.agent_id)
            )
            assert job is not None and version is not None and agent is not None
            return {
                "job": job.model_dump(),
                "version": version.model_dump(),
                "agent": agent.model_dump(),
                "notifications": notes,
            }


@pytest.fixture
async def world(
    sessionmaker: async_sessionmaker[AsyncSession],
    notifier: Notifier,
    user: User,
) -> World:
    """One QUEUED job (its agent, version and user) on this backend's database."""
    agent, _ = agent_rows(user.id, serving=False)
    async with sessionmaker() as session:
        await add_all(session, agent)
        version = await training_jobs.new_version(
            session, EmbeddedJobQueue(), agent, max_attempts=3
        )
        await session.commit()
    return World(sessionmaker, notifier, version.id, agent.id)


async def test_a_job_is_claimed_once(world: World) -> None:
    await world.claim()
    async with world.session() as session:
        assert await training_jobs.claim(session, world.job_id) is None


async def test_a_sweep_that_read_an_old_lease_leaves_a_fresh_claim_alone(world: World) -> None:
    old_lease = await world.claim()
    await world.go_stale()
    cutoff = utcnow() - STALE_AFTER
    async with world.session() as slow_sweep:
        [stale] = await training_jobs.find_stale(slow_sweep, cutoff)
        assert stale.lease_token == old_lease

        # Meanwhile another sweep re-queues the job and a worker claims it afresh.
        assert await world.reap() == 1
        new_lease = await world.claim()
        before = await world.snapshot()
        assert before["job"]["state"] == AgentStatus.FETCHING_DATA
        assert before["job"]["lease_token"] == new_lease and before["job"]["attempts"] == 2

        assert await training_jobs.reap_one(slow_sweep, world.notifier, stale, cutoff) is False
        await slow_sweep.commit()
    assert await world.snapshot() == before


async def test_a_sweep_leaves_a_job_whose_worker_beat_again_alone(world: World) -> None:
    lease = await world.claim()
    await world.go_stale()
    cutoff = utcnow() - STALE_AFTER
    async with world.session() as slow_sweep:
        [stale] = await training_jobs.find_stale(slow_sweep, cutoff)
        async with world.session() as worker:  # the worker was only paused
            await training_jobs.heartbeat(worker, world.job_id, lease)
            await worker.commit()
        before = await world.snapshot()

        assert await training_jobs.reap_one(slow_sweep, world.notifier, stale, cutoff) is False
        await slow_sweep.commit()
    after = await world.snapshot()
    assert after == before
    assert after["job"]["state"] == AgentStatus.FETCHING_DATA
    assert after["job"]["lease_token"] == lease


async def test_a_stale_lease_holder_changes_nothing(world: World) -> None:
    old_lease = await world.claim()
    await world.go_stale()
    assert await world.reap() == 1
    new_lease = await world.claim()
    async with world.session() as session:
        await training_jobs.enter_stage(
            session,
            world.notifier,
            world.job_id,
            new_lease,
            AgentStatus.TRAINING,
            {"epoch": 1, "epochs": 2},
        )
        await session.commit()
    before = await world.snapshot()

    writes = {
        "heartbeat": lambda s: training_jobs.heartbeat(s, world.job_id, old_lease),
        "progress": lambda s: training_jobs.record_progress(
            s, world.job_id, old_lease, {"epoch": 9, "epochs": 9}
        ),
        "stage": lambda s: training_jobs.enter_stage(
            s, world.notifier, world.job_id, old_lease, AgentStatus.EVALUATING
        ),
        "failed": lambda s: training_jobs.finish(
            s,
            world.notifier,
            world.job_id,
            old_lease,
            AgentStatus.FAILED,
            reason="old worker",
            stage="TRAINING",
        ),
        "cancelled": lambda s: training_jobs.finish(
            s, world.notifier, world.job_id, old_lease, AgentStatus.CANCELLED, reason="old worker"
        ),
        "ready": lambda s: training_jobs.ready(
            s, world.notifier, world.job_id, old_lease, RESULT, []
        ),
        "requeue": lambda s: training_jobs.requeue(
            s, world.notifier, world.job_id, old_lease, reason="vendor down", stage="TRAINING"
        ),
    }
    for name, write in writes.items():
        async with world.session() as session:
            with pytest.raises(LeaseLost):
                await write(session)
            await session.commit()  # commit anyway: the statement itself changed nothing
        assert await world.snapshot() == before, name

    async with world.session() as session:  # the new holder is unaffected
        await training_jobs.heartbeat(session, world.job_id, new_lease)
        await training_jobs.ready(
            session, world.notifier, world.job_id, new_lease, RESULT, ["a warning"]
        )
        await session.commit()
    after = await world.snapshot()
    assert after["job"]["state"] == after["agent"]["status"] == AgentStatus.READY
    assert after["agent"]["serving_version_id"] == world.job_id
    assert after["version"]["metrics"]["data_warnings"] == ["a warning"]


async def test_ready_records_the_span_of_the_versions_data(world: World) -> None:
    """What /predict compares a call's as_of with to tell an in-sample call."""
    lease = await world.claim()
    span = (datetime(2018, 7, 23, tzinfo=UTC), datetime(2023, 12, 29, 21, tzinfo=UTC))
    async with world.session() as session:
        await training_jobs.ready(
            session, world.notifier, world.job_id, lease, RESULT, [], data_span=span
        )
        await session.commit()
    version = (await world.snapshot())["version"]
    assert (version["data_start"], version["data_end"]) == span


async def test_a_cancel_that_lost_the_race_to_a_claim_only_flags_the_job(world: World) -> None:
    async with world.session() as api:
        job = await api.get(TrainingJob, world.job_id)
        agent = await api.get(Agent, world.agent_id)
        assert job is not None and agent is not None and job.state == AgentStatus.QUEUED
        lease = await world.claim()  # a worker claims it between the API's read and write
        await training_jobs.request_cancel(api, world.notifier, agent, job)
        await api.commit()
    snapshot = await world.snapshot()
    assert snapshot["job"]["state"] == AgentStatus.FETCHING_DATA
    assert snapshot["job"]["cancel_requested"] is True

    async with world.session() as worker:  # the worker notices at its next write
        with pytest.raises(CancelRequested):
            await training_jobs.heartbeat(worker, world.job_id, lease)
    async with world.session() as worker:
        await training_jobs.finish(
            worker,
            world.notifier,
            world.job_id,
            lease,
            AgentStatus.CANCELLED,
            reason="cancelled by user",
        )
        await worker.commit()
    snapshot = await world.snapshot()
    assert snapshot["job"]["state"] == snapshot["agent"]["status"] == AgentStatus.CANCELLED


async def test_a_queued_job_is_cancelled_at_once(world: World) -> None:
    async with world.session() as api:
        job = await api.get(TrainingJob, world.job_id)
        agent = await api.get(Agent, world.agent_id)
        assert job is not None and agent is not None
        await training_jobs.request_cancel(api, world.notifier, agent, job)
        assert job.state == agent.status == AgentStatus.CANCELLED  # the session's objects too
        await api.commit()
    snapshot = await world.snapshot()
    assert snapshot["job"]["state"] == snapshot["version"]["status"] == AgentStatus.CANCELLED
    async with world.session() as session:
        assert await training_jobs.claim(session, world.job_id) is None
