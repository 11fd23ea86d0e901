"""What one app instance holds for its lifetime: built in the lifespan, closed after.

Kept on `app.state.runtime` instead of module globals, so two app instances in
one process (as the replica tests run them) never share a pool or a cache.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.metrics import Metrics
from app.services.ratelimit import RateLimiter
from app.services.revocation import RevocationStore

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: Redis | None
    revocations: RevocationStore
    limiter: RateLimiter
    metrics: Metrics

    @classmethod
    def build(cls, settings: Settings, metrics: Metrics) -> Runtime:
        engine = make_engine(settings)
        sessionmaker = make_sessionmaker(engine)
        redis = (
            Redis.from_url(
                settings.redis_url, socket_timeout=2.0, socket_connect_timeout=2.0,
                health_check_interval=30,
            )
            if settings.redis_url else None
        )
        settings.jwt_secret()  # fail at start, not on the first login, if the key is unusable
        return cls(
            settings=settings, engine=engine, sessionmaker=sessionmaker, redis=redis,
            revocations=RevocationStore(sessionmaker, redis, settings.redis_namespace),
            limiter=RateLimiter(redis, settings.redis_namespace),
            metrics=metrics,
        )

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
        await self.engine.dispose()
