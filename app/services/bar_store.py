"""Vendor bars kept in the database and topped up incrementally.

A remote vendor's bars of one series (source, symbol, frequency) are downloaded
once and kept in `bars`; `bar_coverage` records the one contiguous range of bar
starts the store holds for the series (a bar absent inside it does not exist). A
request for [start, end] reads what coverage holds and asks the vendor only for
the missing head and/or tail (a request that would leave a hole between its range
and the coverage asks for the hole too, so coverage stays one range).

Only closed bars are kept: the bar still forming at the time of the request (its
`bar_close` is later than now) is neither stored nor returned, and coverage ends
where the absence of later bars is certain (the last closed bar received, or
`SETTLE` plus one bar length before now, so a vendor that publishes a bar a little
late never leaves a hole).

Two requests for one series download it once: requests in one process queue on an
asyncio lock per series; on PostgreSQL a transaction-scoped advisory lock, taken
before coverage is read again, queues those of other processes (SQLite deployments
are one process). Rows are written with an upsert (ON CONFLICT DO UPDATE, on both
dialects), so even racing writers cannot fail on the primary key.

A series is keyed by the vendor code exactly as given (`series_symbol`): RICs are
case-sensitive, so `BRKb.N` (Berkshire's class B) and `BRKB.N` keep separate bars.
Only Bloomberg securities (`IBM US Equity`: a code with a space), which Bloomberg
reads in any case, are keyed upper-cased, as every key was before. Before the
resolver the vendor was also asked for the upper-cased code, so the rows stored then
stay readable, and right, under the same key: the table is unchanged, no migration.

Local sources (synthetic, csv, sample) are read directly, never through the store:
see `app.services.market_data.registry`. For users: docs/MARKET_DATA.md.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Table, and_, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import SQLModel

from app.core.calendars import calendar_of
from app.models.stores import BarCoverage, StoredBar
from app.services.bars_cache import complete_bars
from app.services.market_data.base import (
    BAR_SCHEMA,
    MarketDataProvider,
    check_range,
    empty_bars,
    finalize_bars,
    normalize_symbol,
)
from app.services.market_data.frequency import Frequency, get_frequency

logger = logging.getLogger("app.bar_store")

# How long after a bar's close the vendor is trusted to have published it: coverage
# claims "no bar here" only for periods at least this old (bars received are kept
# at once, whatever their age).
SETTLE = timedelta(minutes=15)
_TICK = timedelta(microseconds=1)
_WRITE_BATCH = 2_000
_BARS: Table = SQLModel.metadata.tables[StoredBar.__tablename__]
_COVERAGE: Table = SQLModel.metadata.tables[BarCoverage.__tablename__]
_VALUES = ("open", "high", "low", "close", "volume")

Key = tuple[str, str, str]


@dataclass(frozen=True)
class Coverage:
    start: datetime
    end: datetime


def plan_fetches(
    coverage: Coverage | None, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The ranges to ask the vendor for so that coverage holds [start, end] and stays
    one contiguous range: the head before it and/or the tail after it, each
    including the hole between the request and the coverage, if any."""
    if end < start:
        return []
    if coverage is None:
        return [(start, end)]
    ranges = []
    if start < coverage.start:
        ranges.append((start, coverage.start - _TICK))
    if end > coverage.end:
        ranges.append((coverage.end + _TICK, end))
    return ranges


def series_symbol(symbol: str) -> str:
    """The `symbol` a series is kept under: the vendor code exactly as given (RICs are
    case-sensitive: BRKb.N is not BRKB.N), upper-cased only for a Bloomberg security
    (a code with a space), which reads the same in any case. 422 for anything that is
    not a plausible code."""
    code = str(symbol).strip()
    normalize_symbol(code)  # the platform's check of a plausible symbol
    return code.upper() if " " in code else code


def settled_end(frequency: Frequency, now: datetime) -> datetime:
    """A bar start before which every bar has closed and been published by `now`:
    a bar is at most one bar length long (a daily bar closes the same UTC day, a
    weekly one the same week), and `SETTLE` allows for the vendor's delay."""
    return now - frequency.bar_length - SETTLE


class BarStore:
    """Bars of remote vendors, read through the database (see the module doc)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sessionmaker = sessionmaker
        self._clock = clock
        self._locks: dict[Key, asyncio.Lock] = {}

    async def fetch(
        self,
        provider: MarketDataProvider,
        source: str,
        symbol: str,
        frequency: str,
        start: datetime,
        end: datetime,
    ) -> pl.DataFrame:
        """The closed bars of the series in [start, end], in the provider contract,
        downloading from `provider` only what the store does not hold yet."""
        freq = get_frequency(frequency)
        start_utc, end_utc = check_range(start, end)
        key: Key = (source, series_symbol(symbol), freq.name)
        now = self._clock()
        wanted_end = min(end_utc, now)
        if wanted_end < start_utc:  # entirely in the future: nothing has closed there
            return empty_bars()
        async with self.sessionmaker() as session:
            coverage = await _coverage(session, key)
            if not plan_fetches(coverage, start_utc, wanted_end):
                return await _read(session, key, start_utc, end_utc)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock, self.sessionmaker() as session:
            await _guard(session, key)
            coverage = await _coverage(session, key)  # another job may have filled it
            ranges = plan_fetches(coverage, start_utc, wanted_end)
            if ranges:
                fresh = await self._top_up(session, provider, key, symbol, freq, ranges, coverage)
                if fresh is not None:  # nothing could be stored: answer what was fetched
                    return finalize_bars(fresh, start_utc, end_utc)
            return await _read(session, key, start_utc, end_utc)

    async def _top_up(
        self,
        session: AsyncSession,
        provider: MarketDataProvider,
        key: Key,
        symbol: str,
        freq: Frequency,
        ranges: list[tuple[datetime, datetime]],
        coverage: Coverage | None,
    ) -> pl.DataFrame | None:
        """Fetch `ranges`, store their closed bars and the grown coverage, commit.

        Returns the fetched bars only when coverage could not grow (every bar of
        the request may still be forming), else None (read them back)."""
        now = self._clock()
        frames = []
        for low, high in ranges:
            logger.info("bar store: fetching %s %s %s %s..%s", *key, low, high)
            frames.append(await provider.fetch_bars(symbol, freq.name, low, high))
        fetched = complete_bars(
            (pl.concat(frames) if frames else empty_bars()).sort("timestamp"),
            freq,
            now,
            calendar=calendar_of(symbol),
        )
        new_start = min(r[0] for r in ranges)
        new_end = coverage.end if coverage else new_start - _TICK
        tail = ranges[-1]
        if coverage is None or tail[0] > coverage.end:
            last = fetched["timestamp"].max() if fetched.height else None
            candidates = [settled_end(freq, now), new_end]
            if isinstance(last, datetime):
                candidates.append(last)
            new_end = min(max(candidates), tail[1])
        if coverage is not None:
            new_start = min(new_start, coverage.start)
        if new_end < new_start:
            await session.rollback()
            return fetched
        keep = fetched.filter(pl.col("timestamp").is_between(new_start, new_end, closed="both"))
        await _upsert_bars(session, key, keep)
        await _upsert_coverage(session, key, Coverage(new_start, new_end))
        await session.commit()
        return None


# -- the database side ------------------------------------------------------------------


def _where(key: Key) -> Any:
    source, symbol, frequency = key
    return and_(_BARS.c.source == source, _BARS.c.symbol == symbol, _BARS.c.frequency == frequency)


async def _guard(session: AsyncSession, key: Key) -> None:
    """On PostgreSQL, queue other processes' top-ups of this series until commit."""
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.blake2b("|".join(key).encode(), digest_size=8).digest()
    await session.execute(
        select(func.pg_advisory_xact_lock(int.from_bytes(digest, "big", signed=True)))
    )


async def _coverage(session: AsyncSession, key: Key) -> Coverage | None:
    source, symbol, frequency = key
    row = (
        await session.execute(
            select(_COVERAGE.c.start, _COVERAGE.c.end).where(
                _COVERAGE.c.source == source,
                _COVERAGE.c.symbol == symbol,
                _COVERAGE.c.frequency == frequency,
            )
        )
    ).first()
    return Coverage(row.start, row.end) if row else None


async def _read(session: AsyncSession, key: Key, start: datetime, end: datetime) -> pl.DataFrame:
    result = await session.execute(
        select(_BARS.c.timestamp, *(_BARS.c[name] for name in _VALUES))
        .where(_where(key), _BARS.c.timestamp.between(start, end))
        .order_by(_BARS.c.timestamp)
    )
    rows = result.all()
    if not rows:
        return empty_bars()
    return pl.DataFrame([tuple(row) for row in rows], schema=BAR_SCHEMA, orient="row")


def _insert(session: AsyncSession, table: Table) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(table)
    return sqlite_insert(table)


async def _upsert_bars(session: AsyncSession, key: Key, bars: pl.DataFrame) -> None:
    if bars.is_empty():
        return
    source, symbol, frequency = key
    statement = _insert(session, _BARS)
    statement = statement.on_conflict_do_update(
        index_elements=["source", "symbol", "frequency", "timestamp"],
        set_={name: statement.excluded[name] for name in _VALUES},
    )
    rows = [
        {"source": source, "symbol": symbol, "frequency": frequency, **row}
        for row in bars.select("timestamp", *_VALUES).iter_rows(named=True)
    ]
    for offset in range(0, len(rows), _WRITE_BATCH):
        await session.execute(statement, rows[offset : offset + _WRITE_BATCH])


async def _upsert_coverage(session: AsyncSession, key: Key, coverage: Coverage) -> None:
    source, symbol, frequency = key
    values = {"start": coverage.start, "end": coverage.end, "updated_at": datetime.now(UTC)}
    statement = _insert(session, _COVERAGE).values(
        source=source, symbol=symbol, frequency=frequency, **values
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["source", "symbol", "frequency"], set_=values
        )
    )


class StoredBarsProvider:
    """A remote vendor's provider read through the bar store: what training and
    /predict get for `refinitiv` and `bloomberg`."""

    def __init__(self, vendor: MarketDataProvider, store: BarStore, source: str) -> None:
        self.vendor = vendor
        self.store = store
        self.source = source
        self.name = vendor.name

    async def fetch_bars(
        self, symbol: str, frequency: str, start: datetime, end: datetime
    ) -> pl.DataFrame:
        return await self.store.fetch(self.vendor, self.source, symbol, frequency, start, end)
