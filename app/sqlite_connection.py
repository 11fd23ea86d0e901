"""SQLite connections on which a statement takes one trip to the connection's thread.

aiosqlite runs sqlite3 on a thread of its own per connection, and SQLAlchemy's
adapter asks it for a cursor, the execution, the rows and the cursor's close: four
hand-offs to that thread and four wake-ups of the event loop per statement. A point
read costs SQLite tens of microseconds; the trips cost hundreds, on every request's
user and agent reads. Here a statement and its rows are one call on that thread, and
a commit or rollback with nothing to end is none; rows bound beforehand are inserted
and committed in one (`OneTripConnection.insert_and_commit`, the group commit's).
A commit that wrote users, token revocations or agents bumps the database's
`ChangeStamp` (`app.change_stamp`).

Handed to SQLAlchemy as `create_async_engine(async_creator=...)`: its aiosqlite
dialect, pool and error translation are unchanged; only the driver-level cursor is
this module's.
"""

from __future__ import annotations

import functools
import sqlite3
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from threading import Thread
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, StatementError

from app.change_stamp import ChangeStamp, of_database, touches_watched

Outcome = tuple[Any, int, int | None, list[Any]]
# INSERTs and their rows, bound as SQLAlchemy binds them (`app.services.batch_writer`).
Statements = list[tuple[str, list[tuple[Any, ...]]]]


def _run(connection: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> Outcome:
    """On the connection's thread: the statement, then everything a caller may ask of
    its cursor afterwards."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        elif parameters is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _insert_and_commit(connection: sqlite3.Connection, statements: Statements) -> None:
    try:
        for sql, rows in statements:
            connection.executemany(sql, rows)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise


class OneTripCursor:
    """The part of aiosqlite's cursor that SQLAlchemy's adapter uses; the rows are
    already here when `execute` returns, so fetching and closing go nowhere."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: deque[Any] = deque()

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        self._rows.clear()

    async def execute(self, sql: str, parameters: Any = None) -> OneTripCursor:
        return self._keep(await self._connection.statement(sql, parameters, False))

    async def executemany(self, sql: str, parameters: Sequence[Any]) -> OneTripCursor:
        return self._keep(await self._connection.statement(sql, parameters, True))

    def _keep(self, outcome: Outcome) -> OneTripCursor:
        self.description, self.rowcount, self.lastrowid, rows = outcome
        self._rows = deque(rows)
        return self

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(size or self.arraysize, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        self._rows.clear()


class OneTripConnection(aiosqlite.Connection):
    """Also no trip for a commit or a rollback with no transaction open: sqlite3 opens
    one only before a write, so a session that only read (most requests' first) and
    the pool's rollback of a connection coming back after a commit have none."""

    def __init__(
        self, connector: Callable[[], sqlite3.Connection], stamp: ChangeStamp | None, **kw: Any
    ) -> None:
        super().__init__(connector, **kw)
        self.stamp = stamp
        self._wrote_watched = False  # in the open transaction

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    async def commit(self) -> None:
        if self._connection is None or self._connection.in_transaction:
            await super().commit()
        self._committed()

    async def rollback(self) -> None:
        self._wrote_watched = False
        if self._connection is None or self._connection.in_transaction:
            await super().rollback()

    async def statement(self, sql: str, parameters: Any, many: bool) -> Outcome:
        outcome = await self._execute(lambda: _run(self._conn, sql, parameters, many))
        if self.stamp is not None and touches_watched(sql):
            self._wrote_watched = True
            if not self._conn.in_transaction:  # it committed by itself
                self._committed()
        return outcome

    def _committed(self) -> None:
        """After the commit, never before: a reader that saw the old stamp then read
        the new rows only misses once more."""
        if self._wrote_watched:  # only ever set with a stamp
            assert self.stamp is not None
            self.stamp.bump()
        self._wrote_watched = False

    async def insert_and_commit(self, statements: Statements) -> None:
        """Rows bound as SQLAlchemy binds them, inserted and committed in one trip;
        a failure rolls all of them back and is raised as SQLAlchemy's error."""
        try:
            await self._execute(lambda: _insert_and_commit(self._conn, statements))
        except sqlite3.Error as exc:
            self._wrote_watched = False
            raise _as_sqlalchemy_error(statements, exc) from exc
        if self.stamp is not None and any(touches_watched(sql) for sql, _ in statements):
            self._wrote_watched = True
        self._committed()


def _as_sqlalchemy_error(statements: Statements, exc: sqlite3.Error) -> StatementError:
    return DBAPIError.instance(statements[0][0], None, exc, sqlite3.Error)


_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)  # primary codes of the extended ones


class InlineWriter:
    """Inserts and commits on the event loop's own thread, never waiting for the lock.

    A trip to an aiosqlite connection's thread and back (checkout, hand-off, wake-up,
    return) cost the process about 1 ms of CPU per group commit, measured, more than
    SQLite's own work here (0.4 ms for /predict's two rows): in WAL mode with
    synchronous=NORMAL a commit is no fsync, and this connection never checkpoints
    (`app.db.WalCheckpointer` does, off the requests). With a zero busy timeout it
    answers False at once when another connection (the other API process, a job)
    holds the write lock, and the caller takes the pooled connection, which waits on
    its own thread. False too for a write to a watched table: that path bumps the
    database's `ChangeStamp`."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    @classmethod
    def of(cls, url: str) -> InlineWriter | None:
        """For a database file in WAL mode (else None: a commit could fsync, or another
        connection would see another in-memory database)."""
        database = make_url(url).database
        if not database or database == ":memory:" or "mode=memory" in url:
            return None
        connection = _connector(url, timeout=0)()
        journal = connection.execute("PRAGMA journal_mode").fetchone()[0]
        if str(journal).lower() != "wal":
            connection.close()
            return None
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA wal_autocheckpoint=0")
        connection.execute("PRAGMA foreign_keys=ON")
        return cls(connection)

    def insert_and_commit(self, statements: Statements) -> bool:
        """Whether the rows were inserted and committed; a failure other than a busy
        lock rolls them back and is raised as SQLAlchemy's error."""
        if any(touches_watched(sql) for sql, _ in statements):
            return False
        try:
            _insert_and_commit(self._connection, statements)
        except sqlite3.Error as exc:
            if getattr(exc, "sqlite_errorcode", 0) & 0xFF in _BUSY:
                return False
            raise _as_sqlalchemy_error(statements, exc) from exc
        return True

    def close(self) -> None:
        self._connection.close()


def _connector(url: str, **connect_args: Any) -> Callable[[], sqlite3.Connection]:
    """sqlite3 opened with the arguments SQLAlchemy's aiosqlite dialect derives from
    the URL, plus `connect_args`."""
    args, kwargs = SQLiteDialect_aiosqlite().create_connect_args(make_url(url))
    return functools.partial(sqlite3.connect, *args, **{**kwargs, **connect_args})


def creator(url: str, **connect_args: Any) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    """`async_creator` for `url`: `_connector`'s connection behind `OneTripConnection`."""
    connector = _connector(url, **connect_args)
    stamp = of_database(url)

    async def connect() -> aiosqlite.Connection:
        connection = OneTripConnection(connector, stamp, iter_chunk_size=64)
        # As SQLAlchemy's dialect does: no join at exit (aiosqlite < 0.22 was the thread).
        thread = connection if isinstance(connection, Thread) else connection._thread
        thread.daemon = True
        return await connection

    return connect
