"""One training run: the job function an ARQ worker or the embedded runner calls.

Orchestration only. Every write to the job goes through `services.training_jobs`
under the lease the claim returned, so a job delivered twice (ARQ is
at-least-once) runs once and a run that lost its lease stops writing. Each step
is one short transaction, retried through a database outage, so a run that may
be hours in survives a PostgreSQL restart.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import database_unavailable, run_after_commit
from app.models import Agent, TrainingJob, User
from app.models.agents import AgentStatus
from app.services import training_jobs
from app.services.market_data.base import MarketDataError, MarketDataUnavailable, get_provider
from app.services.market_data.frequency import bar_close, horizon_bars
from app.services.market_data.validation import validate_bars
from app.services.news import get_news_source
from app.services.sentiment import add_sentiment
from app.services.training_jobs import CancelRequested, LeaseLost
from app.tasks.context import JobContext
from app.tasks.supervisor import ChildFailed, TrainingSpec, supervise

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


async def run_training_job(ctx: JobContext, job_id: uuid.UUID) -> str:
    async with ctx.sessionmaker() as session:
        lease = await training_jobs.claim(session, job_id)
        await session.commit()
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
                logger.warning(
                    "database unavailable in training job %s (%s); retrying in %.1f s",
                    run.job_id,
                    type(exc).__name__,
                    delay,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    return retrying


def data_span(bars: Any, frequency: str) -> tuple[datetime, datetime]:
    """The first bar's start and the last bar's close (UTC) of a non-empty bar frame."""
    first, last = bars["timestamp"][0], bars["timestamp"][-1]
    first = first if first.tzinfo else first.replace(tzinfo=UTC)
    return first.astimezone(UTC), bar_close(frequency, last).astimezone(UTC)


class _Run:
    """fetch → validate → train (in the supervised child) → ready, under one lease.
    It is also the supervisor's `Reporter`: stages, progress and heartbeats."""

    def __init__(self, ctx: JobContext, job_id: uuid.UUID, lease: str) -> None:
        self.ctx = ctx
        self.job_id = job_id
        self.lease = lease
        self.stage = AgentStatus.FETCHING_DATA
        self.notes: list[str] = []  # data warnings the trader should see with the metrics
        # First bar's start, last bar's close: the data the version is trained,
        # validated and tested on (a /predict call inside it is in-sample).
        self.data_span: tuple[datetime, datetime] | None = None

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
            self.data_span = data_span(bars, agent.data_frequency)
            await self._enter(AgentStatus.TRAINING)
            result = await self._train(agent, bars, steps)
            await self._ready(result)
            return "READY"
        except CancelRequested:
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
        except LeaseLost:
            return "lease lost: the job was reaped or taken over"

    @_outlasting_outages
    async def _load(self) -> tuple[Agent, TrainingJob]:
        async with self.ctx.sessionmaker() as session:
            job = await session.get(TrainingJob, self.job_id)
            agent = await session.get(Agent, job.agent_id) if job else None
            if job is None or agent is None:
                raise LeaseLost()
            return agent, job

    @_outlasting_outages
    async def _enter(self, stage: AgentStatus, **progress: Any) -> None:
        """Move to `stage` (if we still hold the lease) and tell the user."""
        self.stage = stage
        async with self.ctx.sessionmaker() as session:
            await training_jobs.enter_stage(
                session, self.ctx.notifier, self.job_id, self.lease, stage, progress
            )
            await _commit(session)

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
        settings = self.ctx.settings
        spec = TrainingSpec(
            agent_id=str(agent.id),
            version_id=str(self.job_id),
            symbol=agent.symbol,
            frequency=agent.data_frequency,
            horizon=agent.prediction_horizon,
            horizon_bars=steps,
            features=list(agent.features),
            architecture=agent.architecture,
            epochs=agent.epochs,
            hyperparameters=dict(agent.hyperparameters),
            risk_params=dict(agent.risk_params),
            out_dir=str(settings.models_path / str(agent.id) / str(self.job_id)),
            seed=int(agent.hyperparameters.get("seed", self.job_id.int % (2**31))),
            user_segment=await self._segment(agent),
            cost_bp=settings.backtest_cost_bp,
            threads=settings.training_threads,
            nice=settings.training_nice,
        )
        try:
            return await supervise(
                spec,
                bars.write_ipc(None).getvalue(),
                self,
                timeout_s=settings.training_job_timeout_s,
                heartbeat_interval_s=settings.heartbeat_interval_s,
                progress_write_interval_s=settings.progress_write_interval_s,
            )
        except ChildFailed as exc:
            raise _Failed(AgentStatus(exc.stage) if exc.stage else self.stage, exc.reason) from None

    @_outlasting_outages
    async def _segment(self, agent: Agent) -> str:
        async with self.ctx.sessionmaker() as session:
            user = await session.get(User, agent.user_id)
            return str(user.user_segment) if user else "short_term_trader"

    # The supervisor's Reporter.

    async def reached_stage(self, stage: str, progress: dict[str, Any]) -> None:
        await self._enter(AgentStatus(stage), **progress)

    @_outlasting_outages
    async def heartbeat(self) -> None:
        async with self.ctx.sessionmaker() as session:
            await training_jobs.heartbeat(session, self.job_id, self.lease)
            await _commit(session)

    @_outlasting_outages
    async def progress(self, progress: dict[str, Any]) -> None:
        async with self.ctx.sessionmaker() as session:
            await training_jobs.record_progress(session, self.job_id, self.lease, progress)
            await _commit(session)

    # The ends of a run.

    @_outlasting_outages
    async def _ready(self, result: dict[str, Any]) -> None:
        async with self.ctx.sessionmaker() as session:
            await training_jobs.ready(
                session,
                self.ctx.notifier,
                self.job_id,
                self.lease,
                result,
                self.notes,
                data_span=self.data_span,
            )
            await _commit(session)

    @_outlasting_outages
    async def _finish(
        self, state: AgentStatus, reason: str, stage: AgentStatus | None = None
    ) -> None:
        try:
            async with self.ctx.sessionmaker() as session:
                await training_jobs.finish(
                    session,
                    self.ctx.notifier,
                    self.job_id,
                    self.lease,
                    state,
                    reason=reason,
                    stage=str(stage) if stage else None,
                )
                await _commit(session)
        except LeaseLost:
            pass

    @_outlasting_outages
    async def _transient(self, reason: str) -> str:
        async with self.ctx.sessionmaker() as session:
            spent = await training_jobs.requeue(
                session,
                self.ctx.notifier,
                self.job_id,
                self.lease,
                reason=reason,
                stage=str(self.stage),
            )
            await _commit(session)
        if spent is None:
            return "FAILED"
        raise RetryLater(min(5.0 * 2 ** (spent - 1), 300.0), reason)


async def _commit(session: AsyncSession) -> None:
    await session.commit()
    await run_after_commit(session)
