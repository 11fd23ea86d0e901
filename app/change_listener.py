"""With PostgreSQL, the change stamp of an API process: bumped by the notification a
trigger sends after each committed write to users, token revocations or agents
(migration 0014), from whichever process or machine wrote it.

It vouches for nothing (`read` is None, so nothing is kept) until its connection
listens, nor from the moment it is lost; a reconnection bumps the stamp first, since
a change may have gone unheard meanwhile. A connection that fails silently is found
by a ping every `check_s`. A change made through one API process reaches the others
as fast as PostgreSQL delivers a notification (well under a millisecond on one host),
not within the writer's transaction as with SQLite's stamp file.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from app.change_stamp import CHANNEL, ChangeStamp

logger = logging.getLogger(__name__)


class ChangeListener:
    def __init__(self, engine: AsyncEngine, connect_timeout_s: float, check_s: float) -> None:
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        accepted = inspect.signature(asyncpg.connect).parameters
        self._connect_args = ([*args], {k: v for k, v in kwargs.items() if k in accepted})
        self.connect_timeout_s = connect_timeout_s
        self.check_s = check_s
        self._stamp = ChangeStamp()
        self._listening = False
        self._lost = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.pid: int | None = None  # the listening connection's server process
        self._connection: asyncpg.Connection | None = None
        self._querying = asyncio.Lock()  # one query at a time on a connection

    def read(self) -> bytes | None:
        return self._stamp.read() if self._listening else None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="row-change-listener")

    async def stop(self) -> None:
        """Also when a cancellation is swallowed (`asyncio.wait_for` may, before 3.12)."""
        self._stopping = True
        self._lost.set()
        if self._task is not None:
            while not self._task.done():
                self._task.cancel()
                await asyncio.wait({self._task}, timeout=1)
            self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._listen()
            except Exception as exc:  # refused, timed out, lost: retried after check_s
                logger.warning("row-change listener down (rows are read every time): %s", exc)
            await asyncio.sleep(self.check_s)

    async def _listen(self) -> None:
        args, kwargs = self._connect_args
        connection = await asyncpg.connect(
            *args,
            timeout=self.connect_timeout_s,
            server_settings={"application_name": "atp-row-changes"},
            **kwargs,
        )
        try:
            self.pid = connection.get_server_pid()
            self._lost.clear()
            connection.add_termination_listener(self._gone)
            await connection.add_listener(CHANNEL, self._changed)
            self._connection = connection
            self._stamp.bump()  # a change may have gone unheard while no one listened
            self._listening = True
            while not self._lost.is_set():
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._lost.wait(), self.check_s)
                if not self._lost.is_set():
                    await self._ping(connection)
        finally:
            self._listening = False
            self._connection = None
            with contextlib.suppress(Exception):
                await connection.close(timeout=1)

    async def heard(self) -> None:
        """Returns once every change committed before the call has been heard: the
        server sends pending notifications before it answers a query."""
        if self._connection is not None:
            await self._ping(self._connection)

    async def _ping(self, connection: asyncpg.Connection) -> None:
        async with self._querying:
            await connection.fetchval("SELECT 1", timeout=self.connect_timeout_s)

    def _changed(self, *_: Any) -> None:
        self._stamp.bump()

    def _gone(self, *_: Any) -> None:
        self._listening = False
        self._lost.set()
