"""Eight bytes that change whenever a committed write touched users, token revocations
or agents: what lets an API process keep those rows between requests (`RowCache`).

Embedded, every process of a deployment maps the same small file beside the SQLite
database, and the SQLite connection (`app.sqlite_connection`), through which every
process of ours writes, the training child's too, puts fresh random bytes there after
committing such a write. A reader takes the stamp before its read and trusts what it
read only while the stamp is unchanged; random values (not a counter) need no lock
between processes, and a torn write reads as a change, never as the old value.
"""

from __future__ import annotations

import functools
import mmap
import os
import re
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import make_url

# What the cached rows come from; a write to any of them invalidates all.
WATCHED_TABLES = ("users", "token_revocations", "agents")
# PostgreSQL's channel for the same news (migration 0014, `app.change_listener`).
CHANNEL = "row_changes"
_SIZE = 8
_NAMES_WATCHED = re.compile(rf"\b(?:{'|'.join(WATCHED_TABLES)})\b", re.IGNORECASE)


@functools.lru_cache(maxsize=1024)
def touches_watched(sql: str) -> bool:
    """Whether a statement may change a watched table: anything but a SELECT that
    names one (a false alarm costs a cache miss; a missed write, a stale row)."""
    head = sql.lstrip()[:6].upper()
    return head not in ("SELECT", "PRAGMA") and _NAMES_WATCHED.search(sql) is not None


class StampSource(Protocol):
    def read(self) -> bytes | None:
        """The current stamp; None while no change could be told (nothing is kept)."""


class ChangeStamp:
    """The stamp, in a file every process maps (`path`) or in this process's memory."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        if path is None:
            self._view: mmap.mmap | bytearray = bytearray(_SIZE)
            return
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < _SIZE:
                os.ftruncate(fd, _SIZE)
            self._view = mmap.mmap(fd, _SIZE)
        finally:
            os.close(fd)  # the mapping keeps the file

    def read(self) -> bytes:
        return bytes(self._view[:_SIZE])

    def bump(self) -> None:
        self._view[:_SIZE] = os.urandom(_SIZE)


@functools.cache
def _stamp_file(path: str) -> ChangeStamp:
    return ChangeStamp(Path(path))


def of_database(url: str) -> ChangeStamp | None:
    """The stamp of an SQLite database, one object per process; None for another
    database (PostgreSQL: rows are not cached) or one only this process sees."""
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return _stamp_file(f"{Path(database).resolve()}-stamp")
