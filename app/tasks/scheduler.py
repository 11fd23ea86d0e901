"""The scheduler: the sweep, outcome filling and staleness, never waiting behind a training.

ARQ's cron jobs are ordinary jobs that wait for a free slot, so with
`WORKER_MAX_JOBS = 1` a worker that trains for hours would sweep nothing for
hours. Instead every worker process (and the embedded runner) runs these ticks
in an asyncio task of its own, beside the job slots: training happens in a child
process, so the event loop is free to tick while it runs.

Each tick is idempotent (conditional updates, ARQ ids), so two processes running
one at once do no harm; with Redis a short lock (`SET NX PX`) still lets only one
worker run each tick, and when Redis is down every worker runs it (the database
work of a sweep matters most then). A tick that fails is logged and tried again
at the next interval: the loop outlives database and Redis outages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from arq.connections import ArqRedis
from redis.exceptions import RedisError

from app.services.outcomes import fill_outcomes
from app.tasks.context import JobContext
from app.tasks.reaper import reap_stale_jobs
from app.tasks.staleness import StalenessPass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tick:
    name: str
    interval_s: float
    run: Callable[[JobContext], Awaitable[int]]
    at_start: bool = False  # the first run at once, not one interval after start
    timeout_s: float | None = None


async def record_outcomes(ctx: JobContext) -> int:
    return await fill_outcomes(ctx.sessionmaker, ctx.settings, ctx.http)


def sweep_tick(ctx: JobContext) -> Tick:
    interval = ctx.settings.reaper_interval_s
    return Tick("sweep", interval, reap_stale_jobs, at_start=True, timeout_s=max(60.0, interval))


def outcomes_tick(ctx: JobContext) -> Tick | None:
    interval = ctx.settings.outcomes_interval_s
    if interval <= 0:
        return None
    return Tick("outcomes", interval, record_outcomes, timeout_s=max(120.0, interval))


def staleness_tick(ctx: JobContext) -> Tick | None:
    """Stale reasons and retrain policies (`app.tasks.staleness`); one pass object per
    scheduler, which remembers when each agent's drift was last measured."""
    interval = ctx.settings.staleness_interval_s
    if interval <= 0:
        return None
    return Tick("staleness", interval, StalenessPass().run, timeout_s=max(120.0, interval))


class TickLock(Protocol):
    async def acquire(self, name: str, ttl_s: float) -> bool: ...


class RedisTickLock:
    """One process per tick and interval: `SET <ns>:tick:<name> NX PX <ttl>`. A Redis
    that does not answer grants the tick (every tick is safe to run twice)."""

    def __init__(self, redis: ArqRedis, namespace: str) -> None:
        self.redis = redis
        self.namespace = namespace
        self.token = secrets.token_hex(8)

    async def acquire(self, name: str, ttl_s: float) -> bool:
        key = f"{self.namespace}:tick:{name}"
        try:
            ttl_ms = max(1, int(ttl_s * 1000))
            return bool(await self.redis.set(key, self.token, nx=True, px=ttl_ms))
        except (RedisError, OSError):
            return True


class Scheduler:
    """Runs each tick every `interval_s` in a task of its own until `stop`. `stop`
    lets a running tick finish (for up to 10 s) rather than cancel it mid-query:
    a query cancelled on SQLite leaves aiosqlite's thread answering a closed loop."""

    def __init__(self, ctx: JobContext, ticks: list[Tick], lock: TickLock | None = None) -> None:
        self.ctx = ctx
        self.ticks = ticks
        self.lock = lock
        self.runs: dict[str, int] = {tick.name: 0 for tick in ticks}
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()

    @classmethod
    def for_context(cls, ctx: JobContext, lock: TickLock | None = None) -> Scheduler:
        ticks = [sweep_tick(ctx), outcomes_tick(ctx), staleness_tick(ctx)]
        return cls(ctx, [tick for tick in ticks if tick is not None], lock)

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._loop(tick), name=f"scheduler-{tick.name}")
            for tick in self.ticks
        ]

    @property
    def running(self) -> bool:
        return bool(self._tasks) and not any(task.done() for task in self._tasks)

    async def stop(self) -> None:
        self._stopping.set()
        for task in self._tasks:
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=10)
            except TimeoutError:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self, tick: Tick) -> None:
        if not tick.at_start and await self._wait(tick.interval_s):
            return
        while not self._stopping.is_set():
            await self._run(tick)
            if await self._wait(tick.interval_s):
                return

    async def _wait(self, seconds: float) -> bool:
        """Sleep; True when told to stop meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
        return self._stopping.is_set()

    async def _run(self, tick: Tick) -> None:
        try:
            # The lock lapses a little before the next tick, so a tick is never skipped
            # for a lock its own previous run left behind.
            if self.lock is not None and not await self.lock.acquire(
                tick.name, tick.interval_s * 0.8
            ):
                return
            await asyncio.wait_for(tick.run(self.ctx), tick.timeout_s)
            self.runs[tick.name] += 1
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an outage must not end the loop: try again next tick
            logger.error("scheduler tick %s failed: %s: %s", tick.name, type(exc).__name__, exc)
