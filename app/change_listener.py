"""With PostgreSQL, the change stamp of an API process: bumped by the notification a
trigger sends after each committed write to users, token revocations or agents
(migration 0014), from whichever process or machine wrote it.

It vouches for nothing (`read` is None, so nothing is kept) until its connection
listens, nor from the moment it is lost; a reconnection bumps the stamp first, since
a change may have gone unheard meanwhile. A connection that fails silently is found
by a ping every `interval_s`; the same pass retries a lost one. A change made through
one API process reaches the others as fast as PostgreSQL delivers a notification (well
under a millisecond on one host), not within the writer's transaction as with SQLite's
stamp file.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from app.change_stamp import CHANNEL, ChangeStamp
from app.core.periodic import Periodic


class ChangeListener(Periodic):
    def __init__(self, engine: AsyncEngine, connect_timeout_s: float, check_s: float) -> None:
        super().__init__("row-change-listener", check_s, first_pass_at_start=True)
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        accepted = inspect.signature(asyncpg.connect).parameters
        self._connect_args = ([*args], {k: v for k, v in kwargs.items() if k in accepted})
        self.connect_timeout_s = connect_timeout_s
        self._stamp = ChangeStamp()
        self._listening = False
        self.pid: int | None = None  # the listening connection's server process
        self._connection: asyncpg.Connection | None = None
        self._querying = asyncio.Lock()  # one query at a time on a connection

    def read(self) -> bytes | None:
        return self._stamp.read() if self._listening else None

    async def run_once(self) -> None:
        """Listens if not listening, else pings; a failed ping drops the connection
        (until the next pass) instead of trusting it."""
        if not self._listening:
            await self._close()
            await self._listen()
            return
        try:
            await self.heard()
        except BaseException:
            self._listening = False
            await self._close()
            raise

    async def stop(self) -> None:
        await super().stop()
        await self._close()

    async def _listen(self) -> None:
        args, kwargs = self._connect_args
        connection = await asyncpg.connect(
            *args,
            timeout=self.connect_timeout_s,
            server_settings={"application_name": "atp-row-changes"},
            **kwargs,
        )
        try:
            connection.add_termination_listener(self._gone)
            await connection.add_listener(CHANNEL, self._changed)
        except BaseException:
            with contextlib.suppress(Exception):
                await connection.close(timeout=1)
            raise
        self.pid = connection.get_server_pid()
        self._connection = connection
        self._stamp.bump()  # a change may have gone unheard while no one listened
        self._listening = True

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close(timeout=1)

    async def heard(self) -> None:
        """Returns once every change committed before the call has been heard: the
        server sends pending notifications before it answers a query."""
        if self._connection is not None:
            async with self._querying:
                await self._connection.fetchval("SELECT 1", timeout=self.connect_timeout_s)

    def _changed(self, *_: Any) -> None:
        self._stamp.bump()

    def _gone(self, *_: Any) -> None:
        self._listening = False
