"""Token revocation that every replica honours at once.

Keys are an access token's `jti` or `fam:<family id>` for a whole refresh
family. Each is written to the database (durable, and the shared truth in
embedded mode) and, when configured, to Redis with `EXAT` = the token's expiry so
Redis forgets it exactly when the token would have died anyway.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import datetime

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from app.models import TokenRevocation
from app.models.base import utcnow

logger = logging.getLogger(__name__)


def family_key(family: str) -> str:
    return f"fam:{family}"


class RevocationStore:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        redis: Redis | None,
        namespace: str,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._redis = redis
        self._prefix = f"{namespace}:revoked:"
        # Positive answers only: a revocation never un-happens before its expiry.
        self._known: dict[str, float] = {}

    async def revoke(
        self, session: AsyncSession, keys: Iterable[str], expires_at: datetime,
    ) -> None:
        """Record in the caller's transaction, then in Redis and this replica's memory."""
        keys = list(dict.fromkeys(keys))
        existing = set(
            (await session.scalars(
                select(col(TokenRevocation.key)).where(col(TokenRevocation.key).in_(keys))
            )).all()
        )
        for key in keys:
            if key not in existing:
                session.add(TokenRevocation(key=key, expires_at=expires_at))
        await session.flush()
        expiry = expires_at.timestamp()
        for key in keys:
            self._known[key] = expiry
        if self._redis is not None:
            try:
                pipe = self._redis.pipeline(transaction=False)
                for key in keys:
                    pipe.set(self._prefix + key, b"1", exat=int(expiry) + 1)
                await pipe.execute()
            except (RedisError, OSError):
                # The database row still holds; readers fall back to it while Redis is down.
                logger.warning("redis unavailable while revoking tokens; kept in the database")

    async def is_revoked(self, keys: Iterable[str]) -> bool:
        keys = list(keys)
        now = time.time()
        if any(self._known.get(key, 0.0) > now for key in keys):
            return True
        if self._redis is not None:
            try:
                return bool(await self._redis.exists(*(self._prefix + key for key in keys)))
            except (RedisError, OSError):
                logger.warning("redis unavailable for the revocation check; asking the database")
        async with self._sessionmaker() as session:
            found = await session.scalar(
                select(col(TokenRevocation.key))
                .where(col(TokenRevocation.key).in_(keys))
                .where(col(TokenRevocation.expires_at) > utcnow())
                .limit(1)
            )
        if found is not None:
            self._known[found] = now + 60
        return found is not None

    async def purge_expired(self, session: AsyncSession) -> int:
        result = await session.execute(
            delete(TokenRevocation).where(col(TokenRevocation.expires_at) <= utcnow())
        )
        self._known = {k: v for k, v in self._known.items() if v > time.time()}
        return int(getattr(result, "rowcount", 0) or 0)
