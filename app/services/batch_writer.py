"""Group commit: rows of calls that arrive together share one transaction.

/predict must commit before it answers; one commit per call made concurrent
calls queue for the database's write lock. One writer, on a connection of its
own, commits whatever has gathered meanwhile; a batch that fails is retried
call by call, so a bad call fails alone.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlmodel import SQLModel


class GroupWriter:
    """Commits each caller's rows before `write` returns, batching concurrent callers."""

    def __init__(self) -> None:
        self._pending: list[tuple[AsyncEngine, list[Any], asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def write(self, session: AsyncSession, rows: list[Any]) -> None:
        bind = session.bind
        assert isinstance(bind, AsyncEngine)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((bind, rows, future))
        if self._task is None:
            self._task = asyncio.create_task(self._drain())
        await future

    async def _drain(self) -> None:
        batch: list[tuple[AsyncEngine, list[Any], asyncio.Future[None]]] = []
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                for bind in dict.fromkeys(engine for engine, _, _ in batch):
                    await self._write_batch(
                        bind, [(rows, future) for engine, rows, future in batch if engine is bind]
                    )
        except BaseException:  # cancelled (shutdown): no caller may wait forever
            for _, _, future in [*batch, *self._pending]:
                future.cancel()
            self._pending = []
            raise
        finally:
            self._task = None

    async def _write_batch(
        self, bind: AsyncEngine, calls: list[tuple[list[Any], asyncio.Future[None]]]
    ) -> None:
        try:
            await self._commit(bind, [row for rows, _ in calls for row in rows])
        except Exception as exc:
            if len(calls) == 1:
                _settle(calls[0][1], exc)
                return
            for rows, future in calls:  # one by one: only the bad call fails
                try:
                    await self._commit(bind, rows)
                except Exception as one:
                    _settle(future, one)
                else:
                    _settle(future, None)
        else:
            for _, future in calls:
                _settle(future, None)

    @staticmethod
    async def _commit(bind: AsyncEngine, rows: list[Any]) -> None:
        """Core executemany per table: the rows are final, so the unit of work's
        bookkeeping (identity map, change tracking, flush ordering) buys nothing here."""
        tables: dict[Table, list[dict[str, Any]]] = {}
        for row in rows:
            table = row.__table__
            state = row.__dict__  # where SQLAlchemy keeps a new object's values
            values = {key: state.get(key) for key in _column_keys(table)}
            for column in table.primary_key:  # a serial key the database assigns
                if values[column.key] is None:
                    del values[column.key]
            tables.setdefault(table, []).append(values)
        async with bind.begin() as conn:
            for table in sorted(tables, key=_insert_order):
                await conn.execute(table.insert(), tables[table])


@functools.cache
def _column_keys(table: Table) -> tuple[str, ...]:
    return tuple(column.key for column in table.columns)


@functools.cache
def _insert_order(table: Table) -> int:
    """Parents before children, for the foreign keys."""
    return SQLModel.metadata.sorted_tables.index(table)


def _settle(future: asyncio.Future[None], error: Exception | None) -> None:
    if future.done():  # its caller went away; the rows are saved all the same
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
