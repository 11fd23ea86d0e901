"""The embedded runner: training without Redis, in the API's process tree.

It runs the very job function the ARQ worker runs, one job at a time; the
training itself happens in that function's child process, so the API's event
loop never trains. It also sweeps: stale jobs (the API was killed mid-training)
are retried or failed on the next start.
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
from app.services.job_queue import EmbeddedJobQueue
from app.tasks.context import JobContext
from app.tasks.reaper import reap_stale_jobs
from app.tasks.training import RetryLater, run_training_job

logger = logging.getLogger(__name__)


class EmbeddedRunner:
    """One job at a time. `stop` cancels a training (its child is killed) but lets a
    database pass finish: a query cancelled on SQLite leaves aiosqlite's thread
    answering an event loop that is about to close."""

    def __init__(self, ctx: JobContext, queue: EmbeddedJobQueue) -> None:
        self.ctx = ctx
        self.queue = queue
        self._task: asyncio.Task[None] | None = None
        self._deferred: dict[uuid.UUID, float] = {}
        self._stopping = asyncio.Event()
        self._training = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="embedded-training-runner")

    async def stop(self) -> None:
        if self._task is not None:
            self._stopping.set()
            self.queue.wakeup.set()
            if self._training:
                self._task.cancel()
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout=10)
            except TimeoutError:
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.ctx.close()

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        next_sweep = 0.0
        while not self._stopping.is_set():
            try:
                if loop.time() >= next_sweep:
                    await reap_stale_jobs(self.ctx)
                    next_sweep = loop.time() + self.ctx.settings.reaper_interval_s
                job_id = await self._next_job(loop.time())
                if self._stopping.is_set():
                    return
                if job_id is not None:
                    self._training = True
                    try:
                        await self._run(job_id, loop.time())
                    finally:
                        self._training = False
                    continue
                self.queue.wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.queue.wakeup.wait(), timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep serving; the sweep retries what failed
                logger.error("embedded runner error: %s", type(exc).__name__)
                await asyncio.sleep(1.0)

    async def _run(self, job_id: uuid.UUID, now: float) -> None:
        try:
            await run_training_job(self.ctx, job_id)
        except RetryLater as retry:
            self._deferred[job_id] = now + retry.defer_s

    async def _next_job(self, now: float) -> uuid.UUID | None:
        async with self.ctx.sessionmaker() as session:
            ids = (
                await session.scalars(
                    select(col(TrainingJob.id))
                    .where(col(TrainingJob.state) == AgentStatus.QUEUED)
                    .where(col(TrainingJob.cancel_requested).is_(False))
                    .order_by(col(TrainingJob.created_at))
                    .limit(20)
                )
            ).all()
        for job_id in ids:
            if self._deferred.get(job_id, 0.0) <= now:
                self._deferred.pop(job_id, None)
                return job_id
        return None
