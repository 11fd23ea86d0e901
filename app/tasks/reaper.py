"""The sweep: what keeps a lost worker or a Redis outage from losing a job.

ARQ never refreshes a running job's lock and forgets what it ran,
so the job rows are swept instead: a running job whose heartbeat stopped is
re-queued or failed (`training_jobs.reap`, conditional on what the sweep read),
and every QUEUED job whose back-off has run out (`next_attempt_at`) is handed to
the queue again, which covers jobs created while Redis was down. It runs in the
scheduler (`tasks.scheduler`), never in a job slot a training could hold.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlmodel import col

from app.db import run_after_commit
from app.models import TrainingJob
from app.models.agents import AgentStatus
from app.models.base import utcnow
from app.services import backtests, training_jobs
from app.services.job_queue import BACKTEST_FUNCTION
from app.tasks.context import JobContext


async def reap_stale_jobs(ctx: JobContext) -> int:
    """Jobs whose heartbeat stopped (worker killed, machine lost): retry or fail them."""
    cutoff = utcnow() - timedelta(seconds=ctx.settings.stale_job_after_s)
    async with ctx.sessionmaker() as session:
        handled = await training_jobs.reap(session, ctx.notifier, cutoff)
        retried = await backtests.reap(session, cutoff)
        await session.commit()
        await run_after_commit(session)
    await enqueue_queued(ctx)
    return handled + len(retried)


async def enqueue_queued(ctx: JobContext) -> int:
    """Hand every QUEUED job that is due to the queue again (idempotent: ARQ
    de-duplicates by id, and each delivery — crash retry, transient retry or resume
    after a shutdown — has an id of its own); a job backing off waits for its `next_attempt_at`."""
    async with ctx.sessionmaker() as session:
        queued = (
            await session.execute(
                select(
                    col(TrainingJob.id),
                    col(TrainingJob.attempts)
                    + col(TrainingJob.transient_retries)
                    + col(TrainingJob.interruptions),
                )
                .where(col(TrainingJob.state) == AgentStatus.QUEUED)
                .where(col(TrainingJob.cancel_requested).is_(False))
                .where(training_jobs.due(utcnow()))
            )
        ).all()
        waiting = await backtests.queued(session)
    for job_id, deliveries in queued:
        await ctx.queue.enqueue(job_id, int(deliveries) + 1)
    for backtest_id, attempt in waiting:
        await ctx.queue.enqueue(backtest_id, attempt, BACKTEST_FUNCTION)
    return len(queued) + len(waiting)
