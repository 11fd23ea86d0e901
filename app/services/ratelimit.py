"""Rate limits: GCRA per (route class, caller), on Redis or in memory.

GCRA keeps one number per caller (the theoretical arrival time) and answers
"allowed, how many remain, when to retry" exactly, without the burst at window
edges a fixed window allows. On Redis it runs as one Lua script using the
server's clock, so every replica shares the same budget; if Redis stops
answering, each replica falls back to its own memory rather than refusing
traffic (and, through the breaker, stops waiting for Redis for a while).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.config import RatePolicy
from app.services.redis_breaker import RedisBreaker

logger = logging.getLogger(__name__)

_GCRA = """
local key = KEYS[1]
local interval = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local tat = tonumber(redis.call('GET', key) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - window
if now < allow_at then
  return {0, tostring(allow_at - now), tostring(tat - now)}
end
redis.call('SET', key, tostring(new_tat), 'PX', math.ceil((new_tat - now) * 1000) + 1000)
return {1, '0', tostring(new_tat - now)}
"""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_s: int
    retry_after_s: int
    policy: str
    window_s: int

    def headers(self) -> dict[str, str]:
        """draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy` and `RateLimit`."""
        return {
            "RateLimit-Policy": f'"{self.policy}";q={self.limit};w={self.window_s}',
            "RateLimit": f'"{self.policy}";r={self.remaining};t={self.reset_s}',
        }


def _decision(policy: RatePolicy, allowed: bool, retry_after: float, busy_for: float) -> Decision:
    interval = policy.window_s / policy.limit
    used = math.ceil(max(busy_for, 0.0) / interval - 1e-9)
    return Decision(
        allowed=allowed,
        limit=policy.limit,
        remaining=max(policy.limit - used, 0),
        reset_s=max(math.ceil(busy_for), 0),
        retry_after_s=max(math.ceil(retry_after), 1) if not allowed else 0,
        policy=policy.name,
        window_s=policy.window_s,
    )


class MemoryRateLimiter:
    """The same GCRA in this process's memory (embedded mode, or Redis down)."""

    def __init__(self) -> None:
        self._tat: dict[str, float] = {}

    def hit(self, key: str, policy: RatePolicy) -> Decision:
        now = time.monotonic()
        interval = policy.window_s / policy.limit
        tat = max(self._tat.get(key, now), now)
        new_tat = tat + interval
        allow_at = new_tat - policy.window_s
        if now < allow_at:
            return _decision(policy, False, allow_at - now, tat - now)
        self._tat[key] = new_tat
        if len(self._tat) > 100_000:
            self._tat = {k: v for k, v in self._tat.items() if v > now}
        return _decision(policy, True, 0.0, new_tat - now)


class RateLimiter:
    def __init__(
        self, redis: Redis | None, namespace: str, breaker: RedisBreaker | None = None
    ) -> None:
        self._redis = redis
        self._prefix = f"{namespace}:rl:"
        self._memory = MemoryRateLimiter()
        self._script = redis.register_script(_GCRA) if redis is not None else None
        self._breaker = breaker or RedisBreaker()

    async def hit(self, route_class: str, caller: str, policy: RatePolicy) -> Decision:
        key = f"{route_class}:{caller}"
        if self._script is not None and self._breaker.allow():
            try:
                allowed, retry_after, busy_for = await self._script(
                    keys=[self._prefix + key],
                    args=[policy.window_s / policy.limit, policy.window_s],
                )
            except (RedisError, OSError):
                self._breaker.failed()
                logger.debug("redis unavailable for rate limiting; using this replica's memory")
            else:
                self._breaker.succeeded()
                return _decision(policy, bool(int(allowed)), float(retry_after), float(busy_for))
        return self._memory.hit(key, policy)
