"""Handing a training job to whoever runs it: ARQ on Redis, or the embedded runner.

A service, not a task: the API enqueues (after its commit) and the sweeper
re-enqueues, and services must not import the task layer. Enqueueing is
best-effort: the QUEUED row is the truth, so a job enqueued while Redis is down
is picked up by the next sweep.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Protocol

from arq.connections import ArqRedis
from redis.asyncio import ConnectionPool
from redis.exceptions import RedisError

from app.config import Settings
from app.services import serving_channel
from app.services.redis_breaker import RedisBreaker
from app.services.serving_channel import ServingPublisher

logger = logging.getLogger(__name__)

TRAIN_FUNCTION = "train_agent"
BACKTEST_FUNCTION = "run_backtest"
_PREFIX = {TRAIN_FUNCTION: "train", BACKTEST_FUNCTION: "backtest"}


def queue_name(namespace: str) -> str:
    return f"{namespace}:training"


def arq_job_id(job_id: uuid.UUID, attempt: int, function: str = TRAIN_FUNCTION) -> str:
    # One ARQ id per attempt: ARQ refuses an id it still remembers, and a retry
    # after a crash must not be mistaken for a duplicate.
    return f"{_PREFIX[function]}:{job_id}:{attempt}"


class JobQueue(Protocol):
    async def enqueue(
        self, job_id: uuid.UUID, attempt: int, function: str = TRAIN_FUNCTION
    ) -> bool: ...

    async def close(self) -> None: ...


class ArqJobQueue:
    def __init__(
        self,
        redis_url: str,
        namespace: str,
        breaker: RedisBreaker | None = None,
        timeout_s: float = 2.0,
    ) -> None:
        pool = ConnectionPool.from_url(
            redis_url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )
        self.redis = ArqRedis(pool, default_queue_name=queue_name(namespace))
        self._queue = queue_name(namespace)
        self._breaker = breaker or RedisBreaker()
        # This connection also announces versions that start serving (worker and API).
        self.serving = ServingPublisher(self.redis, namespace, self._breaker)
        serving_channel.register(self.serving)

    @classmethod
    def from_settings(cls, settings: Settings, breaker: RedisBreaker | None = None) -> ArqJobQueue:
        """The deployment's queue (the API's and the worker's alike)."""
        assert settings.redis_url, "the ARQ queue needs REDIS_URL"
        return cls(settings.redis_url, settings.redis_namespace, breaker, settings.redis_timeout_s)

    async def enqueue(
        self, job_id: uuid.UUID, attempt: int, function: str = TRAIN_FUNCTION
    ) -> bool:
        if self._breaker.allow():
            try:
                await self.redis.enqueue_job(
                    function,
                    str(job_id),
                    _job_id=arq_job_id(job_id, attempt, function),
                    _queue_name=self._queue,
                )
            except (RedisError, OSError):
                self._breaker.failed()
            else:
                self._breaker.succeeded()
                return True
        logger.warning("redis unavailable; job %s stays QUEUED for the sweeper", job_id)
        return False

    async def close(self) -> None:
        serving_channel.unregister(self.serving)
        await self.redis.aclose()


class EmbeddedJobQueue:
    """Wakes the in-process runner, which reads QUEUED jobs from the database."""

    def __init__(self) -> None:
        self.wakeup = asyncio.Event()

    async def enqueue(
        self, job_id: uuid.UUID, attempt: int, function: str = TRAIN_FUNCTION
    ) -> bool:
        self.wakeup.set()
        return True

    async def close(self) -> None:
        self.wakeup.set()
