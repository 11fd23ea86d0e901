"""Group commit: rows of calls that arrive together share one transaction.

/predict must commit before it answers; one commit per call made concurrent
calls queue for the database's write lock. One writer, on a connection of its
own, commits whatever has gathered meanwhile; a batch that fails is retried
call by call, so a bad call fails alone.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import Table
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlmodel import SQLModel

from app.sqlite_connection import InlineWriter, OneTripConnection


@dataclass(frozen=True)
class Row:
    """One row to insert: its table and every column's value."""

    table: Table
    values: dict[str, Any]


def row(model: type[SQLModel], **values: Any) -> Row:
    """A row of `model`'s table, its Python-side defaults applied as the model would
    (default factories called per row), without building the ORM object: /predict's
    rows are final, and instrumenting every attribute set cost more than the insert."""
    constants, factories = _defaults(model)
    filled = {**constants, **{key: make() for key, make in factories.items() if key not in values}}
    filled.update(values)
    table = model.__table__  # type: ignore[attr-defined]
    return Row(table, {key: filled.get(key) for key in _column_keys(table)})


@functools.cache
def _defaults(model: type[SQLModel]) -> tuple[dict[str, Any], dict[str, Callable[[], Any]]]:
    constants: dict[str, Any] = {}
    factories: dict[str, Callable[[], Any]] = {}
    for name, field in model.model_fields.items():
        if field.default_factory is not None:
            factories[name] = field.default_factory  # type: ignore[assignment]
        elif field.default is not PydanticUndefined:
            constants[name] = field.default
    return constants, factories


class GroupWriter:
    """Commits each caller's rows before `write` returns, batching concurrent callers."""

    def __init__(self) -> None:
        self._pending: list[tuple[AsyncEngine, list[Row], asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None
        # Per SQLite engine: its connection on this thread (None: not a WAL file).
        self._inline: dict[AsyncEngine, InlineWriter | None] = {}

    def close(self) -> None:
        for inline in self._inline.values():
            if inline is not None:
                inline.close()
        self._inline.clear()

    async def write(self, session: AsyncSession, rows: list[Row]) -> None:
        bind = session.bind
        assert isinstance(bind, AsyncEngine)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((bind, rows, future))
        if self._task is None:
            self._task = asyncio.create_task(self._drain())
        await future

    async def _drain(self) -> None:
        batch: list[tuple[AsyncEngine, list[Row], asyncio.Future[None]]] = []
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
        self, bind: AsyncEngine, calls: list[tuple[list[Row], asyncio.Future[None]]]
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

    async def _commit(self, bind: AsyncEngine, rows: list[Row]) -> None:
        """Core executemany per table: the rows are final, so the unit of work's
        bookkeeping (identity map, change tracking, flush ordering) buys nothing here.
        On SQLite the rows are bound here and committed on this thread when the write
        lock is free (`InlineWriter`), else sent with their commit in one trip to a
        pooled connection's thread (three trips through the engine)."""
        tables: dict[tuple[Table, tuple[str, ...]], list[dict[str, Any]]] = {}
        for one in rows:
            values = dict(one.values)
            for column in one.table.primary_key:  # a serial key the database assigns
                if values[column.key] is None:
                    del values[column.key]
            tables.setdefault((one.table, tuple(values)), []).append(values)
        batches = sorted(tables.items(), key=lambda item: _insert_order(item[0][0]))
        statements = None
        if bind.dialect.name == "sqlite":
            statements = [
                _positional(table, keys, bind.dialect, batch) for (table, keys), batch in batches
            ]
            if bind not in self._inline:
                self._inline[bind] = InlineWriter.of(bind.url.render_as_string(False))
            inline = self._inline[bind]
            if inline is not None and inline.insert_and_commit(statements):
                return
        async with bind.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            if statements is not None and isinstance(driver, OneTripConnection):
                await driver.insert_and_commit(statements)
                return
            async with conn.begin():
                for (table, _), batch in batches:
                    await conn.execute(table.insert(), batch)


def _positional(
    table: Table, keys: tuple[str, ...], dialect: Dialect, rows: list[dict[str, Any]]
) -> tuple[str, list[tuple[Any, ...]]]:
    """The INSERT SQLAlchemy would send for `rows` (each with `keys`), and their values
    as it would bind them (its own type processors), for the SQLite driver directly."""
    sql, order, processors = _insert_plan(table, keys, dialect)
    return sql, [
        tuple(
            value if process is None else process(value)
            for value, process in zip((one[key] for key in order), processors, strict=True)
        )
        for one in rows
    ]


# Bounded: keyed by the engine's dialect, of which a test session makes hundreds.
@functools.lru_cache(maxsize=64)
def _insert_plan(
    table: Table, keys: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[str, ...], tuple[Callable[[Any], Any] | None, ...]]:
    compiled = table.insert().compile(dialect=dialect, column_keys=list(keys))
    order = tuple(compiled.positiontup or ())
    processors = tuple(
        table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in order
    )
    return str(compiled), order, processors


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
