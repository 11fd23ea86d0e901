"""A background pass every few seconds, in the API process's own event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging

logger = logging.getLogger(__name__)


class Periodic:
    """Runs `run_once` every `interval_s`, the first time one interval after `start`
    (or at once, with `first_pass_at_start`: a connection wanted as soon as it can be).

    `stop` lets a running pass finish (up to `STOP_GRACE_S`, then cancels it) instead of
    cancelling it mid-query: a query cancelled on SQLite leaves aiosqlite's thread
    answering a closed event loop. A pass that fails is logged; the next one runs."""

    STOP_GRACE_S = 30.0

    def __init__(self, name: str, interval_s: float, *, first_pass_at_start: bool = False) -> None:
        self.name = name
        self.interval_s = interval_s
        self.first_pass_at_start = first_pass_at_start
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def run_once(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._stopping.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=self.STOP_GRACE_S)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        wait = not self.first_pass_at_start
        while True:
            if wait:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.interval_s)
            wait = True
            if self._stopping.is_set():
                return
            try:
                await self.run_once()
            except Exception as exc:  # a lost database must not end the loop
                logger.error("%s failed: %s", self.name, type(exc).__name__)
