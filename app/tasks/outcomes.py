"""The outcome loop of embedded mode: fills realised prices without a worker.

With Redis the ARQ worker's cron calls `fill_outcomes` every minute; without it
the API process does, every `outcomes_interval_s`. The job is idempotent (its
writes only touch rows still pending), so replicas sharing one database file may
all run it.
"""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.core.periodic import Periodic
from app.services.outcomes import fill_outcomes


class OutcomesLoop(Periodic):
    """Fills realised prices every `outcomes_interval_s`."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        http: httpx.AsyncClient,
    ) -> None:
        super().__init__("embedded-outcomes", settings.outcomes_interval_s)
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.http = http

    async def run_once(self) -> None:
        await fill_outcomes(self.sessionmaker, self.settings, self.http)
