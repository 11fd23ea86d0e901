"""Loading serving versions into this API process before anyone asks for them.

A plain load costs 0.3-0.7 s (the `.keras` file, tracing, XLA), and the first call of
a version in a process pays it: after a deploy, a scale-out, an eviction, or a
retrain. So each API process loads, in the background (the store's preload thread,
never the event loop, and never delaying readiness):

* at start-up, up to ``MODEL_PRELOAD_COUNT`` serving versions, the most called in the
  last `USAGE_WINDOW` first (those nobody called after them, newest first), since the
  cache will most likely be asked for those;
* every version announced as serving (`app.services.serving_channel`): subscribed on
  Redis, or as the process's in-process sink when embedded.

With a version, its exchange's calendar is built there too: the first call would
otherwise build it on the event loop.

One queue, one load at a time: a burst of announcements costs one thread, not the
CPU that requests need. A version that cannot be loaded is left to its first call
(which answers 409 and flags the agent).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from datetime import timedelta
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from app.core.calendars import calendar_of_instrument
from app.models import Agent, AgentVersion, Prediction
from app.models.base import utcnow
from app.services import serving_channel
from app.services.model_store import ModelStore
from app.services.predictions.service import bars_needed

logger = logging.getLogger(__name__)

USAGE_WINDOW = timedelta(days=7)  # "most called": predictions made in this window
RESUBSCRIBE_FIRST_S = 0.5
RESUBSCRIBE_MAX_S = 10.0


async def most_used_serving_versions(
    sessionmaker: async_sessionmaker[AsyncSession], limit: int
) -> list[uuid.UUID]:
    """Up to `limit` serving versions, by predictions in the last `USAGE_WINDOW`
    (descending), then the most recently updated agents' first."""
    calls = (
        select(
            col(Prediction.agent_version_id).label("version_id"),
            func.count().label("calls"),
        )
        .where(
            col(Prediction.created_at) >= utcnow() - USAGE_WINDOW,
            col(Prediction.agent_version_id).is_not(None),
        )
        .group_by(col(Prediction.agent_version_id))
        .subquery()
    )
    query = (
        select(col(Agent.serving_version_id))
        .outerjoin(calls, calls.c.version_id == col(Agent.serving_version_id))
        .where(col(Agent.serving_version_id).is_not(None))
        .order_by(func.coalesce(calls.c.calls, 0).desc(), col(Agent.updated_at).desc())
        .limit(limit)
    )
    async with sessionmaker() as session:
        return [row for row in (await session.scalars(query)).all() if row is not None]


def _warm_sessions(
    symbol: str, instrument: dict[str, Any] | None, features: list[str], frequency: str
) -> None:
    """What the version's first call would otherwise build on the event loop: its
    exchange's calendar (exchange-calendars, ≈ 0.1 s) and the bars its features need."""
    calendar_of_instrument(instrument, symbol)
    bars_needed(features, frequency, lookback=1)


class ModelPreloader:
    """The background loads of one API process (a `Runtime` background task).

    As an in-process `serving_channel` sink (embedded mode: no Redis) it is not
    ``shared``: the embedded runner's announcement reaches it directly."""

    shared = False

    def __init__(
        self,
        store: ModelStore,
        sessionmaker: async_sessionmaker[AsyncSession],
        redis: Redis | None,
        namespace: str,
        startup_count: int,
    ) -> None:
        self.store = store
        self._sessionmaker = sessionmaker
        self._redis = redis
        self.namespace = namespace
        self._startup_count = startup_count
        self.loop: asyncio.AbstractEventLoop | None = None
        self._pending: asyncio.Queue[uuid.UUID] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._startup_task: asyncio.Task[None] | None = None
        # Set while subscribed to Redis (announcements published before are missed).
        self.subscribed = asyncio.Event()
        # The latest versions loaded here, in load order (what start-up and
        # announcements did; bounded, for logs and tests).
        self.loaded: deque[uuid.UUID] = deque(maxlen=256)

    def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._tasks.append(asyncio.create_task(self._consume(), name="model-preload"))
        if self._redis is not None:
            self._tasks.append(
                asyncio.create_task(self._subscribe(self._redis), name="model-preload-subscribe")
            )
        else:
            serving_channel.register(self)
        if self._startup_count > 0:
            self._startup_task = asyncio.create_task(self._startup(), name="model-preload-startup")
            self._tasks.append(self._startup_task)

    async def stop(self) -> None:
        serving_channel.unregister(self)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    def request(self, version_id: uuid.UUID) -> None:
        """Queue a version for loading (a no-op later if it is already loaded)."""
        self._pending.put_nowait(version_id)

    async def deliver(self, version_id: uuid.UUID) -> bool:
        """`serving_channel.Sink`: an in-process announcement."""
        self.request(version_id)
        return True

    async def idle(self) -> None:
        """Wait until start-up's versions are queued and every queued version has been
        loaded or given up on."""
        if self._startup_task is not None:
            await asyncio.shield(self._startup_task)
        await self._pending.join()

    async def _startup(self) -> None:
        try:
            versions = await most_used_serving_versions(self._sessionmaker, self._startup_count)
        except Exception:  # the database may be down at start-up: calls load on demand
            logger.warning("start-up preload: serving versions unavailable", exc_info=True)
            return
        logger.info("preloading %d serving versions", len(versions))
        for version_id in versions:
            self.request(version_id)

    async def _consume(self) -> None:
        while True:
            version_id = await self._pending.get()
            try:
                if await self._load(version_id):
                    self.loaded.append(version_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("preloading version %s failed", version_id, exc_info=True)
            finally:
                self._pending.task_done()

    async def _load(self, version_id: uuid.UUID) -> bool:
        if version_id in self.store:
            return False
        async with self._sessionmaker() as session:
            row = (
                await session.execute(
                    select(
                        col(AgentVersion.weights_path),
                        col(AgentVersion.sha256),
                        col(AgentVersion.agent_id),
                        col(Agent.symbol),
                        col(Agent.instrument),
                        col(Agent.features),
                        col(Agent.data_frequency),
                    )
                    .join(Agent, col(Agent.id) == col(AgentVersion.agent_id))
                    .where(col(AgentVersion.id) == version_id)
                )
            ).first()
        if row is None or not row.weights_path or not row.sha256:
            return False  # another deployment's version (tests), or one without files
        await asyncio.to_thread(
            _warm_sessions, row.symbol, row.instrument, row.features, row.data_frequency
        )
        return await self.store.preload(
            version_id, row.weights_path, row.sha256, agent_id=row.agent_id
        )

    async def _subscribe(self, redis: Redis) -> None:
        """Follow the namespace's announcements, resubscribing with back-off after a
        lost connection (announcements made meanwhile are missed: best-effort)."""
        wait = RESUBSCRIBE_FIRST_S
        while True:
            try:
                async with redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(serving_channel.channel(self.namespace))
                    self.subscribed.set()
                    wait = RESUBSCRIBE_FIRST_S
                    while True:
                        message = await pubsub.get_message(timeout=1.0)
                        if message is None or message.get("type") != "message":
                            continue
                        try:
                            data = message["data"]
                            text = data.decode() if isinstance(data, bytes) else str(data)
                            self.request(uuid.UUID(text))
                        except ValueError:
                            logger.warning("ignoring a malformed serving announcement")
            except (RedisError, OSError) as exc:
                self.subscribed.clear()
                logger.info("serving announcements: redis unavailable (%s); retrying", exc)
                await asyncio.sleep(wait)
                wait = min(2 * wait, RESUBSCRIBE_MAX_S)
