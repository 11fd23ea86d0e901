"""The outcome loop of embedded mode: fills realised prices without a worker.

With Redis the ARQ worker's cron calls `fill_outcomes` every minute; without it
the API process does, every `outcomes_interval_s`. The job is idempotent (its
writes only touch rows still pending), so replicas sharing one database file may
all run it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.services.outcomes import fill_outcomes

logger = logging.getLogger(__name__)


class OutcomesLoop:
    """Runs every `outcomes_interval_s`, the first time one interval after start.

    `stop` lets a running pass finish instead of cancelling it mid-query: a query
    cancelled on SQLite leaves aiosqlite's thread answering a closed event loop.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        http: httpx.AsyncClient,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.http = http
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="embedded-outcomes")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._stopping.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=30)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.settings.outcomes_interval_s)
            if self._stopping.is_set():
                return
            try:
                await fill_outcomes(self.sessionmaker, self.settings, self.http)
            except Exception as exc:  # a lost database must not end the loop
                logger.error("outcome loop error: %s", type(exc).__name__)
