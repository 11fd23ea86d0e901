"""One training run: the job function an ARQ worker or the embedded runner calls.

Orchestration only. Every write to the job goes through `services.training_jobs`
under the lease the claim returned, so a job delivered twice (ARQ is
at-least-once) runs once and a run that lost its lease stops writing. Each step
is one short transaction, retried through a database outage, so a run that may
be hours in survives a PostgreSQL restart.

A heartbeat task beats for the whole run, whatever the stage (a vendor fetch of
hundreds of slow pages, validation, training, evaluation), so a live run is never
taken for a dead one. Every way a run can end is written by the run itself: a
vendor's transient failure puts the job back QUEUED with a back-off, a worker
shutting down (`ctx.stopping`) puts it back QUEUED with a checkpoint of the epochs
done (the next claim resumes from it), and any other exception ends it FAILED with
its type and message — never left for the reaper to call "stopped responding".
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.calendars import TradingCalendar, calendar_of_instrument
from app.core.clock import as_utc
from app.db import database_unavailable, run_after_commit
from app.ml.artifacts import ArtifactError
from app.ml.champion import Champion
from app.models import Agent, AgentVersion, TrainingJob, User
from app.models.agents import AgentStatus
from app.services import artifact_store, training_jobs
from app.services.market_data.base import (
    MarketDataError,
    MarketDataUnavailable,
    source_notes,
)
from app.services.market_data.frequency import bar_close, get_frequency, horizon_bars
from app.services.market_data.validation import validate_bars
from app.services.sentiment import add_sentiment, coverage_share
from app.services.training_jobs import CancelRequested, LeaseLost
from app.tasks.context import JobContext
from app.tasks.supervisor import ChildFailed, ChildInterrupted, TrainingSpec, supervise

logger = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


class _Failed(Exception):
    def __init__(self, stage: AgentStatus, reason: str) -> None:
        super().__init__(reason)
        self.stage = stage
        self.reason = reason


class _Suspended(Exception):
    """The process is shutting down: re-queue with the checkpoint (if training began)."""

    def __init__(self, epoch: int = 0, checkpoint: bytes | None = None) -> None:
        super().__init__(f"suspended after epoch {epoch}")
        self.epoch = epoch
        self.checkpoint = checkpoint


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


async def _calendar(agent: Agent) -> TradingCalendar:
    """The agent's exchange calendar, built off the event loop: a process's first build
    of one takes seconds (XNYS: 1.3 s on an idle core), and the heartbeat (embedded:
    the API's requests) shares the loop; a stall past STALE_JOB_AFTER_S loses the lease."""
    return await asyncio.to_thread(calendar_of_instrument, agent.instrument, agent.symbol)


def data_span(
    bars: Any, frequency: str, *, calendar: TradingCalendar | None = None
) -> tuple[datetime, datetime]:
    """The first bar's start and the last bar's close (UTC) of a non-empty bar frame,
    on the exchange's `calendar` (New York's by default)."""
    first, last = bars["timestamp"][0], bars["timestamp"][-1]
    closed = bar_close(frequency, last, calendar=calendar)
    return as_utc(first).astimezone(UTC), closed.astimezone(UTC)


class _Run:
    """fetch → validate → train (in the supervised child) → ready, under one lease.
    It is also the supervisor's `Reporter`: stages, progress and heartbeats."""

    def __init__(self, ctx: JobContext, job_id: uuid.UUID, lease: str) -> None:
        self.ctx = ctx
        self.job_id = job_id
        self.lease = lease
        self.stage = AgentStatus.FETCHING_DATA
        self.notes: list[str] = []  # data warnings the trader should see with the metrics
        self.sentiment_coverage: float | None = None  # share of the bars with news
        # First bar's start, last bar's close: the data the version is trained,
        # validated and tested on (a /predict call inside it is in-sample).
        self.data_span: tuple[datetime, datetime] | None = None
        self.version: AgentVersion | None = None  # the version this job trains
        self._stopped_by: BaseException | None = None  # set by the heartbeat
        self._ending = False  # a final write has begun: the heartbeat no longer stops it

    async def run(self) -> str:
        """The stages, with a heartbeat beside them; how the run ended."""
        work = asyncio.create_task(self._stages(), name=f"training-{self.job_id}")
        beating = asyncio.create_task(self._beat(work), name=f"heartbeat-{self.job_id}")
        try:
            return await work
        except asyncio.CancelledError:
            if self._stopped_by is None:  # we were cancelled (worker shutdown, abort)
                raise
            return await self._ended_by(self._stopped_by)
        finally:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating

    async def _beat(self, work: asyncio.Task[str]) -> None:
        """Beat every `heartbeat_interval_s` until the run ends; a lost lease or a
        cancel request stops the run, whatever it is waiting on."""
        interval = self.ctx.settings.heartbeat_interval_s
        while not work.done():
            await asyncio.sleep(interval)
            try:
                await self.heartbeat()
            except (LeaseLost, CancelRequested) as exc:
                if not work.done() and not self._ending:
                    self._stopped_by = exc
                    work.cancel()
                return
            except Exception as exc:  # a database still down: the next beat tries again
                logger.warning("heartbeat of job %s failed: %s", self.job_id, type(exc).__name__)

    async def _ended_by(self, exc: BaseException) -> str:
        if isinstance(exc, CancelRequested):
            await self._finish(AgentStatus.CANCELLED, "cancelled by user")
            return "CANCELLED"
        return "lease lost: the job was reaped or taken over"

    async def _stages(self) -> str:
        try:
            agent, job = await self._load()
            if job.attempts > job.max_attempts:
                raise _Failed(self.stage, f"gave up after {job.max_attempts} attempts")
            await self._enter(AgentStatus.FETCHING_DATA)
            calendar = await _calendar(agent)
            bars = await self._fetch(agent, calendar)
            await self._enter(AgentStatus.VALIDATING)
            # Trading time on the exchange's sessions: "1d" of 1h bars is 7 in New York,
            # 9 in London; the version keeps it (preprocessing) for /predict and replays.
            steps = horizon_bars(agent.data_frequency, agent.prediction_horizon, calendar=calendar)
            lookback = int(agent.hyperparameters.get("lookback", 60))
            report = validate_bars(bars, agent.data_frequency, lookback, steps, calendar=calendar)
            if not report.ok:
                raise _Failed(AgentStatus.VALIDATING, "; ".join(report.reasons))
            self.notes.extend(report.warnings)  # splits, stale runs, gaps...: for the agent
            self.data_span = data_span(bars, agent.data_frequency, calendar=calendar)
            if self.ctx.stopping.is_set():  # shutting down: leave it to the next worker
                raise _Suspended()
            await self._enter(AgentStatus.TRAINING)
            result = await self._train(agent, bars, steps)
            await self._ready(result)
            return "READY"
        except (CancelRequested, LeaseLost) as exc:
            return await self._ended_by(exc)
        except _Suspended as exc:
            return await self._suspend(exc)
        except _Failed as exc:
            await self._finish(AgentStatus.FAILED, exc.reason, exc.stage)
            return "FAILED"
        except MarketDataUnavailable as exc:
            return await self._transient(str(exc), _retry_after(exc))
        except MarketDataError as exc:
            await self._finish(AgentStatus.FAILED, str(exc), AgentStatus.FETCHING_DATA)
            return "FAILED"
        except Exception as exc:  # anything else: FAILED with what it was, not "stopped"
            logger.exception("training job %s failed in %s", self.job_id, self.stage)
            await self._finish(AgentStatus.FAILED, unexpected(exc), self.stage)
            return "FAILED"

    @_outlasting_outages
    async def _load(self) -> tuple[Agent, TrainingJob]:
        async with self.ctx.sessionmaker() as session:
            job = await session.get(TrainingJob, self.job_id)
            agent = await session.get(Agent, job.agent_id) if job else None
            if job is None or agent is None:
                raise LeaseLost()
            self.version = await session.get(AgentVersion, self.job_id)
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

    async def _fetch(self, agent: Agent, calendar: TradingCalendar) -> Any:
        market = self.ctx.market_data
        provider = market.provider(agent.data_source)
        # A retrain learns its version's range; versions from before ranges, the agent's.
        version = self.version
        first = (version.start_date if version else None) or agent.start_date
        last = (version.end_date if version else None) or agent.end_date
        start = datetime.combine(first, datetime.min.time(), UTC)
        end = datetime.combine(last, datetime.min.time(), UTC) + timedelta(days=1)
        if get_frequency(agent.data_frequency).intraday:
            # The exchange's sessions of those dates: Sydney's opens the UTC day before.
            start = min(start, calendar.hours(first).open)
            end = max(end, calendar.hours(last).close)
        bars = await provider.fetch_bars(agent.symbol, agent.data_frequency, start, end)
        self.notes.extend(source_notes(provider, agent.symbol, agent.data_frequency))
        if agent.sentiment_enabled:  # SPEC §4: absent (and said so) without a news source
            source = market.news_source()
            bars, notes = await add_sentiment(
                bars, agent.symbol, source, coverage_of="training period's bars"
            )
            self.notes.extend(notes)
            self.sentiment_coverage = coverage_share(bars)
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
            walk_forward_folds=settings.walk_forward_folds,
            champion=await self._champion(agent),
            threads=settings.training_threads,
            nice=settings.training_nice,
            backend=settings.training_backend(agent.architecture),
            compilation_cache=str(settings.var_dir / "jax-cache"),
        )
        checkpoint = await self._checkpoint()
        if checkpoint is not None:
            logger.info("training job %s resumes after epoch %d", self.job_id, checkpoint[0])
        try:
            return await supervise(
                spec,
                bars.write_ipc(None).getvalue(),
                self,
                timeout_s=settings.training_job_timeout_s,
                heartbeat_interval_s=settings.heartbeat_interval_s,
                progress_write_interval_s=settings.progress_write_interval_s,
                checkpoint=checkpoint[1] if checkpoint is not None else None,
                stop=self.ctx.stopping,
            )
        except ChildInterrupted as exc:
            raise _Suspended(exc.epoch, exc.checkpoint) from None
        except ChildFailed as exc:
            raise _Failed(AgentStatus(exc.stage) if exc.stage else self.stage, exc.reason) from None

    @_outlasting_outages
    async def _champion(self, agent: Agent) -> Champion | None:
        """The serving version a retrain is gated against, as files this process can
        load (materialised from the database store when that is where they are)."""
        if agent.serving_version_id is None or agent.serving_version_id == self.job_id:
            return None
        async with self.ctx.sessionmaker() as session:
            serving = await session.get(AgentVersion, agent.serving_version_id)
        if serving is None or not serving.sha256:
            return None
        store = artifact_store.ArtifactStore(self.ctx.settings, self.ctx.sessionmaker)
        try:
            directory = await store.local_copy(
                agent.id, serving.id, serving.weights_path or "", serving.sha256
            )
        except (ArtifactError, OSError) as exc:
            logger.warning("champion %s cannot be materialised: %s", serving.id, exc)
            directory = None
        return Champion(
            version_id=str(serving.id),
            number=serving.number,
            directory=directory or serving.weights_path or "",
            sha256=serving.sha256,
        )

    @_outlasting_outages
    async def _checkpoint(self) -> tuple[int, bytes] | None:
        async with self.ctx.sessionmaker() as session:
            return await training_jobs.load_checkpoint(session, self.job_id)

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
        try:  # read and verified before the transaction; stored inside it
            files = await artifact_store.files_to_store(self.ctx.settings, result)
        except ArtifactError as exc:
            raise _Failed(AgentStatus.TRAINING, f"the model could not be stored: {exc}") from None
        if self.sentiment_coverage is not None:  # how much of the period had news
            metrics = {**result["metrics"], "sentiment_coverage": self.sentiment_coverage}
            result = {**result, "metrics": metrics}
        self._ending = True
        async with self.ctx.sessionmaker() as session:
            await training_jobs.ready(
                session,
                self.ctx.notifier,
                self.job_id,
                self.lease,
                result,
                self.notes,
                data_span=self.data_span,
                files=files,
            )
            await _commit(session)

    @_outlasting_outages
    async def _finish(
        self, state: AgentStatus, reason: str, stage: AgentStatus | None = None
    ) -> None:
        self._ending = True
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
    async def _transient(self, reason: str, retry_after_s: float | None) -> str:
        """Back to QUEUED until `next_attempt_at`; the sweep (or the embedded runner)
        takes it again then. The crash budget (`attempts`) is not spent."""
        self._ending = True
        try:
            async with self.ctx.sessionmaker() as session:
                delay = await training_jobs.requeue(
                    session,
                    self.ctx.notifier,
                    self.job_id,
                    self.lease,
                    reason=reason,
                    stage=str(self.stage),
                    retry_after_s=retry_after_s,
                    back_off=training_jobs.BackOff.from_settings(self.ctx.settings),
                )
                await _commit(session)
        except LeaseLost:
            return "lease lost: the job was reaped or taken over"
        if delay is None:
            return "FAILED"
        logger.info("training job %s retries in %.1f s: %s", self.job_id, delay, reason)
        return f"RETRY in {delay:.1f} s"

    @_outlasting_outages
    async def _suspend(self, stopped: _Suspended) -> str:
        """Back to QUEUED, due at once, with the checkpoint: the worker is shutting down.
        Neither `attempts` nor the transient budget is spent; the job is handed to the
        queue again at once (the sweep would, too), for another worker to resume."""
        self._ending = True
        resume_at = stopped.epoch + 1
        reason = (
            f"the training worker shut down; training resumes at epoch {resume_at}"
            if stopped.checkpoint is not None
            else "the training worker shut down; training starts again"
        )
        try:
            async with self.ctx.sessionmaker() as session:
                delivery = await training_jobs.suspend(
                    session,
                    self.ctx.notifier,
                    self.job_id,
                    self.lease,
                    reason=reason,
                    checkpoint=stopped.checkpoint,
                    epoch=stopped.epoch,
                )
                await _commit(session)
        except CancelRequested as exc:
            return await self._ended_by(exc)
        except LeaseLost:
            return "lease lost: the job was reaped or taken over"
        try:
            await self.ctx.queue.enqueue(self.job_id, delivery)
        except Exception as exc:  # Redis down: the sweep enqueues it
            logger.warning("re-enqueueing job %s failed: %s", self.job_id, type(exc).__name__)
        logger.info("training job %s re-queued on shutdown: %s", self.job_id, reason)
        return f"SUSPENDED after epoch {stopped.epoch}"


_CREDENTIALS = re.compile(r"(?i)(://[^/\s:@]*:)[^@\s]*@|((?:password|secret|token|key)=)[^&\s]+")


def unexpected(exc: BaseException) -> str:
    """What a run failed of, for the user: the exception's type and message, with
    credentials in URLs and `password=`-style parameters blanked, truncated."""
    message = _CREDENTIALS.sub(
        lambda m: f"{m.group(1)}***@" if m.group(1) else f"{m.group(2)}***", str(exc)
    )
    text = f"unexpected {type(exc).__name__}: {message}" if message else type(exc).__name__
    return text if len(text) <= 500 else text[:497] + "..."


def _retry_after(exc: MarketDataUnavailable) -> float | None:
    """The vendor's Retry-After, as the market-data client passed it on."""
    try:
        return float(exc.headers["Retry-After"])
    except (KeyError, TypeError, ValueError):
        return None


async def _commit(session: AsyncSession) -> None:
    await session.commit()
    await run_after_commit(session)
