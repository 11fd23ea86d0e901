"""The training job: one function, run by an ARQ worker or by the embedded runner.

The job row is the truth. A job is claimed by a conditional UPDATE (QUEUED →
FETCHING_DATA, attempts + 1, a fresh lease), so a job delivered twice — ARQ is
at-least-once — runs once. The heavy work (features, Keras training,
evaluation, saving weights) runs in a child process: the worker's event loop
stays free for heartbeats, progress writes and cancel checks, and a cancel or
timeout can really stop training by terminating that process.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any, Concatenate, ParamSpec, TypeVar

import httpx
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from app.config import Settings
from app.db import database_unavailable, make_engine, make_sessionmaker
from app.models import Agent, AgentVersion, TrainingJob, User
from app.models.agents import RUNNING_STATES, AgentStatus
from app.models.base import utcnow
from app.services.agents import finish_job
from app.services.market_data.base import MarketDataError, MarketDataUnavailable, get_provider
from app.services.market_data.frequency import horizon_bars
from app.services.market_data.validation import validate_bars
from app.services.news import get_news_source
from app.services.notifications import Notifier
from app.services.sentiment import add_sentiment
from app.tasks.queue import JobQueue
from app.tasks.train_process import TrainingSpec, child_main

logger = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


class RetryLater(Exception):
    """A transient failure (a vendor's 5xx, a timeout): the job is QUEUED again."""

    def __init__(self, defer_s: float, reason: str) -> None:
        super().__init__(reason)
        self.defer_s = defer_s


class _Failed(Exception):
    def __init__(self, stage: AgentStatus, reason: str) -> None:
        super().__init__(reason)
        self.stage = stage
        self.reason = reason


class _Cancelled(Exception):
    pass


@dataclass
class JobContext:
    """What a job needs, built once per worker process (or once by the embedded runner)."""

    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    notifier: Notifier
    http: httpx.AsyncClient
    queue: JobQueue

    @classmethod
    def build(cls, settings: Settings, queue: JobQueue) -> JobContext:
        sessionmaker = make_sessionmaker(make_engine(settings))
        http = httpx.AsyncClient(timeout=settings.webhook_timeout_s, follow_redirects=False)
        notifier = Notifier(sessionmaker, http, allow_private=settings.allow_private_callbacks,
                            max_attempts=settings.webhook_max_attempts)
        return cls(settings, sessionmaker, notifier, http, queue)

    async def close(self) -> None:
        await self.notifier.drain()
        await self.http.aclose()
        engine = self.sessionmaker.kw.get("bind")
        if engine is not None:
            await engine.dispose()


async def claim(ctx: JobContext, job_id: uuid.UUID) -> str | None:
    """QUEUED → FETCHING_DATA for exactly one caller; returns its lease token."""
    lease = secrets.token_hex(16)
    now = utcnow()
    async with ctx.sessionmaker() as session:
        result = await session.execute(
            update(TrainingJob)
            .where(col(TrainingJob.id) == job_id)
            .where(col(TrainingJob.state) == AgentStatus.QUEUED)
            .where(col(TrainingJob.cancel_requested).is_(False))
            .values(state=AgentStatus.FETCHING_DATA, attempts=TrainingJob.attempts + 1,
                    lease_token=lease, heartbeat_at=now, started_at=now)
        )
        await session.commit()
    return lease if getattr(result, "rowcount", 0) == 1 else None


async def run_training_job(ctx: JobContext, job_id: uuid.UUID) -> str:
    lease = await claim(ctx, job_id)
    if lease is None:
        return "skipped: not QUEUED (already claimed, cancelled or finished)"
    runner = _Run(ctx, job_id, lease)
    return await runner.run()


def _outlasting_outages(
    step: Callable[Concatenate[_Run, P], Awaitable[T]],
) -> Callable[Concatenate[_Run, P], Awaitable[T]]:
    """Retry a step's database work through an outage (a PostgreSQL restart) instead of
    abandoning a run that may be hours in; for at most half the reaper's patience,
    after which it would take the job over anyway. Each step is one transaction, so
    a retried step is the step done once."""

    @functools.wraps(step)
    async def retrying(run: _Run, *args: P.args, **kwargs: P.kwargs) -> T:
        deadline = time.monotonic() + run.ctx.settings.stale_job_after_s / 2
        delay = 0.2
        while True:
            try:
                return await step(run, *args, **kwargs)
            except SQLAlchemyError as exc:
                if not database_unavailable(exc) or time.monotonic() + delay > deadline:
                    raise
                logger.warning("database unavailable in training job %s (%s); retrying in "
                               "%.1f s", run.job_id, type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    return retrying


class _Run:
    def __init__(self, ctx: JobContext, job_id: uuid.UUID, lease: str) -> None:
        self.ctx = ctx
        self.job_id = job_id
        self.lease = lease
        self.stage = AgentStatus.FETCHING_DATA
        self.notes: list[str] = []  # data warnings the trader should see with the metrics

    async def run(self) -> str:
        try:
            agent, job = await self._load()
            if job.attempts > job.max_attempts:
                raise _Failed(self.stage, f"gave up after {job.max_attempts} attempts")
            await self._enter(AgentStatus.FETCHING_DATA)
            bars = await self._fetch(agent)
            await self._enter(AgentStatus.VALIDATING)
            steps = horizon_bars(agent.data_frequency, agent.prediction_horizon)
            lookback = int(agent.hyperparameters.get("lookback", 60))
            report = validate_bars(bars, agent.data_frequency, lookback, steps)
            if not report.ok:
                raise _Failed(AgentStatus.VALIDATING, "; ".join(report.reasons))
            await self._enter(AgentStatus.TRAINING)
            result = await self._train(agent, bars, steps)
            await self._ready(result)
            return "READY"
        except _Cancelled:
            await self._finish(AgentStatus.CANCELLED, "cancelled by user")
            return "CANCELLED"
        except _Failed as exc:
            await self._finish(AgentStatus.FAILED, exc.reason, exc.stage)
            return "FAILED"
        except MarketDataUnavailable as exc:
            return await self._transient(str(exc))
        except MarketDataError as exc:
            await self._finish(AgentStatus.FAILED, str(exc), AgentStatus.FETCHING_DATA)
            return "FAILED"
        except _LeaseLost:
            return "lease lost: the job was reaped or taken over"

    @_outlasting_outages
    async def _load(self) -> tuple[Agent, TrainingJob]:
        async with self.ctx.sessionmaker() as session:
            job = await session.get(TrainingJob, self.job_id)
            agent = await session.get(Agent, job.agent_id) if job else None
            if job is None or agent is None:
                raise _LeaseLost()
            return agent, job

    @_outlasting_outages
    async def _enter(self, stage: AgentStatus, **progress: Any) -> None:
        """Move to `stage` (if we still hold the lease) and tell the user."""
        self.stage = stage
        async with self.ctx.sessionmaker() as session:
            job = await self._held(session)
            agent = await session.get(Agent, job.agent_id)
            assert agent is not None
            if job.cancel_requested:
                raise _Cancelled()
            job.state = stage
            job.heartbeat_at = utcnow()
            job.progress = progress or job.progress
            agent.status = stage
            agent.progress = job.progress
            agent.updated_at = utcnow()
            await session.execute(update(AgentVersion).where(col(AgentVersion.id) == job.id)
                                  .values(status=stage))
            session.add_all([job, agent])
            await self.ctx.notifier.emit(session, agent, stage)
            await _commit(session)

    async def _held(self, session: AsyncSession) -> TrainingJob:
        job = await session.get(TrainingJob, self.job_id)
        if job is None or job.lease_token != self.lease:
            raise _LeaseLost()
        return job

    async def _fetch(self, agent: Agent) -> Any:
        provider = get_provider(agent.data_source, self.ctx.settings, self.ctx.http)
        start = datetime.combine(agent.start_date, datetime.min.time(), UTC)
        end = datetime.combine(agent.end_date, datetime.min.time(), UTC) + timedelta(days=1)
        bars = await provider.fetch_bars(agent.symbol, agent.data_frequency, start, end)
        if agent.sentiment_enabled:  # SPEC §4: absent (and said so) without a news source
            source = get_news_source(self.ctx.settings, self.ctx.http)
            bars, notes = await add_sentiment(bars, agent.symbol, source)
            self.notes.extend(notes)
        return bars

    async def _train(self, agent: Agent, bars: Any, steps: int) -> dict[str, Any]:
        spec = TrainingSpec(
            agent_id=str(agent.id), version_id=str(self.job_id), symbol=agent.symbol,
            frequency=agent.data_frequency, horizon=agent.prediction_horizon,
            horizon_bars=steps, features=list(agent.features), architecture=agent.architecture,
            epochs=agent.epochs, hyperparameters=dict(agent.hyperparameters),
            risk_params=dict(agent.risk_params),
            out_dir=str(self.ctx.settings.models_path / str(agent.id) / str(self.job_id)),
            seed=int(agent.hyperparameters.get("seed", self.job_id.int % (2**31))),
            user_segment=await self._segment(agent),
            cost_bp=self.ctx.settings.backtest_cost_bp, threads=self.ctx.settings.training_threads,
            nice=self.ctx.settings.training_nice,
        )
        mp = multiprocessing.get_context("spawn")
        parent, child = mp.Pipe(duplex=False)
        process = mp.Process(target=child_main, args=(spec, bars.write_ipc(None).getvalue(), child),
                             daemon=True, name=f"train-{self.job_id}")
        process.start()
        child.close()
        try:
            return await self._supervise(process, parent)
        finally:
            if process.is_alive():
                process.terminate()
                await asyncio.to_thread(process.join, 5)
                if process.is_alive():
                    process.kill()
            parent.close()

    @_outlasting_outages
    async def _segment(self, agent: Agent) -> str:
        async with self.ctx.sessionmaker() as session:
            user = await session.get(User, agent.user_id)
            return str(user.user_segment) if user else "short_term_trader"

    async def _supervise(self, process: Any, conn: Connection) -> dict[str, Any]:
        settings = self.ctx.settings
        deadline = time.monotonic() + settings.training_job_timeout_s
        last_beat = last_write = 0.0
        pending_progress: dict[str, Any] | None = None
        while True:
            while conn.poll():
                try:
                    kind, payload = conn.recv()
                except EOFError:
                    break
                if kind == "progress":
                    pending_progress = payload
                elif kind == "stage":
                    await self._enter(AgentStatus(payload), **(pending_progress or {}))
                    pending_progress = None
                elif kind == "result":
                    return dict(payload)
                elif kind == "failed":
                    raise _Failed(AgentStatus(payload["stage"]), payload["reason"])
            now = time.monotonic()
            if pending_progress and now - last_write >= settings.progress_write_interval_s:
                await self._progress(pending_progress)
                pending_progress, last_write, last_beat = None, now, now
            elif now - last_beat >= settings.heartbeat_interval_s:
                await self._heartbeat()
                last_beat = now
            if not process.is_alive() and not conn.poll():
                raise _Failed(self.stage, f"the training process stopped unexpectedly "
                                          f"(exit code {process.exitcode})")
            if now > deadline:
                raise _Failed(self.stage, f"training exceeded the {settings.training_job_timeout_s}"
                                          " s limit")
            await asyncio.sleep(0.1)

    @_outlasting_outages
    async def _heartbeat(self) -> None:
        async with self.ctx.sessionmaker() as session:
            job = await self._held(session)
            if job.cancel_requested:
                raise _Cancelled()
            job.heartbeat_at = utcnow()
            session.add(job)
            await _commit(session)

    @_outlasting_outages
    async def _progress(self, progress: dict[str, Any]) -> None:
        async with self.ctx.sessionmaker() as session:
            job = await self._held(session)
            if job.cancel_requested:
                raise _Cancelled()
            job.heartbeat_at = utcnow()
            job.progress = progress
            await session.execute(update(Agent).where(col(Agent.id) == job.agent_id)
                                  .values(progress=progress, updated_at=utcnow()))
            session.add(job)
            await _commit(session)

    @_outlasting_outages
    async def _ready(self, result: dict[str, Any]) -> None:
        async with self.ctx.sessionmaker() as session:
            job = await self._held(session)
            agent = await session.get(Agent, job.agent_id)
            version = await session.get(AgentVersion, job.id)
            assert agent is not None and version is not None
            version.weights_path = result["weights_path"]
            version.sha256 = result["sha256"]
            version.preprocessing = result["preprocessing"]
            version.calibration = result["calibration"]
            version.metrics = {**result["metrics"], "data_warnings": self.notes}
            version.loss_curve = result["loss_curve"]
            version.ready_at = utcnow()
            agent.serving_version_id = version.id
            agent.needs_retraining = False
            session.add_all([version, agent])
            await finish_job(session, self.ctx.notifier, agent, job, AgentStatus.READY)
            await _commit(session)

    @_outlasting_outages
    async def _finish(self, state: AgentStatus, reason: str,
                      stage: AgentStatus | None = None) -> None:
        try:
            async with self.ctx.sessionmaker() as session:
                job = await self._held(session)
                agent = await session.get(Agent, job.agent_id)
                if agent is None:
                    return
                await finish_job(session, self.ctx.notifier, agent, job, state, reason=reason,
                                 stage=str(stage) if stage else None)
                await _commit(session)
        except _LeaseLost:
            pass

    @_outlasting_outages
    async def _transient(self, reason: str) -> str:
        async with self.ctx.sessionmaker() as session:
            job = await self._held(session)
            agent = await session.get(Agent, job.agent_id)
            assert agent is not None
            if job.attempts >= job.max_attempts:
                await finish_job(session, self.ctx.notifier, agent, job, AgentStatus.FAILED,
                                 reason=f"{reason} (after {job.attempts} attempts)",
                                 stage=str(self.stage))
                await _commit(session)
                return "FAILED"
            job.state = AgentStatus.QUEUED
            job.lease_token = None
            agent.status = AgentStatus.QUEUED
            agent.updated_at = utcnow()
            session.add_all([job, agent])
            await self.ctx.notifier.emit(session, agent, AgentStatus.QUEUED, reason=reason,
                                         retry=True)
            await _commit(session)
            raise RetryLater(min(5.0 * 2 ** (job.attempts - 1), 300.0), reason)


class _LeaseLost(Exception):
    pass


async def _commit(session: AsyncSession) -> None:
    from app.db import run_after_commit

    await session.commit()
    await run_after_commit(session)


async def reap_stale_jobs(ctx: JobContext) -> int:
    """Jobs whose heartbeat stopped (worker killed, machine lost): retry or fail them."""
    cutoff = utcnow() - timedelta(seconds=ctx.settings.stale_job_after_s)
    handled = 0
    async with ctx.sessionmaker() as session:
        stale = (await session.scalars(
            select(TrainingJob).where(col(TrainingJob.state).in_(list(RUNNING_STATES)))
            .where(col(TrainingJob.heartbeat_at) < cutoff))).all()
        for job in stale:
            agent = await session.get(Agent, job.agent_id)
            if agent is None:
                continue
            handled += 1
            if job.cancel_requested:
                await finish_job(session, ctx.notifier, agent, job, AgentStatus.CANCELLED,
                                 reason="cancelled by user")
            elif job.attempts < job.max_attempts:
                logger.warning("re-queueing stale training job %s", job.id)
                job.state = AgentStatus.QUEUED
                job.lease_token = None
                job.enqueued_at = utcnow()
                agent.status = AgentStatus.QUEUED
                session.add_all([job, agent])
                await ctx.notifier.emit(session, agent, AgentStatus.QUEUED, retry=True,
                                        reason="the training worker stopped responding")
            else:
                await finish_job(
                    session, ctx.notifier, agent, job, AgentStatus.FAILED, stage=job.state,
                    reason=f"the training worker stopped responding (attempt {job.attempts} of "
                           f"{job.max_attempts}); retrain to try again")
        await _commit(session)
    await enqueue_queued(ctx)
    return handled


async def enqueue_queued(ctx: JobContext) -> int:
    """Hand every QUEUED job to the queue again (idempotent: ARQ de-duplicates by id).

    This is what makes a Redis outage lose nothing: jobs created while it was down
    are in the database as QUEUED and reach a worker on the next sweep.
    """
    async with ctx.sessionmaker() as session:
        queued = (await session.execute(
            select(col(TrainingJob.id), col(TrainingJob.attempts))
            .where(col(TrainingJob.state) == AgentStatus.QUEUED)
            .where(col(TrainingJob.cancel_requested).is_(False)))).all()
    for job_id, attempts in queued:
        await ctx.queue.enqueue(job_id, attempts + 1)
    return len(queued)
