"""The ARQ worker: `arq app.tasks.worker.WorkerSettings`.

ARQ's defaults are wrong for training: a 300 s job timeout would
kill a run, its `max_tries` would second-guess our attempts column, and it would
run several CPU-bound jobs at once. `worker_options` is the one statement of what
we use instead; `WorkerSettings` (for the command line) and `make_worker` (for
tests) are both built from it, and settings are read when asked for, not on import.
Its cron jobs sweep stale and unqueued jobs (`tasks.reaper`) and fill outcomes.
"""

from __future__ import annotations

import uuid
from typing import Any

from arq import Retry, cron
from arq.connections import RedisSettings
from arq.cron import CronJob
from arq.worker import Function, Worker, func

from app.config import Settings, get_settings
from app.services.job_queue import TRAIN_FUNCTION, ArqJobQueue, queue_name
from app.services.outcomes import fill_outcomes
from app.tasks.context import JobContext
from app.tasks.reaper import reap_stale_jobs
from app.tasks.training import RetryLater, run_training_job


async def train_agent(ctx: dict[str, Any], job_id: str) -> str:
    try:
        return await run_training_job(ctx["job"], uuid.UUID(job_id))
    except RetryLater as retry:
        raise Retry(defer=retry.defer_s) from None


async def sweep(ctx: dict[str, Any]) -> int:
    return await reap_stale_jobs(ctx["job"])


async def record_outcomes(ctx: dict[str, Any]) -> int:
    job: JobContext = ctx["job"]
    return await fill_outcomes(job.sessionmaker, job.settings, job.http)


def cron_schedule() -> list[CronJob]:
    # ARQ gives each tick one job id, so with several workers each tick runs once.
    return [
        cron(sweep, second=set(range(0, 60, 15)), run_at_startup=True, timeout=60),
        cron(record_outcomes, second=30, timeout=120),
    ]


def _startup(settings: Settings) -> Any:
    async def startup(ctx: dict[str, Any]) -> None:
        assert settings.redis_url, "the ARQ worker needs REDIS_URL"
        ctx["job"] = JobContext.build(
            settings, ArqJobQueue(settings.redis_url, settings.redis_namespace)
        )

    return startup


async def _shutdown(ctx: dict[str, Any]) -> None:
    job: JobContext | None = ctx.get("job")
    if job is not None:
        await job.queue.close()
        await job.close()


def train_function(settings: Settings) -> Function:
    return func(
        train_agent,
        name=TRAIN_FUNCTION,
        timeout=settings.training_job_timeout_s + 60,
        max_tries=settings.training_max_attempts + 3,
        keep_result=60,
    )


def worker_options(settings: Settings) -> dict[str, Any]:
    return {
        "functions": [train_function(settings)],
        "cron_jobs": cron_schedule(),
        "redis_settings": _redis_settings(settings),
        "queue_name": queue_name(settings.redis_namespace),
        "on_startup": _startup(settings),
        "on_shutdown": _shutdown,
        "max_jobs": settings.worker_max_jobs,
        "job_timeout": settings.training_job_timeout_s + 60,
        "keep_result": 60,
        "allow_abort_jobs": True,
        "health_check_interval": 10,
        "job_completion_wait": 0,
    }


def make_worker(settings: Settings, **overrides: Any) -> Worker:
    """A worker for these settings (tests start several, each with its own settings)."""
    return Worker(**{**worker_options(settings), **overrides})


def _redis_settings(settings: Settings) -> RedisSettings:
    return RedisSettings.from_dsn(settings.redis_url or "redis://127.0.0.1:6379/0")


def __getattr__(name: str) -> Any:
    """`WorkerSettings`, built on first use from the environment's settings (REDIS_URL …):
    the `arq` command line looks it up by name, and importing this module reads nothing."""
    if name == "WorkerSettings":
        return type(
            "WorkerSettings", (), {"__module__": __name__, **worker_options(get_settings())}
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
