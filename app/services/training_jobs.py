"""Training-job state transitions: the one place that writes a job's state.

Several writers hold an opinion about the same job row — the worker running it,
a worker that lost it, the reaper, the API's cancel — and ARQ delivers at least
once. So each transition of a claimed job is one conditional
`UPDATE … WHERE id = :id AND lease_token = :token … RETURNING`: a writer whose
lease was reaped or taken over changes nothing and is told so (`LeaseLost`).
Like every service these only flush; the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import logging
import random
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.config import Settings
from app.db import after_commit
from app.errors import Conflict
from app.models import Agent, AgentVersion, TrainingCheckpoint, TrainingJob, User
from app.models.agents import FAILED_OR_CANCELLED, RUNNING_STATES, AgentStatus, VersionRole
from app.models.base import utcnow
from app.services import artifact_store, serving_channel
from app.services.job_queue import JobQueue
from app.services.notifications import Notifier

logger = logging.getLogger(__name__)

STOPPED_RESPONDING = "the training worker stopped responding"


class TooManyTrainings(Conflict):
    code = "too_many_trainings"


class LeaseLost(Exception):
    """The job was reaped, taken over by another worker, or deleted: write nothing more."""


class CancelRequested(Exception):
    """The user asked to cancel: the lease holder stops and finishes the job CANCELLED."""


@dataclass(frozen=True)
class StaleJob:
    """A running job whose heartbeat stopped, as the reaper read it."""

    id: uuid.UUID
    agent_id: uuid.UUID
    lease_token: str | None
    state: str
    attempts: int
    max_attempts: int
    cancel_requested: bool


# --- creating a job (the API) -------------------------------------------------------------


async def check_concurrency(session: AsyncSession, user: User, settings: Settings) -> None:
    active = await session.scalar(
        select(func.count())
        .select_from(TrainingJob)
        .where(
            col(TrainingJob.user_id) == user.id,
            col(TrainingJob.state).in_([AgentStatus.QUEUED, *RUNNING_STATES]),
        )
    )
    if (active or 0) >= settings.max_active_trainings_per_user:
        raise TooManyTrainings(
            f"You already have {active} trainings queued or running "
            f"(limit {settings.max_active_trainings_per_user}); wait for one to finish."
        )


async def new_version(
    session: AsyncSession,
    queue: JobQueue,
    agent: Agent,
    max_attempts: int,
    *,
    start_date: date | None = None,
    end_date: date | None = None,
    window: str | None = None,
) -> AgentVersion:
    """A new version of `agent` and its QUEUED job, enqueued once the caller commits;
    it learns the bars from `start_date` to `end_date` (the agent's by default)."""
    number = (
        await session.scalar(
            select(func.max(AgentVersion.number)).where(col(AgentVersion.agent_id) == agent.id)
        )
        or 0
    ) + 1
    version = AgentVersion(
        agent_id=agent.id,
        number=number,
        start_date=start_date or agent.start_date,
        end_date=end_date or agent.end_date,
        window=window,
    )
    session.add(version)
    await session.flush()
    job = TrainingJob(
        id=version.id,
        agent_id=agent.id,
        user_id=agent.user_id,
        enqueued_at=utcnow(),
        max_attempts=max_attempts,
    )
    session.add(job)
    agent.status = AgentStatus.QUEUED
    agent.failure_stage = agent.failure_reason = None
    agent.progress = {}
    agent.updated_at = utcnow()
    await session.flush()

    async def enqueue() -> None:
        await queue.enqueue(job.id, 1)

    after_commit(session, enqueue)
    return version


async def request_cancel(
    session: AsyncSession,
    notifier: Notifier,
    agent: Agent,
    job: TrainingJob,
) -> None:
    """Flag the job; one no worker has claimed yet is CANCELLED at once, a running one
    is finished by its lease holder when it next looks (or by the reaper)."""
    job.cancel_requested = True
    session.add(job)
    await session.flush()
    if job.state == AgentStatus.QUEUED:
        now = utcnow()
        taken = await _take(
            session,
            job.id,
            [col(TrainingJob.state) == AgentStatus.QUEUED],
            _final(AgentStatus.CANCELLED, "cancelled by user", None, now),
        )
        if taken is not None:
            await _announce_final(
                session,
                notifier,
                agent,
                job.id,
                AgentStatus.CANCELLED,
                "cancelled by user",
                None,
                now,
            )


# --- the lease holder (the worker running the job) ----------------------------------------


async def claim(session: AsyncSession, job_id: uuid.UUID) -> str | None:
    """QUEUED → FETCHING_DATA for exactly one caller, and not before its
    `next_attempt_at` (a delivery that came early is refused); returns its lease token."""
    lease = secrets.token_hex(16)
    now = utcnow()
    claimed = await _take(
        session,
        job_id,
        [
            col(TrainingJob.state) == AgentStatus.QUEUED,
            col(TrainingJob.cancel_requested).is_(False),
            due(now),
        ],
        {
            "state": AgentStatus.FETCHING_DATA,
            "attempts": TrainingJob.attempts + 1,
            "lease_token": lease,
            "heartbeat_at": now,
            "started_at": now,
        },
    )
    return lease if claimed is not None else None


async def enter_stage(
    session: AsyncSession,
    notifier: Notifier,
    job_id: uuid.UUID,
    lease: str,
    stage: AgentStatus,
    progress: Mapping[str, Any] | None = None,
) -> None:
    """Move the job, its version and its agent to `stage` and tell the user; new
    `progress`, when given, replaces the old."""
    values: dict[str, Any] = {"state": stage, "heartbeat_at": utcnow()}
    if progress:
        values["progress"] = dict(progress)
    row = await _held(session, job_id, lease, values, col(TrainingJob.progress))
    agent = await session.get(Agent, row.agent_id)
    assert agent is not None
    agent.status = stage
    agent.progress = row.progress
    agent.updated_at = utcnow()
    await session.execute(
        update(AgentVersion).where(col(AgentVersion.id) == job_id).values(status=stage)
    )
    session.add(agent)
    await notifier.emit(session, agent, stage, await session.get(AgentVersion, job_id))


async def heartbeat(session: AsyncSession, job_id: uuid.UUID, lease: str) -> None:
    await _held(session, job_id, lease, {"heartbeat_at": utcnow()})


async def record_progress(
    session: AsyncSession,
    job_id: uuid.UUID,
    lease: str,
    progress: Mapping[str, Any],
) -> None:
    """A heartbeat that also carries the epoch's progress (job and agent)."""
    row = await _held(
        session, job_id, lease, {"heartbeat_at": utcnow(), "progress": dict(progress)}
    )
    await session.execute(
        update(Agent)
        .where(col(Agent.id) == row.agent_id)
        .values(progress=dict(progress), updated_at=utcnow())
    )


async def ready(
    session: AsyncSession,
    notifier: Notifier,
    job_id: uuid.UUID,
    lease: str,
    result: Mapping[str, Any],
    data_warnings: list[str],
    data_span: tuple[datetime, datetime] | None = None,
    files: Sequence[artifact_store.StoredFile] = (),
) -> None:
    """READY: the version gets its artifact and metrics and the agent serves it.

    `data_span` is the first bar's start and the last bar's close of the data the
    version was trained, validated and tested on: a /predict call inside it is
    in-sample (`app.services.predictions.service`). `files` (the artifact, verified,
    when the artifact store is the database) are stored in this same transaction."""
    now = utcnow()
    row = await _held(
        session, job_id, lease, _final(AgentStatus.READY, None, None, now), honour_cancel=False
    )
    agent = await session.get(Agent, row.agent_id)
    version = await session.get(AgentVersion, job_id)
    assert agent is not None and version is not None
    version.weights_path = result["weights_path"]
    version.sha256 = result["sha256"]
    version.preprocessing = result["preprocessing"]
    version.calibration = result["calibration"]
    version.metrics = {**result["metrics"], "data_warnings": data_warnings}
    version.loss_curve = result["loss_curve"]
    version.walk_forward = result.get("walk_forward")
    version.architecture = result.get("architecture") or agent.architecture
    version.leaderboard = result.get("leaderboard")
    if data_span is not None:
        version.data_start, version.data_end = data_span
    version.ready_at = utcnow()
    await artifact_store.put(session, version.id, files)
    decision = result.get("decision")
    version.decision = decision
    if decision is None or decision.get("promote"):
        await _serve(session, agent, version)
    else:  # the champion keeps serving; the challenger waits as a candidate
        version.role = VersionRole.CANDIDATE
    session.add_all([version, agent])
    await _announce_final(
        session,
        notifier,
        agent,
        job_id,
        AgentStatus.READY,
        None,
        None,
        now,
        promoted=version.role == VersionRole.CHAMPION,
        **({"decision": decision["reason"]} if decision else {}),
    )


async def _serve(session: AsyncSession, agent: Agent, version: AgentVersion) -> None:
    """`version` becomes the champion `/predict` uses; the one it replaces retires.
    Once committed, every API process is told to load it (`serving_channel`)."""
    if agent.serving_version_id is not None and agent.serving_version_id != version.id:
        await session.execute(
            update(AgentVersion)
            .where(col(AgentVersion.id) == agent.serving_version_id)
            .values(role=VersionRole.RETIRED)
        )
    version.role = VersionRole.CHAMPION
    agent.serving_version_id = version.id
    agent.needs_retraining = False
    agent.stale_reasons = None
    serving_channel.announce_after_commit(session, version.id)


async def promote(
    session: AsyncSession, notifier: Notifier, agent: Agent, version: AgentVersion, reason: str
) -> None:
    """A user's decision: `version` (READY) serves from now on, whatever the gate said."""
    await _serve(session, agent, version)
    version.decision = {**(version.decision or {}), "promoted_by_user": reason}
    agent.updated_at = utcnow()
    session.add_all([version, agent])
    await session.flush()
    await notifier.emit(session, agent, AgentStatus.READY, version, promoted=True, decision=reason)


async def finish(
    session: AsyncSession,
    notifier: Notifier,
    job_id: uuid.UUID,
    lease: str,
    state: AgentStatus,
    *,
    reason: str | None = None,
    stage: str | None = None,
) -> None:
    """FAILED or CANCELLED, by the lease holder."""
    now = utcnow()
    row = await _held(
        session, job_id, lease, _final(state, reason, stage, now), honour_cancel=False
    )
    agent = await session.get(Agent, row.agent_id)
    if agent is None:
        raise LeaseLost()
    await _announce_final(session, notifier, agent, job_id, state, reason, stage, now)


@dataclass(frozen=True)
class BackOff:
    """How long a job waits after its n-th transient failure (a vendor's 429, 5xx,
    timeout): `base_s` × 2^(n-1) with ±20 % jitter, at most `max_s`, and never less
    than the vendor's Retry-After; after `max_retries` such retries the job FAILED."""

    base_s: float = 10.0
    max_s: float = 900.0
    max_retries: int = 8

    @classmethod
    def from_settings(cls, settings: Settings) -> BackOff:
        return cls(
            settings.transient_retry_base_s,
            settings.transient_retry_max_s,
            settings.training_max_transient_retries,
        )

    def delay(self, retry: int, retry_after_s: float | None = None) -> float:
        backoff = min(self.max_s, self.base_s * 2 ** max(retry - 1, 0))
        backoff *= 0.8 + 0.4 * random.random()
        return max(backoff, retry_after_s or 0.0)


def due(now: datetime) -> ColumnElement[bool]:
    """The job's back-off (if any) has run out: it may be enqueued and claimed."""
    return or_(col(TrainingJob.next_attempt_at).is_(None), col(TrainingJob.next_attempt_at) <= now)


async def requeue(
    session: AsyncSession,
    notifier: Notifier,
    job_id: uuid.UUID,
    lease: str,
    *,
    reason: str,
    stage: str,
    retry_after_s: float | None = None,
    back_off: BackOff | None = None,
) -> float | None:
    """Back to QUEUED after a transient failure, giving the lease up, not to be enqueued
    before `next_attempt_at` (`BackOff`). The attempt the claim counted is given back
    (`attempts` is the budget for crashes) and `transient_retries` counts this one
    instead. Returns the delay in seconds, or None when no retries are left and the
    job was FAILED instead."""
    back_off = back_off or BackOff()
    retries = await session.scalar(
        select(col(TrainingJob.transient_retries)).where(
            col(TrainingJob.id) == job_id, col(TrainingJob.lease_token) == lease
        )
    )
    if retries is None:
        raise LeaseLost()
    if retries >= back_off.max_retries:
        await finish(
            session,
            notifier,
            job_id,
            lease,
            AgentStatus.FAILED,
            reason=f"{reason} (after {retries + 1} tries)"[:2000],
            stage=stage,
        )
        return None
    delay = back_off.delay(retries + 1, retry_after_s)
    now = utcnow()
    row = await _held(
        session,
        job_id,
        lease,
        {
            "state": AgentStatus.QUEUED,
            "lease_token": None,
            "attempts": TrainingJob.attempts - 1,
            "transient_retries": TrainingJob.transient_retries + 1,
            "next_attempt_at": now + timedelta(seconds=delay),
            "enqueued_at": now,
        },
        honour_cancel=False,
    )
    agent = await session.get(Agent, row.agent_id)
    assert agent is not None
    agent.status = AgentStatus.QUEUED
    agent.updated_at = now
    session.add(agent)
    await notifier.emit(
        session,
        agent,
        AgentStatus.QUEUED,
        await session.get(AgentVersion, job_id),
        reason=reason,
        retry=True,
        retry_in_s=round(delay, 1),
    )
    return delay


def deliveries(job: TrainingJob | Row[Any]) -> int:
    """How many times the job has been handed to the queue so far (each delivery has an
    ARQ id of its own, so a re-queued job is not refused as a duplicate)."""
    return int(job.attempts) + int(job.transient_retries) + int(job.interruptions)


async def suspend(
    session: AsyncSession,
    notifier: Notifier,
    job_id: uuid.UUID,
    lease: str,
    *,
    reason: str,
    checkpoint: bytes | None,
    epoch: int,
) -> int:
    """Back to QUEUED, due at once, because the worker is shutting down (a deploy): the
    attempt the claim counted is given back and `interruptions` counts this one;
    `checkpoint` (if any) is stored for whichever worker claims the job next. Returns
    the job's next delivery number, to enqueue it with once the caller commits.
    Raises CancelRequested when the user asked to cancel meanwhile (a QUEUED job with
    the flag would never be claimed): the caller finishes it CANCELLED instead."""
    now = utcnow()
    row = await _held(
        session,
        job_id,
        lease,
        {
            "state": AgentStatus.QUEUED,
            "lease_token": None,
            "attempts": TrainingJob.attempts - 1,
            "interruptions": TrainingJob.interruptions + 1,
            "next_attempt_at": None,
            "enqueued_at": now,
        },
        col(TrainingJob.attempts),
        col(TrainingJob.transient_retries),
        col(TrainingJob.interruptions),
    )
    if checkpoint is not None:
        await session.execute(
            delete(TrainingCheckpoint).where(col(TrainingCheckpoint.job_id) == job_id)
        )
        session.add(
            TrainingCheckpoint(
                job_id=job_id,
                epoch=epoch,
                size=len(checkpoint),
                sha256=hashlib.sha256(checkpoint).hexdigest(),
                data=checkpoint,
            )
        )
    agent = await session.get(Agent, row.agent_id)
    assert agent is not None
    agent.status = AgentStatus.QUEUED
    agent.updated_at = now
    session.add(agent)
    await session.flush()
    await notifier.emit(
        session,
        agent,
        AgentStatus.QUEUED,
        await session.get(AgentVersion, job_id),
        reason=reason,
        retry=True,
        resume_epoch=epoch + 1,
    )
    return deliveries(row) + 1


async def load_checkpoint(session: AsyncSession, job_id: uuid.UUID) -> tuple[int, bytes] | None:
    """The job's checkpoint (epoch, bytes), if a previous run left a sound one."""
    stored = await session.get(TrainingCheckpoint, job_id)
    if stored is None:
        return None
    data = bytes(stored.data)
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        logger.warning("checkpoint of training job %s is corrupt; starting afresh", job_id)
        return None
    return stored.epoch, data


# --- the reaper ----------------------------------------------------------------------------


async def find_stale(session: AsyncSession, cutoff: datetime) -> list[StaleJob]:
    """Running jobs whose last heartbeat is older than `cutoff`."""
    rows = (
        await session.execute(
            select(
                col(TrainingJob.id),
                col(TrainingJob.agent_id),
                col(TrainingJob.lease_token),
                col(TrainingJob.state),
                col(TrainingJob.attempts),
                col(TrainingJob.max_attempts),
                col(TrainingJob.cancel_requested),
            )
            .where(col(TrainingJob.state).in_(list(RUNNING_STATES)))
            .where(col(TrainingJob.heartbeat_at) < cutoff)
        )
    ).all()
    return [StaleJob(*row) for row in rows]


async def reap(session: AsyncSession, notifier: Notifier, cutoff: datetime) -> int:
    """Retry or fail every stale job; returns how many this sweep took."""
    handled = 0
    for job in await find_stale(session, cutoff):
        handled += await reap_one(session, notifier, job, cutoff)
    return handled


async def reap_one(
    session: AsyncSession,
    notifier: Notifier,
    job: StaleJob,
    cutoff: datetime,
) -> bool:
    """Cancel, re-queue or fail one stale job — only if it is still as the sweep read it
    (same lease, state and cancel flag, heartbeat still older than `cutoff`): a job
    another sweep took, a worker re-claimed or whose worker beat again is left alone."""
    agent = await session.get(Agent, job.agent_id)
    if agent is None:
        return False
    lease = col(TrainingJob.lease_token)
    unchanged = [
        lease.is_(None) if job.lease_token is None else lease == job.lease_token,
        col(TrainingJob.state) == job.state,
        col(TrainingJob.cancel_requested).is_(job.cancel_requested),
        col(TrainingJob.heartbeat_at) < cutoff,
    ]
    now = utcnow()
    if job.cancel_requested:
        if (
            await _take(
                session,
                job.id,
                unchanged,
                _final(AgentStatus.CANCELLED, "cancelled by user", None, now),
            )
            is None
        ):
            return False
        await _announce_final(
            session, notifier, agent, job.id, AgentStatus.CANCELLED, "cancelled by user", None, now
        )
    elif job.attempts < job.max_attempts:
        if (
            await _take(
                session,
                job.id,
                unchanged,
                {"state": AgentStatus.QUEUED, "lease_token": None, "enqueued_at": now},
            )
            is None
        ):
            return False
        logger.warning("re-queueing stale training job %s", job.id)
        agent.status = AgentStatus.QUEUED
        session.add(agent)
        await notifier.emit(
            session,
            agent,
            AgentStatus.QUEUED,
            await session.get(AgentVersion, job.id),
            retry=True,
            reason=STOPPED_RESPONDING,
        )
    else:
        reason = (
            f"{STOPPED_RESPONDING} (attempt {job.attempts} of {job.max_attempts}); "
            "retrain to try again"
        )
        if (
            await _take(
                session, job.id, unchanged, _final(AgentStatus.FAILED, reason, job.state, now)
            )
            is None
        ):
            return False
        await _announce_final(
            session, notifier, agent, job.id, AgentStatus.FAILED, reason, job.state, now
        )
    return True


# --- the conditional update and what follows a final state ---------------------------------


async def _take(
    session: AsyncSession,
    job_id: uuid.UUID,
    where: list[ColumnElement[bool]],
    values: Mapping[str, Any],
    *returning: Any,
) -> Row[Any] | None:
    """`UPDATE training_jobs SET … WHERE id = :id AND <where> RETURNING agent_id, …`:
    the row as written, or None when it no longer matched (nothing was changed)."""
    statement = (
        update(TrainingJob)
        .where(col(TrainingJob.id) == job_id, *where)
        .values(**values)
        .returning(col(TrainingJob.agent_id), *returning)
        .execution_options(synchronize_session="fetch")
    )
    return (await session.execute(statement)).first()


async def _held(
    session: AsyncSession,
    job_id: uuid.UUID,
    lease: str,
    values: Mapping[str, Any],
    *returning: Any,
    honour_cancel: bool = True,
) -> Row[Any]:
    """`_take` for the lease holder; raises LeaseLost, or CancelRequested when the
    lease is still held but the user asked to cancel (and `honour_cancel`)."""
    where = [col(TrainingJob.lease_token) == lease]
    if honour_cancel:
        where.append(col(TrainingJob.cancel_requested).is_(False))
    row = await _take(session, job_id, where, values, *returning)
    if row is not None:
        return row
    if honour_cancel and await session.scalar(
        select(col(TrainingJob.cancel_requested)).where(
            col(TrainingJob.id) == job_id, col(TrainingJob.lease_token) == lease
        )
    ):
        raise CancelRequested()
    raise LeaseLost()


def _final(
    state: AgentStatus, reason: str | None, stage: str | None, now: datetime
) -> dict[str, Any]:
    return {"state": state, "finished_at": now, "error": reason, "failure_stage": stage}


async def _announce_final(
    session: AsyncSession,
    notifier: Notifier,
    agent: Agent,
    job_id: uuid.UUID,
    state: AgentStatus,
    reason: str | None,
    stage: str | None,
    now: datetime,
    **extra: Any,
) -> None:
    """The version and the agent follow the job into its final state; the user is told.
    A retrain that fails or is cancelled fails its version only: an agent that has a
    champion stays READY on it. A checkpoint the job left is of no more use."""
    await session.execute(
        delete(TrainingCheckpoint).where(col(TrainingCheckpoint.job_id) == job_id)
    )
    version = await session.get(AgentVersion, job_id)
    if version is not None:
        version.status = state
        if state == AgentStatus.FAILED:
            version.failure_stage, version.failure_reason = stage, reason
        elif state == AgentStatus.CANCELLED:
            version.failure_reason = reason
        session.add(version)
    serving = agent.serving_version_id is not None and agent.serving_version_id != job_id
    agent.status = AgentStatus.READY if serving else state
    agent.failure_stage = stage if agent.status == AgentStatus.FAILED else None
    agent.failure_reason = reason if agent.status in FAILED_OR_CANCELLED else None
    agent.updated_at = now
    session.add(agent)
    await session.flush()
    payload: dict[str, Any] = dict(extra)
    if reason:
        payload["reason"] = reason
    if stage:
        payload["failure_stage"] = stage
    if serving and state != AgentStatus.READY:
        payload["serving_version_id"] = str(agent.serving_version_id)
    await notifier.emit(session, agent, state, version, **payload)
