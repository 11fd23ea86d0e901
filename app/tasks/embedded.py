"""The embedded runner: training and backtests without Redis, in the API's process tree.

It runs the very job function the ARQ worker runs, one job at a time; the
training itself happens in that function's child process, so the API's event
loop never trains. Beside it, not behind it, a scheduler (`tasks.scheduler`)
sweeps: stale jobs (the API was killed mid-training) are retried or failed, also
while a training runs, and a job backing off after a vendor failure is only
taken once its `next_attempt_at` has passed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

from sqlalchemy import select
from sqlmodel import col

from app.models import TrainingJob
from app.models.agents import AgentStatus
from app.models.base import utcnow
from app.services import backtests, training_jobs
from app.services.job_queue import EmbeddedJobQueue
from app.tasks.backtest import run_backtest_job
from app.tasks.context import JobContext
from app.tasks.scheduler import Scheduler, sweep_tick
from app.tasks.training import run_training_job

logger = logging.getLogger(__name__)


class EmbeddedRunner:
    """One job at a time. `stop` (the app's shutdown) asks a training to stop at its
    next epoch boundary, where it stores a checkpoint and re-queues its job without
    spending an attempt (`JobContext.stopping`), and waits `shutdown_grace_s` for
    that; past it the training is cancelled (its child is killed). A database pass
    is let finish: a query cancelled on SQLite leaves aiosqlite's thread answering
    an event loop that is about to close."""

    def __init__(self, ctx: JobContext, queue: EmbeddedJobQueue) -> None:
        self.ctx = ctx
        self.queue = queue
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._training = False
        self.scheduler = Scheduler(ctx, [sweep_tick(ctx)])

    def start(self) -> None:
        self.scheduler.start()
        self._task = asyncio.create_task(self._loop(), name="embedded-training-runner")

    async def stop(self) -> None:
        await self.scheduler.stop()
        if self._task is not None:
            self._stopping.set()
            self.queue.wakeup.set()
            grace = 10.0
            if self._training:
                self.ctx.stopping.set()
                grace = float(self.ctx.settings.shutdown_grace_s)
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout=grace)
            except TimeoutError:
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.ctx.close()

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                job_id = await self._next_job()
                if self._stopping.is_set():
                    return
                if job_id is not None:
                    self._training = True
                    try:
                        await run_training_job(self.ctx, job_id)
                    finally:
                        self._training = False
                    continue
                backtest_id = await self._next_backtest()
                if backtest_id is not None:
                    await run_backtest_job(self.ctx, backtest_id)
                    continue
                self.queue.wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.queue.wakeup.wait(), timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep serving; the sweep retries what failed
                logger.error("embedded runner error: %s", type(exc).__name__)
                await asyncio.sleep(1.0)

    async def _next_job(self) -> uuid.UUID | None:
        """The oldest QUEUED job that is due (not backing off after a vendor failure)."""
        async with self.ctx.sessionmaker() as session:
            job_id: uuid.UUID | None = await session.scalar(
                select(col(TrainingJob.id))
                .where(col(TrainingJob.state) == AgentStatus.QUEUED)
                .where(col(TrainingJob.cancel_requested).is_(False))
                .where(training_jobs.due(utcnow()))
                .order_by(col(TrainingJob.created_at))
                .limit(1)
            )
        return job_id

    async def _next_backtest(self) -> uuid.UUID | None:
        async with self.ctx.sessionmaker() as session:
            return await backtests.next_queued(session)
