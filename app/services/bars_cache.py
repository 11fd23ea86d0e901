"""Recent bars per (source, symbol, frequency), kept until the next bar is due.

/predict needs the last few hundred bars of a symbol; fetching them per request
would put a vendor round-trip on the hot path. A cached frame is valid until the
bar after its last one closes. Bars are cut at `as_of` by their *close* time, so
a prediction never sees a bar that was not complete at that instant.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import polars as pl

from app.core.calendars import TradingCalendar, calendar_of
from app.services.market_data.base import MarketDataProvider
from app.services.market_data.frequency import Frequency, bar_close, calendar_span, get_frequency

Key = tuple[str, str, str, datetime | None]
RECHECK = timedelta(seconds=30)


@dataclass(frozen=True)
class CachedBars:
    bars: pl.DataFrame
    valid_until: datetime | None  # None: a fixed `as_of` — valid for good


def complete_bars(
    bars: pl.DataFrame,
    frequency: str | Frequency,
    as_of: datetime,
    *,
    calendar: TradingCalendar | None = None,
) -> pl.DataFrame:
    """The bars whose close (on `calendar`'s sessions, New York's by default) is at or
    before `as_of` (only the tail can be incomplete)."""
    keep = bars.height
    stamps = bars["timestamp"]
    while keep and bar_close(frequency, stamps[keep - 1], calendar=calendar) > as_of:
        keep -= 1
    return bars.head(keep)


class BarsCache:
    def __init__(self, max_entries: int = 512) -> None:
        self._entries: OrderedDict[Key, CachedBars] = OrderedDict()
        self._max = max_entries
        self._locks: dict[Key, asyncio.Lock] = {}

    async def recent(
        self,
        provider: MarketDataProvider,
        source: str,
        symbol: str,
        frequency: str,
        min_bars: int,
        as_of: datetime | None = None,
    ) -> pl.DataFrame:
        key: Key = (source, symbol, frequency, as_of)
        now = datetime.now(UTC)
        hit = self._fresh(key, now, min_bars)
        if hit is not None:
            return hit
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:  # one fetch per key, however many requests arrive together
            hit = self._fresh(key, now, min_bars)
            if hit is not None:
                return hit
            end = as_of or now
            calendar = calendar_of(symbol)
            span = calendar_span(frequency, min_bars, calendar=calendar)
            bars = await provider.fetch_bars(symbol, frequency, end - span, end)
            bars = complete_bars(bars, frequency, end, calendar=calendar)
            due = None if as_of else self._next_close(bars, frequency, now, calendar)
            self._store(key, CachedBars(bars, due))
            return bars

    def _fresh(self, key: Key, now: datetime, min_bars: int) -> pl.DataFrame | None:
        entry = self._entries.get(key)
        if entry is None or entry.bars.height < min_bars:
            return None
        if entry.valid_until is not None and now >= entry.valid_until:
            return None
        self._entries.move_to_end(key)
        return entry.bars

    @staticmethod
    def _next_close(
        bars: pl.DataFrame, frequency: str, now: datetime, calendar: TradingCalendar
    ) -> datetime:
        """When the bar after the last complete one closes: our data is stale then.

        Outside the session (or when a vendor is late) that instant has passed; the
        frame is then re-checked every `RECHECK` instead of on every request.
        """
        if bars.height:
            after = bars["timestamp"][-1] + get_frequency(frequency).bar_length
            due = bar_close(frequency, after, calendar=calendar)
            if due > now:
                return due
        return now + RECHECK

    def _store(self, key: Key, entry: CachedBars) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            old, _ = self._entries.popitem(last=False)
            self._locks.pop(old, None)

    def clear(self) -> None:
        self._entries.clear()
