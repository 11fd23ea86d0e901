"""A circuit breaker for Redis: after a failure, use the in-process fallbacks for a
few seconds instead of waiting for every call's timeout.

A Redis that is killed on the same host refuses connections at once, but one
that hangs or vanishes from the network makes each call wait out the client's
socket timeout — four calls on /predict (revocation, rate limit, cache read,
cache write) would each wait. With the breaker open, callers skip Redis; once
the cool-down has passed one caller probes, and the others keep skipping until
it has answered.
"""

from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)


class RedisBreaker:
    def __init__(self, cooldown_s: float = 5.0) -> None:
        self.cooldown_s = cooldown_s
        self._open = False
        self._probe_at = 0.0

    def allow(self) -> bool:
        """Whether this call may use Redis."""
        if not self._open:
            return True
        now = time.monotonic()
        if now < self._probe_at:
            return False
        self._probe_at = now + self.cooldown_s  # this caller probes; the others wait
        return True

    def failed(self) -> None:
        if not self._open:
            logger.warning(
                "redis unavailable; using in-process fallbacks, retrying every %.0f s",
                self.cooldown_s,
            )
        self._open = True
        self._probe_at = time.monotonic() + self.cooldown_s

    def succeeded(self) -> None:
        if self._open:
            logger.warning("redis answers again")
        self._open = False

    @property
    def is_open(self) -> bool:
        return self._open
