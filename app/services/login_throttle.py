"""Per-account failed-login back-off, on Redis or in memory.

The login rate limit counts per client address; this counts per account (the
e-mail as typed, lower-cased and hashed, whether or not the account exists, so it
reveals nothing), which an attacker rotating addresses cannot spread out. After
`free` failures in a row every further failure makes the account wait
`base * 2**k` seconds, capped at `max_s`, before the next attempt is even checked:
guessing slows to a crawl, while the real owner is never locked out for longer than
the cap. A successful login resets it. Like the rate limits, a replica whose Redis
stops answering counts in its own memory meanwhile.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.services.redis_breaker import RedisBreaker

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackOff:
    free: int
    base_s: float
    max_s: float

    def delay_s(self, failures: int) -> float:
        """The wait imposed by the `failures`-th failure in a row (0 while free)."""
        if failures <= self.free:
            return 0.0
        return min(self.base_s * 2.0 ** min(failures - self.free - 1, 60), self.max_s)

    @property
    def memory_s(self) -> float:
        """How long a failure is remembered: a quiet hour (or four caps) forgets it."""
        return max(3600.0, 4 * self.max_s)


def account_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


class MemoryLoginThrottle:
    def __init__(self, policy: BackOff) -> None:
        self._policy = policy
        # key -> (failures in a row, blocked until, forgotten after), monotonic seconds
        self._state: dict[str, tuple[int, float, float]] = {}

    def blocked_for(self, key: str) -> float:
        now = time.monotonic()
        _, until, forget = self._state.get(key, (0, 0.0, 0.0))
        return until - now if forget > now else 0.0

    def failed(self, key: str) -> float:
        now = time.monotonic()
        failures, _, forget = self._state.get(key, (0, 0.0, 0.0))
        failures = failures + 1 if forget > now else 1
        delay = self._policy.delay_s(failures)
        self._state[key] = (failures, now + delay, now + self._policy.memory_s)
        if len(self._state) > 100_000:
            self._state = {k: v for k, v in self._state.items() if v[2] > now}
        return delay

    def succeeded(self, key: str) -> None:
        self._state.pop(key, None)


class LoginThrottle:
    def __init__(
        self,
        redis: Redis | None,
        namespace: str,
        policy: BackOff,
        breaker: RedisBreaker | None = None,
    ) -> None:
        self._redis = redis
        self._prefix = f"{namespace}:login-fail:"
        self._policy = policy
        self._memory = MemoryLoginThrottle(policy)
        self._breaker = breaker or RedisBreaker()

    async def retry_after_s(self, email: str) -> int:
        """Seconds this account must still wait before a login is checked (0: go ahead)."""
        key = account_key(email)
        if self._redis is not None and self._breaker.allow():
            try:
                left_ms = await self._redis.pttl(self._prefix + key + ":until")
            except (RedisError, OSError):
                self._breaker.failed()
            else:
                self._breaker.succeeded()
                return max(math.ceil(int(left_ms) / 1000), 0) if int(left_ms) > 0 else 0
        left = self._memory.blocked_for(key)
        return math.ceil(left) if left > 0 else 0

    async def failed(self, email: str) -> None:
        key = account_key(email)
        if self._redis is not None and self._breaker.allow():
            try:
                pipe = self._redis.pipeline(transaction=True)
                pipe.incr(self._prefix + key)
                pipe.pexpire(self._prefix + key, int(self._policy.memory_s * 1000))
                failures, _ = await pipe.execute()
                delay = self._policy.delay_s(int(failures))
                if delay > 0:
                    await self._redis.set(
                        self._prefix + key + ":until", b"1", px=max(int(delay * 1000), 1)
                    )
            except (RedisError, OSError):
                self._breaker.failed()
            else:
                self._breaker.succeeded()
                return
        self._memory.failed(key)

    async def succeeded(self, email: str) -> None:
        key = account_key(email)
        self._memory.succeeded(key)
        if self._redis is not None and self._breaker.allow():
            try:
                await self._redis.delete(self._prefix + key, self._prefix + key + ":until")
            except (RedisError, OSError):
                self._breaker.failed()
            else:
                self._breaker.succeeded()
