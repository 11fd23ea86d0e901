"""The ARQ worker: `python -m app.tasks.worker` (same environment as the API).

ARQ's defaults are wrong for training: a 300 s job timeout would
kill a run, its `max_tries` would second-guess our attempts column, and it would
run several CPU-bound jobs at once. `worker_options` is the one statement of what
we use instead; `make_worker` (the command above, and tests) and `WorkerSettings`
(for `arq --check`) are both built from it, and settings are read when asked for,
not on import.

Two things ARQ does not do are added here:

* the sweep and outcome filling run in a scheduler task beside the job slots
  (`tasks.scheduler`), not as cron jobs, which would wait for a free slot — for
  as long as a training holds it;
* `ResilientWorker` outlives Redis: ARQ's polling loop ends the process on the
  first connection error, this one logs it, backs off and polls again, and the
  training in progress (a task of this process) is left alone;
* a graceful shutdown: on SIGTERM or SIGINT the worker takes no new job and asks
  its trainings to stop at the next epoch boundary (`JobContext.stopping`); each
  stores a checkpoint and re-queues its job without spending an attempt, and the
  worker exits. Past `SHUTDOWN_GRACE_S` (ARQ's `job_completion_wait`) what still
  runs is cancelled as before: the child is killed and the sweep re-queues the
  job once its heartbeat is stale, spending an attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import logging.config
import signal
import uuid
from typing import Any

import httpx
from arq.connections import RedisSettings, create_pool, log_redis_info
from arq.logs import default_log_config
from arq.utils import poll
from arq.worker import Function, Worker, func
from redis.exceptions import RedisError

from app.config import Settings, get_settings
from app.services.job_queue import BACKTEST_FUNCTION, TRAIN_FUNCTION, ArqJobQueue, queue_name
from app.tasks.backtest import run_backtest_job
from app.tasks.context import JobContext
from app.tasks.scheduler import RedisTickLock, Scheduler
from app.tasks.training import run_training_job

# Named, not `__name__`: run as `python -m app.tasks.worker` this module is `__main__`,
# outside the `app` logger that `main` configures.
logger = logging.getLogger("app.tasks.worker")

# Back-off between attempts to reach a Redis that stopped answering.
RECONNECT_FIRST_S = 0.5
RECONNECT_MAX_S = 10.0


async def train_agent(ctx: dict[str, Any], job_id: str) -> str:
    return await run_training_job(ctx["job"], uuid.UUID(job_id))


async def run_backtest(ctx: dict[str, Any], backtest_id: str) -> str:
    return await run_backtest_job(ctx["job"], uuid.UUID(backtest_id))


def _startup(settings: Settings, http: httpx.AsyncClient | None = None) -> Any:
    async def startup(ctx: dict[str, Any]) -> None:
        queue = ArqJobQueue.from_settings(settings)
        job = JobContext.build(settings, queue, http)
        ctx["job"] = job
        scheduler = Scheduler.for_context(job, RedisTickLock(queue.redis, settings.redis_namespace))
        scheduler.start()
        ctx["scheduler"] = scheduler

    return startup


async def _shutdown(ctx: dict[str, Any]) -> None:
    scheduler: Scheduler | None = ctx.pop("scheduler", None)
    if scheduler is not None:
        await scheduler.stop()
    job: JobContext | None = ctx.pop("job", None)
    if job is not None:
        await job.queue.close()
        await job.close()


def _job_function(settings: Settings, coroutine: Any, name: str) -> Function:
    return func(
        coroutine,
        name=name,
        timeout=settings.training_job_timeout_s + 60,
        max_tries=settings.training_max_attempts + 3,
        keep_result=60,
    )


def worker_options(settings: Settings) -> dict[str, Any]:
    return {
        "functions": [
            _job_function(settings, train_agent, TRAIN_FUNCTION),
            _job_function(settings, run_backtest, BACKTEST_FUNCTION),
        ],
        "redis_settings": _redis_settings(settings),
        "queue_name": queue_name(settings.redis_namespace),
        "on_startup": _startup(settings),
        "on_shutdown": _shutdown,
        "max_jobs": settings.worker_max_jobs,
        "job_timeout": settings.training_job_timeout_s + 60,
        "keep_result": 60,
        "allow_abort_jobs": True,
        "health_check_interval": 10,
        "job_completion_wait": settings.shutdown_grace_s,
    }


class ResilientWorker(Worker):
    """An ARQ worker that waits Redis out instead of exiting.

    ARQ's `main` raises out of its polling loop on the first `ConnectionError`
    (and its `close` on the way out), which ends the process and with it the
    training it was supervising. Here connecting retries with back-off, a failed
    poll iteration (fetching jobs, aborts, the health check) is logged and retried
    with back-off, and the jobs already running go on untouched: they need Redis
    only to record their result, and the job row, not Redis, is the truth."""

    reconnects = 0  # how many outages this worker has waited out

    def handle_sig_wait_for_completion(self, signum: signal.Signals) -> None:
        self._stop_trainings(signum)
        super().handle_sig_wait_for_completion(signum)

    def handle_sig(self, signum: signal.Signals) -> None:
        self._stop_trainings(signum)
        super().handle_sig(signum)

    def _stop_trainings(self, signum: signal.Signals) -> None:
        """SIGTERM / SIGINT: every training of this process checkpoints at its next
        epoch boundary and re-queues its job (ARQ stops taking jobs meanwhile)."""
        job: JobContext | None = self.ctx.get("job")
        if job is not None and signum in (signal.SIGTERM, signal.SIGINT):
            running = sum(not t.done() for t in self.tasks.values())
            logger.info(
                "%s: %d training(s) stop at their next epoch with a checkpoint (grace %d s)",
                signal.Signals(signum).name,
                running,
                self._job_completion_wait,
            )
            job.stopping.set()

    async def main(self) -> None:
        await self._connect()
        logger.info("worker for %s on queue %s", ", ".join(self.functions), self.queue_name)
        with contextlib.suppress(RedisError, OSError):
            await log_redis_info(self.pool, logger.info)
        self.ctx["redis"] = self.pool
        if self.on_startup:
            await self.on_startup(self.ctx)
        delay = 0.0
        async for _ in poll(self.poll_delay_s):
            try:
                await self._poll_iteration()
            except (RedisError, OSError) as exc:
                delay = min(RECONNECT_MAX_S, delay * 2 or RECONNECT_FIRST_S)
                logger.warning(
                    "redis unavailable (%s); %d job(s) running go on; polling again in %.1f s",
                    type(exc).__name__,
                    sum(not t.done() for t in self.tasks.values()),
                    delay,
                )
                await asyncio.sleep(delay)
                continue
            except Exception:  # a bug in one iteration must not end the worker
                logger.exception("worker poll iteration failed")
                await asyncio.sleep(RECONNECT_FIRST_S)
                continue
            if delay:
                logger.info("redis is back; polling resumed")
                ResilientWorker.reconnects += 1
                delay = 0.0

    async def _connect(self) -> None:
        delay = RECONNECT_FIRST_S
        while self._pool is None:
            try:
                self._pool = await create_pool(
                    self.redis_settings,
                    job_deserializer=self.job_deserializer,
                    job_serializer=self.job_serializer,
                    default_queue_name=self.queue_name,
                    expires_extra_ms=self.expires_extra_ms,
                    retry=0,
                )
            except (RedisError, OSError) as exc:
                logger.warning(
                    "redis unreachable (%s); retrying in %.1f s", type(exc).__name__, delay
                )
                await asyncio.sleep(delay)
                delay = min(RECONNECT_MAX_S, delay * 2)

    async def close(self) -> None:
        """ARQ's close, minus what needs Redis when Redis is down."""
        if not self._handle_signals:
            self.handle_sig(signal.SIGUSR1)
        if not self._pool:
            return
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        with contextlib.suppress(RedisError, OSError):
            await self.pool.delete(self.health_check_key)
        if self.on_shutdown:
            await self.on_shutdown(self.ctx)
        with contextlib.suppress(RedisError, OSError):
            await self.pool.close(close_connection_pool=True)
        self._pool = None


def make_worker(
    settings: Settings, *, http: httpx.AsyncClient | None = None, **overrides: Any
) -> ResilientWorker:
    """A worker for these settings (tests start several, each with its own settings,
    and may give the HTTP client its jobs reach vendors with)."""
    options = worker_options(settings)
    if http is not None:
        options["on_startup"] = _startup(settings, http)
    return ResilientWorker(**{**options, **overrides})


def _redis_settings(settings: Settings) -> RedisSettings:
    # Fail fast on a dead Redis: `ResilientWorker` does the waiting, with back-off.
    redis = RedisSettings.from_dsn(settings.redis_url or "redis://127.0.0.1:6379/0")
    redis.conn_timeout = 2
    redis.conn_retries = 0
    return redis


def __getattr__(name: str) -> Any:
    """`WorkerSettings`, built on first use from the environment's settings (REDIS_URL …),
    for `arq app.tasks.worker.WorkerSettings --check` (the health check); importing this
    module reads nothing. Run workers with `python -m app.tasks.worker`: `arq` itself
    would run a plain ARQ `Worker`, which exits when Redis restarts."""
    if name == "WorkerSettings":
        return type(
            "WorkerSettings", (), {"__module__": __name__, **worker_options(get_settings())}
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    config = default_log_config(verbose=False)
    config["loggers"]["app"] = {"handlers": ["arq.standard"], "level": "INFO"}
    logging.config.dictConfig(config)
    make_worker(get_settings()).run()


if __name__ == "__main__":
    main()
