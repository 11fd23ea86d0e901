"""The bar store: vendor bars kept in `bars`/`bar_coverage`, topped up incrementally,
on SQLite and PostgreSQL (`backend`), with the vendor faked at its HTTP transport."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import polars as pl
import pytest
from pydantic import SecretStr
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.models.stores import BarCoverage, StoredBar
from app.services.bar_store import (
    BarStore,
    Coverage,
    StoredBarsProvider,
    plan_fetches,
    series_symbol,
)
from app.services.market_data.base import BAR_SCHEMA
from app.services.market_data.refinitiv import RefinitivClient, RefinitivProvider, RetryPolicy
from app.services.market_data.registry import MarketData
from app.services.market_data.synthetic import SyntheticProvider
from tests.services.market_data.refinitiv.platform import Platform
from tests.services.market_data.refinitiv.vendor import BASE, V1
from tests.utils.bars import unique_symbol
from tests.utils.db import database

NOW = datetime(2024, 6, 3, 12, tzinfo=UTC)  # a Monday, before the session opens


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def provider_on(platform: Platform, max_concurrency: int = 4) -> RefinitivProvider:
    retry = RetryPolicy(max_retries=0)
    client = RefinitivClient(
        V1, BASE, http_client=platform.client(), retry=retry, max_concurrency=max_concurrency
    )
    return RefinitivProvider(client)


def store_on(maker: async_sessionmaker[AsyncSession], now: datetime = NOW) -> BarStore:
    return BarStore(maker, clock=lambda: now)


async def stored(maker: async_sessionmaker[AsyncSession], symbol: str) -> pl.DataFrame:
    async with maker() as session:
        rows = (
            await session.execute(
                select(StoredBar.timestamp).where(StoredBar.symbol == series_symbol(symbol))  # type: ignore[arg-type]
            )
        ).all()
    return pl.DataFrame({"timestamp": [row[0] for row in rows]})


async def coverage_of(maker: async_sessionmaker[AsyncSession], symbol: str) -> Coverage | None:
    async with maker() as session:
        row = (
            await session.execute(
                select(BarCoverage.start, BarCoverage.end).where(
                    BarCoverage.symbol == series_symbol(symbol)  # type: ignore[arg-type]
                )
            )
        ).first()
    return Coverage(row[0], row[1]) if row else None


# -- the coverage rule ----------------------------------------------------------------------


def test_plan_fetches_asks_only_for_what_coverage_lacks() -> None:
    tick = timedelta(microseconds=1)
    held = Coverage(utc(2024, 1, 10), utc(2024, 1, 20))
    assert plan_fetches(None, utc(2024, 1, 1), utc(2024, 1, 5)) == [
        (utc(2024, 1, 1), utc(2024, 1, 5))
    ]
    assert plan_fetches(held, utc(2024, 1, 12), utc(2024, 1, 18)) == []
    assert plan_fetches(held, utc(2024, 1, 5), utc(2024, 1, 25)) == [
        (utc(2024, 1, 5), utc(2024, 1, 10) - tick),
        (utc(2024, 1, 20) + tick, utc(2024, 1, 25)),
    ]
    # A request beyond the coverage fetches the hole too: coverage stays one range.
    assert plan_fetches(held, utc(2024, 2, 1), utc(2024, 2, 5)) == [
        (utc(2024, 1, 20) + tick, utc(2024, 2, 5))
    ]
    assert plan_fetches(held, utc(2023, 12, 1), utc(2023, 12, 5)) == [
        (utc(2023, 12, 1), utc(2024, 1, 10) - tick)
    ]


# -- downloads ------------------------------------------------------------------------------


async def test_two_concurrent_reads_of_one_series_download_once(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    platform = Platform(delay_s=0.02)
    provider = StoredBarsProvider(provider_on(platform), store_on(sessionmaker), "refinitiv")
    symbol = unique_symbol()
    first, second = await asyncio.gather(
        provider.fetch_bars(symbol, "1d", utc(2024, 1, 2), utc(2024, 3, 29)),
        provider.fetch_bars(symbol, "1d", utc(2024, 1, 2), utc(2024, 3, 29)),
    )
    assert len(platform.data) == 1  # one download for both jobs
    assert first.equals(second)
    assert first.schema == pl.Schema(BAR_SCHEMA)
    assert first.height == 64  # the weekdays of 2024-01-02..2024-03-29
    assert first["timestamp"].is_sorted() and first["timestamp"].n_unique() == first.height
    # A third read is served by the database alone.
    again = await provider.fetch_bars(symbol, "1d", utc(2024, 1, 15), utc(2024, 2, 15))
    assert len(platform.data) == 1
    assert again.equals(
        first.filter(pl.col("timestamp").is_between(utc(2024, 1, 15), utc(2024, 2, 15)))
    )


async def test_two_processes_download_once(settings: Settings, backend: str) -> None:
    """Two stores on their own engines (two worker processes): on PostgreSQL the
    advisory lock makes the second wait and find the bars; on SQLite (one process
    in production) both may download, and the upserts never conflict."""
    platform = Platform(delay_s=0.05)
    vendor = provider_on(platform)
    symbol = unique_symbol()
    async with database(settings) as one, database(settings) as two:
        frames = await asyncio.gather(
            store_on(one).fetch(
                vendor, "refinitiv", symbol, "1d", utc(2024, 1, 2), utc(2024, 2, 2)
            ),
            store_on(two).fetch(
                vendor, "refinitiv", symbol, "1d", utc(2024, 1, 2), utc(2024, 2, 2)
            ),
        )
        assert frames[0].equals(frames[1]) and frames[0].height == 24
        if backend == "services":
            assert len(platform.data) == 1
        else:
            assert len(platform.data) in (1, 2)
        assert (await stored(one, symbol)).height == 24


async def test_a_later_end_downloads_only_the_new_bars(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    platform = Platform()
    provider = StoredBarsProvider(provider_on(platform), store_on(sessionmaker), "refinitiv")
    symbol = unique_symbol()
    await provider.fetch_bars(symbol, "1d", utc(2024, 1, 2), utc(2024, 1, 12))
    assert platform.ranges() == [("2024-01-02", "2024-01-12")]
    later = await provider.fetch_bars(symbol, "1d", utc(2024, 1, 2), utc(2024, 1, 19))
    # Only the tail after the coverage's end (2024-01-12) is asked for.
    assert platform.ranges()[1:] == [("2024-01-12", "2024-01-19")]
    assert later.height == 14
    assert later["timestamp"].n_unique() == 14
    # An earlier start asks for the head only.
    earlier = await provider.fetch_bars(symbol, "1d", utc(2023, 12, 26), utc(2024, 1, 19))
    assert platform.ranges()[2:] == [("2023-12-26", "2024-01-01")]
    assert earlier.height == 19
    assert await coverage_of(sessionmaker, symbol) == Coverage(utc(2023, 12, 26), utc(2024, 1, 19))
    assert (await stored(sessionmaker, symbol)).height == 19


async def test_a_request_past_the_coverage_fills_the_hole(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    platform = Platform()
    provider = StoredBarsProvider(provider_on(platform), store_on(sessionmaker), "refinitiv")
    symbol = unique_symbol()
    await provider.fetch_bars(symbol, "1d", utc(2024, 1, 2), utc(2024, 1, 12))
    bars = await provider.fetch_bars(symbol, "1d", utc(2024, 2, 5), utc(2024, 2, 9))
    assert platform.ranges()[1] == ("2024-01-12", "2024-02-09")  # the hole included
    assert bars["timestamp"].to_list() == [utc(2024, 2, d) for d in range(5, 10)]
    assert await coverage_of(sessionmaker, symbol) == Coverage(utc(2024, 1, 2), utc(2024, 2, 9))
    assert (await stored(sessionmaker, symbol)).height == 29  # 2024-01-02 .. 2024-02-09


async def test_the_forming_bar_is_not_stored(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    now = utc(2024, 1, 10, 15, 0, 30)  # 10:00:30 in New York: the 10:00 bar is forming
    platform = Platform(now=lambda: now)
    provider = StoredBarsProvider(provider_on(platform), store_on(sessionmaker, now), "refinitiv")
    symbol = unique_symbol()
    bars = await provider.fetch_bars(symbol, "1min", utc(2024, 1, 10, 14, 30), now)
    assert bars["timestamp"][-1] == utc(2024, 1, 10, 14, 59)  # the 09:59 bar, closed
    assert bars.height == 30
    held = await stored(sessionmaker, symbol)
    assert held.height == 30 and utc(2024, 1, 10, 15) not in held["timestamp"].to_list()
    coverage = await coverage_of(sessionmaker, symbol)
    assert coverage is not None and coverage.end == utc(2024, 1, 10, 14, 59)
    # A minute later the bar has closed: the top-up asks from the coverage's end.
    later = now + timedelta(minutes=1)
    platform.now = lambda: later
    provider.store = store_on(sessionmaker, later)
    bars = await provider.fetch_bars(symbol, "1min", utc(2024, 1, 10, 14, 30), later)
    assert bars["timestamp"][-1] == utc(2024, 1, 10, 15, 0)
    assert platform.ranges()[-1][0].startswith("2024-01-10T14:59:00.000001")


async def test_upserts_overwrite_rows_without_conflict(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    platform = Platform()
    store = store_on(sessionmaker)
    vendor = provider_on(platform)
    symbol = unique_symbol()
    await store.fetch(vendor, "refinitiv", symbol, "1d", utc(2024, 1, 2), utc(2024, 1, 12))
    async with sessionmaker() as session:  # forget the coverage, keep the rows
        await session.execute(delete(BarCoverage).where(BarCoverage.symbol == symbol))  # type: ignore[arg-type]
        await session.commit()
    bars = await store.fetch(vendor, "refinitiv", symbol, "1d", utc(2024, 1, 2), utc(2024, 1, 12))
    assert len(platform.data) == 2 and bars.height == 9
    assert (await stored(sessionmaker, symbol)).height == 9


class PerRicPlatform(Platform):
    """The scripted vendor, answering a RIC with a small letter (a share class, as in
    BRKb.N) 1,000 above its capitalised namesake, so their bars tell apart."""

    def _bars(self, request: httpx.Request) -> list[dict[str, Any]]:
        answer = super()._bars(request)
        if any(c.islower() for c in answer[0]["universe"]["ric"]):
            for row in answer[0]["data"]:
                row[1:5] = [value + 1000.0 for value in row[1:5]]
        return answer


def test_a_series_is_keyed_by_its_exact_code() -> None:
    assert series_symbol(" BRKb.N ") == "BRKb.N" and series_symbol("BRKB.N") == "BRKB.N"
    assert series_symbol("VOD.L") == "VOD.L" and series_symbol("EUR=") == "EUR="
    # Bloomberg reads any case: its securities keep the upper-cased key of old.
    assert series_symbol("IBM US Equity") == series_symbol("ibm us equity") == "IBM US EQUITY"


async def test_case_distinct_rics_keep_separate_bars(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """BRKb.N (class B) and BRKB.N are two RICs: each is downloaded, stored and read
    back under its own key, never the other's bars."""
    platform = PerRicPlatform()
    provider = StoredBarsProvider(provider_on(platform), store_on(sessionmaker), "refinitiv")
    root = unique_symbol()
    class_b, capitals = f"{root}b.N", f"{root}B.N"
    small = await provider.fetch_bars(class_b, "1d", utc(2024, 1, 2), utc(2024, 1, 12))
    large = await provider.fetch_bars(capitals, "1d", utc(2024, 1, 2), utc(2024, 1, 12))
    assert [r.url.path.rsplit("/", 1)[-1] for r in platform.data] == [class_b, capitals]
    assert small.height == large.height == 9
    assert (small["close"] - large["close"]).to_list() == [1000.0] * 9
    for ric in (class_b, capitals):
        assert (await stored(sessionmaker, ric)).height == 9
        assert await coverage_of(sessionmaker, ric) == Coverage(utc(2024, 1, 2), utc(2024, 1, 12))
    # Read again, each from the database alone, each its own bars.
    assert (await provider.fetch_bars(class_b, "1d", utc(2024, 1, 2), utc(2024, 1, 12))).equals(
        small
    )
    assert (await provider.fetch_bars(capitals, "1d", utc(2024, 1, 2), utc(2024, 1, 12))).equals(
        large
    )
    assert len(platform.data) == 2


# -- the process's providers ----------------------------------------------------------------


@pytest.fixture
def vendor_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "refinitiv_app_key": "app-key-123",
            "refinitiv_username": "trader@example.com",
            "refinitiv_password": SecretStr("s3cret"),
            "refinitiv_base_url": BASE,
            "refinitiv_max_retries": 0,
            "news_source": "refinitiv",
        }
    )


async def test_jobs_of_a_process_share_one_session_and_the_store(
    vendor_settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    platform = Platform(delay_s=0.02)
    async with platform.client() as http:
        market = MarketData(vendor_settings, http, sessionmaker)  # a process's JobContext's
        symbols = [unique_symbol() for _ in range(3)]
        # Six "jobs": two per instrument, all at once, plus news.
        jobs = [
            market.provider("refinitiv").fetch_bars(symbol, "1d", utc(2024, 1, 2), utc(2024, 1, 31))
            for symbol in symbols * 2
        ]
        news = market.news_source()
        assert news is not None
        frames = await asyncio.gather(
            *jobs, news.headlines(symbols[0], utc(2024, 1, 2), utc(2024, 1, 31))
        )
        assert all(frame.height == 22 for frame in frames[:-1])
    assert platform.sign_ins == 1  # one token for every job and the news
    assert len(platform.data) == 3  # one download per instrument
    assert isinstance(market.provider("refinitiv"), StoredBarsProvider)
    assert isinstance(market.provider("synthetic"), SyntheticProvider)  # local: direct


async def test_without_a_database_remote_bars_are_read_directly(vendor_settings: Settings) -> None:
    platform = Platform()
    async with platform.client() as http:
        market = MarketData(vendor_settings, http)
        assert isinstance(market.provider("refinitiv"), RefinitivProvider)
