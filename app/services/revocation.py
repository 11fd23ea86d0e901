"""Token revocation that every replica honours at once.

Keys (an access token's `jti`, or `fam:<family id>` for a refresh family) live in the
database, the shared truth; Redis holds a copy that expires with the token, never the
only one. A Redis that comes back empty lacks the marker key the copy is written with, so
the first check that notices answers from the database and refills Redis: a logged-out
token never comes back to life. Writes Redis missed follow once it answers again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.sql.selectable import ScalarSelect
from sqlmodel import col

from app.models import TokenRevocation
from app.models.base import utcnow
from app.services.redis_breaker import RedisBreaker

logger = logging.getLogger(__name__)


def family_key(family: str) -> str:
    return f"fam:{family}"


class RevocationStore:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        redis: Redis | None,
        namespace: str,
        breaker: RedisBreaker | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._redis = redis
        self._breaker = breaker or RedisBreaker()
        self._prefix = f"{namespace}:revoked:"
        # Present while Redis holds every unexpired revocation of the database.
        self._copied = f"{namespace}:revocations-copied"
        # Positive answers only: a revocation never un-happens before its expiry.
        self._known: dict[str, float] = {}
        # Revocations made here while Redis was unreachable, still to be written there.
        self._unwritten: dict[str, float] = {}
        self._refill_lock = asyncio.Lock()
        engine = sessionmaker.kw.get("bind")
        assert isinstance(engine, AsyncEngine), "the sessionmaker must be bound to an engine"
        self._engine = engine
        self._revoked_query = (
            select(col(TokenRevocation.key))
            .where(col(TokenRevocation.key).in_(bindparam("revoked_keys", expanding=True)))
            .where(col(TokenRevocation.expires_at) > bindparam("revoked_now"))
            .limit(1)
        )
        # Built once: constructing the statement per request cost more than running it.
        self.revoked_key: ScalarSelect[str] = self._revoked_query.scalar_subquery()

    async def revoke(
        self,
        session: AsyncSession,
        keys: Iterable[str],
        expires_at: datetime,
    ) -> None:
        """Record in the caller's transaction, then in Redis and this replica's memory."""
        keys = list(dict.fromkeys(keys))
        existing = set(
            (
                await session.scalars(
                    select(col(TokenRevocation.key)).where(col(TokenRevocation.key).in_(keys))
                )
            ).all()
        )
        for key in keys:
            if key not in existing:
                session.add(TokenRevocation(key=key, expires_at=expires_at))
        await session.flush()
        expiry = expires_at.timestamp()
        for key in keys:
            self._known[key] = expiry
        if self._redis is not None and self._breaker.allow():
            try:
                await self._write(self._redis, {key: expiry for key in keys})
            except (RedisError, OSError):
                self._breaker.failed()
            else:
                self._breaker.succeeded()
                return
        if self._redis is not None:
            # The database row holds; readers fall back to it while Redis is down.
            logger.warning("redis unavailable while revoking tokens; kept in the database")
            self._unwritten.update((key, expiry) for key in keys)

    async def is_revoked(self, keys: Iterable[str]) -> bool:
        keys = list(keys)
        answer = await self.answer_without_database(keys)
        if answer is not None:
            return answer
        # A bare connection, not a session: a session's set-up and tear-down cost more
        # than the query.
        async with self._engine.connect() as conn:
            found = await conn.scalar(self._revoked_query, self.revoked_key_parameters(keys))
        return self.remember(found)

    async def answer_without_database(self, keys: list[str]) -> bool | None:
        """This replica's memory, then Redis: True or False, or None when only the
        database can say (no Redis, Redis unreachable or refilled just now). Then
        `revoked_key` in the caller's own query saves a round trip of its own."""
        if any(self._known.get(key, 0.0) > time.time() for key in keys):
            return True
        if self._redis is not None and self._breaker.allow():
            try:
                answer = await self._ask_redis(self._redis, keys)
            except (RedisError, OSError):
                self._breaker.failed()
                logger.debug("redis unavailable for the revocation check; asking the database")
            else:
                self._breaker.succeeded()
                return answer
        return None

    def revoked_key_parameters(self, keys: list[str]) -> dict[str, Any]:
        """The values `revoked_key` (a scalar subquery: one unexpired revocation among
        the keys, else NULL) is executed with, in the caller's own query."""
        return {"revoked_keys": keys, "revoked_now": utcnow()}

    def remember(self, found: str | None) -> bool:
        """Whether the database found a revocation (kept a minute in memory if so)."""
        if found is not None:
            self._known[found] = time.time() + 60
        return found is not None

    async def _ask_redis(self, redis: Redis, keys: list[str]) -> bool | None:
        """Redis' answer, or None when Redis came back without the copy (then refilled)."""
        if self._unwritten:
            await self._write(redis, self._unwritten)
            self._unwritten = {}
        pipe = redis.pipeline(transaction=False)
        pipe.exists(self._copied)
        pipe.exists(*(self._prefix + key for key in keys))
        copied, found = await pipe.execute()
        if copied:
            return bool(found)
        await self._refill(redis)
        return None

    async def _refill(self, redis: Redis) -> None:
        """Copy every unexpired revocation from the database into Redis, then mark it."""
        async with self._refill_lock:
            if await redis.exists(self._copied):  # another check here refilled it meanwhile
                return
            async with self._sessionmaker() as session:
                rows = (
                    await session.execute(
                        select(col(TokenRevocation.key), col(TokenRevocation.expires_at)).where(
                            col(TokenRevocation.expires_at) > utcnow()
                        )
                    )
                ).all()
            await self._write(redis, {key: expires.timestamp() for key, expires in rows})
            await redis.set(self._copied, b"1")
            logger.info("revocations copied to redis from the database (%d)", len(rows))

    async def _write(self, redis: Redis, expiries: dict[str, float]) -> None:
        if not expiries:
            return
        pipe = redis.pipeline(transaction=False)
        for key, expiry in expiries.items():
            pipe.set(self._prefix + key, b"1", exat=int(expiry) + 1)
        await pipe.execute()

    async def purge_expired(self, session: AsyncSession) -> int:
        result = await session.execute(
            delete(TokenRevocation).where(col(TokenRevocation.expires_at) <= utcnow())
        )
        self._known = {k: v for k, v in self._known.items() if v > time.time()}
        return int(getattr(result, "rowcount", 0) or 0)
