"""The prediction cache: same agent version, same last bar, same request → same answer.

Redis when configured (shared by replicas), else this process's memory; a Redis
outage degrades to memory rather than failing /predict. Entries expire when the
next bar is due, which is also when the key would change anyway.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import OrderedDict
from typing import Any

from pydantic_core import to_json
from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.services.redis_breaker import RedisBreaker

logger = logging.getLogger(__name__)


def cache_key(version_id: str, last_bar: str, request: dict[str, Any]) -> str:
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(f"{version_id}|{last_bar}|{canonical}".encode()).hexdigest()
    return digest[:40]


class PredictionCache:
    def __init__(
        self,
        redis: Redis | None,
        namespace: str,
        max_entries: int = 10_000,
        breaker: RedisBreaker | None = None,
    ) -> None:
        self._redis = redis
        self._prefix = f"{namespace}:pred:"
        self._memory: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._max = max_entries
        self._breaker = breaker or RedisBreaker()

    async def get(self, key: str) -> dict[str, Any] | None:
        raw: bytes | None = None
        if self._redis is not None and self._breaker.allow():
            try:
                raw = await self._redis.get(self._prefix + key)
            except (RedisError, OSError):
                self._breaker.failed()
                logger.debug("redis unavailable for the prediction cache; using memory")
                raw = self._memory_get(key)
            else:
                self._breaker.succeeded()
        else:
            raw = self._memory_get(key)
        return json.loads(raw) if raw else None

    async def put(self, key: str, value: dict[str, Any], ttl_s: float) -> None:
        # pydantic-core's encoder: a quarter of `json.dumps`'s time on an answer.
        raw = to_json(value, fallback=str)
        ttl = max(int(ttl_s), 1)
        if self._redis is not None and self._breaker.allow():
            try:
                await self._redis.set(self._prefix + key, raw, ex=ttl)
            except (RedisError, OSError):
                self._breaker.failed()
            else:
                self._breaker.succeeded()
                return
        self._memory[key] = (time.monotonic() + ttl, raw)
        self._memory.move_to_end(key)
        while len(self._memory) > self._max:
            self._memory.popitem(last=False)

    def _memory_get(self, key: str) -> bytes | None:
        entry = self._memory.get(key)
        if entry is None:
            return None
        expires, raw = entry
        if expires < time.monotonic():
            self._memory.pop(key, None)
            return None
        return raw
