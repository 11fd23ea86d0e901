"""Telling every API process that a version now serves, so that each loads it first.

A version starts serving when its training job ends READY (in a worker) or a user
promotes it (in an API process); its first `/predict` in each API process would
otherwise pay the load. Once the transaction has committed (`announce_after_commit`:
before it, a process could look the version up and not find it), its id is published:

* with Redis, on the namespace's channel (`channel`), which every API process's
  preloader subscribes to (`app.services.model_preload`); published through the job
  queue's connection (`ServingPublisher`), which worker and API processes both hold,
  behind the shared circuit breaker;
* embedded, where the training runner lives in the API's own process, straight to that
  process's preloader (an in-process sink).

Announcing is best-effort: a missed one means the first call loads the model, as
before. Sinks register in a process-wide registry because the ready and promote paths
hold only a database session; it holds them weakly, and only sinks of the running
event loop are used (tests run several app instances, each test on a loop of its own).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import weakref
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import after_commit
from app.services.redis_breaker import RedisBreaker

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT_S = 2.0


def channel(namespace: str) -> str:
    """The Redis pub/sub channel of `namespace`'s serving announcements."""
    return f"{namespace}:serving"


class Sink(Protocol):
    """Where an announcement goes: a Redis publisher (``shared``: one delivery reaches
    every process on its namespace) or a process's own preloader."""

    namespace: str
    shared: bool
    loop: asyncio.AbstractEventLoop | None  # None: usable from any loop

    async def deliver(self, version_id: uuid.UUID) -> bool: ...


_sinks: weakref.WeakSet[Sink] = weakref.WeakSet()


def register(sink: Sink) -> None:
    _sinks.add(sink)


def unregister(sink: Sink) -> None:
    _sinks.discard(sink)


def announce_after_commit(session: AsyncSession, version_id: uuid.UUID) -> None:
    """Announce `version_id` once `session`'s transaction has committed."""

    async def announce_it() -> None:
        await announce(version_id)

    after_commit(session, announce_it)


async def announce(version_id: uuid.UUID) -> None:
    """Deliver to every sink of this loop, publishing once per namespace; never raises."""
    loop = asyncio.get_running_loop()
    published: set[str] = set()
    for sink in list(_sinks):
        if sink.loop not in (None, loop) or (sink.shared and sink.namespace in published):
            continue
        try:
            delivered = await sink.deliver(version_id)
        except Exception:  # an announcement must never fail the commit's caller
            logger.warning("announcing version %s failed", version_id, exc_info=True)
            continue
        if delivered and sink.shared:
            published.add(sink.namespace)


class ServingPublisher:
    """Publishes announcements on Redis, honouring the process's breaker."""

    shared = True

    def __init__(self, redis: Redis, namespace: str, breaker: RedisBreaker) -> None:
        self._redis = redis
        self._breaker = breaker
        self.namespace = namespace
        self._channel = channel(namespace)
        try:  # a Redis client's connections belong to the loop they were made on
            self.loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self.loop = None

    async def deliver(self, version_id: uuid.UUID) -> bool:
        if not self._breaker.allow():
            logger.info("redis unavailable; version %s not announced", version_id)
            return False
        try:
            await asyncio.wait_for(
                self._redis.publish(self._channel, str(version_id)), PUBLISH_TIMEOUT_S
            )
        except (RedisError, OSError, TimeoutError):
            self._breaker.failed()
            logger.info("redis unavailable; version %s not announced", version_id)
            return False
        self._breaker.succeeded()
        return True
