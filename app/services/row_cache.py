"""The caller's account and /predict's agents, kept between requests while nothing
changed them.

Every authenticated call reads its user (with, embedded, whether its token was
revoked) and /predict its agents: point reads that cost more than the model call on
a warm path. Such a row is kept with the database's change stamp read before it was
read, and is served only while the stamp is the same (no committed write to users,
token revocations or agents since, from any process of the deployment) and no older
than `ROW_CACHE_TTL_S`. The stamp is a file every process maps with SQLite
(`app.change_stamp`), PostgreSQL's notifications with it (`app.change_listener`). A
request gets its own copy, attached to its session as if it had read it
(`merge(load=False)`, no SQL), so a route may change it and commit as before.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.change_stamp import StampSource

Row = TypeVar("Row")


class RowCache:
    def __init__(self, source: StampSource | None, ttl_s: float, size: int = 4096) -> None:
        self.source = source if ttl_s > 0 else None
        self.ttl_s = ttl_s
        self.size = size
        self._rows: OrderedDict[Hashable, tuple[bytes, float, object]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.source is not None

    async def fetch(
        self,
        key: Hashable,
        kind: type[Row],
        session: AsyncSession,
        read: Callable[[], Awaitable[Row | None]],
    ) -> Row | None:
        """The row kept under `key`, else `read()`'s (kept when there is one, with the
        stamp taken before the read)."""
        row = self._get(key, kind, session)
        if row is None:
            stamp = None if self.source is None else self.source.read()
            row = await read()
            if row is not None and stamp is not None:
                self._put(key, stamp, row)
        return row

    def _get(self, key: Hashable, kind: type[Row], session: AsyncSession) -> Row | None:
        """The row kept under `key`, as the session's own copy; None when there is
        none or it may have changed since."""
        if self.source is None:
            return None
        entry = self._rows.get(key)
        if entry is None:
            return None
        stamp, expires, row = entry
        if stamp != self.source.read() or time.monotonic() > expires:
            del self._rows[key]
            return None
        self._rows.move_to_end(key)
        assert isinstance(row, kind)
        return session.sync_session.merge(row, load=False)

    def _put(self, key: Hashable, stamp: bytes, row: object) -> None:
        """Keep a row just read (clean, loaded) as it is now: a detached copy, so
        neither this request nor the next changes what is kept."""
        with Session() as scratch:  # bound to no database: merge(load=False) reads nothing
            copy = scratch.merge(row, load=False)
            scratch.expunge(copy)
        self._rows[key] = (stamp, time.monotonic() + self.ttl_s, copy)
        self._rows.move_to_end(key)
        while len(self._rows) > self.size:
            self._rows.popitem(last=False)
