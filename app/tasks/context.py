"""What the background jobs share, built once per worker process (or embedded runner).

ARQ hands each job only a dict; this keeps the engine, the webhook client and
the queue in one typed object that the training run, the reaper and the outcome
job all take, and that closes them in one place.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.services.job_queue import JobQueue
from app.services.market_data.registry import MarketData
from app.services.notifications import Notifier


@dataclass
class JobContext:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    notifier: Notifier
    http: httpx.AsyncClient
    queue: JobQueue
    # The process's providers: one vendor session, remote bars via the bar store.
    market_data: MarketData
    # Set when the process is shutting down (SIGTERM, the app's shutdown): a running
    # training stops at its next epoch boundary and re-queues with a checkpoint.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    def build(
        cls,
        settings: Settings,
        queue: JobQueue,
        http: httpx.AsyncClient | None = None,
        *,
        market_data: MarketData | None = None,
    ) -> JobContext:
        """`http` (vendors and webhooks) is built here unless given (tests give one on
        an httpx.MockTransport: the vendor is the one thing they fake); `market_data`
        too, unless the process already has one (the embedded runner uses the app's)."""
        sessionmaker = make_sessionmaker(make_engine(settings))
        http = http or httpx.AsyncClient(timeout=settings.webhook_timeout_s, follow_redirects=False)
        notifier = Notifier(
            sessionmaker,
            http,
            allow_private=settings.allow_private_callbacks,
            max_attempts=settings.webhook_max_attempts,
        )
        market_data = market_data or MarketData(settings, http, sessionmaker)
        return cls(settings, sessionmaker, notifier, http, queue, market_data)

    async def close(self) -> None:
        await self.notifier.drain()
        await self.http.aclose()
        engine = self.sessionmaker.kw.get("bind")
        if engine is not None:
            await engine.dispose()
