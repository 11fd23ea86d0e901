"""Outcomes: how each call turned out, and every agent's live track record.

`fill_outcomes` settles a call past its `target_time` with the close of the first bar
that closes at or after it (docs/OUTCOMES.md), judged against the close the forecast
was made from (`reference_price`), not the entry the caller typed. A call that never
gets one is closed unresolved after `outcome_max_wait_s`, or a handful of such rows
would fill every batch for ever. Every write is conditional on the row still being
pending, so two runs at once fill each row once.
"""

from __future__ import annotations

import logging
import math
import uuid
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import polars as pl
from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from app.config import Settings
from app.core.calendars import TradingCalendar, calendar_of
from app.core.direction import direction_right
from app.errors import DomainError
from app.models import Prediction
from app.models.base import utcnow
from app.schemas.agents import TrackRecord
from app.schemas.dashboard import OutcomeStatus
from app.services.market_data.base import (
    MarketDataProvider,
    get_provider,
    regular_session_only,
)
from app.services.market_data.frequency import FREQUENCIES, bar_close, calendar_span

logger = logging.getLogger(__name__)

# A backlog (after downtime) is fetched in slices of about this many bars rather
# than in one request spanning months of minute bars.
MAX_FETCH_BARS = 5_000
# A float round-trip through storage is not a price move.
_FLAT = 1e-9

GroupKey = tuple[str, str, str]  # (data_source, symbol, data_frequency)


@dataclass(frozen=True)
class PendingCall:
    id: uuid.UUID
    target_time: datetime
    reference_price: float  # the close forecast from (entry_price on older rows)
    predicted_price: float


@dataclass(frozen=True)
class Outcome:
    realised_price: float
    correct: bool
    realised_at: datetime  # when the deciding bar closed


def call_was_right(reference_price: float, predicted_price: float, realised_price: float) -> bool:
    """The price moved the way the forecast said: predicted move × realised move > 0,
    both from `reference_price`, the close the model forecast from (`app.core.direction`,
    the rule the model's accuracy and confidence are fitted and judged with; a typed
    entry is the caller's plan, not the model's claim); no move, or no call, is never
    right."""
    return direction_right(
        _move(predicted_price, reference_price), _move(realised_price, reference_price)
    )


def _move(price: float, reference_price: float) -> float:
    """``price − reference_price``, with a float round-trip through storage read as 0."""
    move = price - reference_price
    return 0.0 if abs(move) <= _FLAT * max(1.0, abs(reference_price)) else move


def outcome_status(realised_at: datetime | None, realised_price: float | None) -> OutcomeStatus:
    if realised_at is None:
        return OutcomeStatus.pending
    return OutcomeStatus.realised if realised_price is not None else OutcomeStatus.unresolved


def match_outcomes(
    bars: pl.DataFrame,
    frequency: str,
    calls: Iterable[PendingCall],
    *,
    now: datetime,
    max_wait: timedelta,
    calendar: TradingCalendar | None = None,
) -> dict[uuid.UUID, Outcome]:
    """Each call's outcome from `bars`, for the calls whose deciding bar has closed.

    Pure, so the rule is tested without a database: the deciding bar is the first
    that closes at or after the target; it must have closed by `now` (a provider
    may return the bar still forming, and the synthetic source any future bar) and
    within `max_wait` of the target. Sessions and bar closes are `calendar`'s (the
    instrument's exchange; New York's by default): a half-day's last bar closes at
    13:00, a holiday has none.
    """
    freq = FREQUENCIES[frequency]
    if freq.intraday:  # the platform's horizons count regular-session bars only
        bars = regular_session_only(bars, calendar)
    closes_at = [bar_close(freq, stamp, calendar=calendar) for stamp in bars["timestamp"].to_list()]
    prices = bars["close"].to_list()
    outcomes: dict[uuid.UUID, Outcome] = {}
    for call in calls:
        index = bisect_left(closes_at, call.target_time)
        if index == len(closes_at):
            continue
        closed = closes_at[index]
        price = prices[index]
        if closed > now or closed > call.target_time + max_wait or not math.isfinite(price):
            continue
        outcomes[call.id] = Outcome(
            realised_price=float(price),
            realised_at=closed,
            correct=call_was_right(call.reference_price, call.predicted_price, float(price)),
        )
    return outcomes


async def fill_outcomes(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    http: httpx.AsyncClient | None,
    *,
    now: datetime | None = None,
    limit: int = 500,
) -> int:
    """Record the outcome of up to `limit` calls whose target time has passed.

    Bars are fetched once per (data source, symbol, frequency); a provider that
    fails for one group is logged and the others go on (its calls stay pending and
    are retried on the next run, until `outcome_max_wait_s` closes them).
    Returns how many calls got a realised price.
    """
    now = now or utcnow()
    max_wait = timedelta(seconds=settings.outcome_max_wait_s)
    groups = await _pending(sessionmaker, now, limit)
    providers: dict[str, MarketDataProvider] = {}
    filled = closed = 0
    for key, calls in groups.items():
        calendar = calendar_of(key[1])  # the exchange of the call's symbol
        for chunk in _chunks(key[2], calls, calendar):
            bars = await _fetch(key, chunk, providers, settings, http, now, max_wait)
            outcomes = (
                match_outcomes(bars, key[2], chunk, now=now, max_wait=max_wait, calendar=calendar)
                if bars is not None
                else {}
            )
            expired = [
                call.id
                for call in chunk
                if call.id not in outcomes and call.target_time + max_wait <= now
            ]
            done = await _record(sessionmaker, outcomes, expired, now)
            filled += done[0]
            closed += done[1]
    if filled or closed:
        logger.info("outcomes: %d realised, %d closed unresolved", filled, closed)
    return filled


async def _pending(
    sessionmaker: async_sessionmaker[AsyncSession],
    now: datetime,
    limit: int,
) -> dict[GroupKey, list[PendingCall]]:
    # Oldest target first: the index (realised_at, target_time) serves this directly.
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                select(
                    col(Prediction.id),
                    col(Prediction.data_source),
                    col(Prediction.symbol),
                    col(Prediction.data_frequency),
                    col(Prediction.target_time),
                    # Rows from before the reference close was kept: their entry.
                    func.coalesce(col(Prediction.reference_price), col(Prediction.entry_price)),
                    col(Prediction.predicted_price),
                )
                .where(col(Prediction.realised_at).is_(None), col(Prediction.target_time) <= now)
                .order_by(col(Prediction.target_time))
                .limit(limit)
            )
        ).all()
    groups: dict[GroupKey, list[PendingCall]] = defaultdict(list)
    for pid, source, symbol, frequency, target, reference, predicted in rows:
        groups[(source, symbol, frequency)].append(PendingCall(pid, target, reference, predicted))
    return groups


def _chunks(
    frequency: str, calls: list[PendingCall], calendar: TradingCalendar | None = None
) -> Iterator[list[PendingCall]]:
    """Calls (sorted by target) in slices whose targets fit in one modest fetch."""
    freq = FREQUENCIES.get(frequency)
    if freq is None:  # cannot happen for a row /predict wrote; the fetch reports it
        yield calls
        return
    span = calendar_span(freq, MAX_FETCH_BARS, calendar=calendar)
    chunk: list[PendingCall] = []
    for call in calls:
        if chunk and call.target_time - chunk[0].target_time > span:
            yield chunk
            chunk = []
        chunk.append(call)
    if chunk:
        yield chunk


async def _fetch(
    key: GroupKey,
    chunk: list[PendingCall],
    providers: dict[str, MarketDataProvider],
    settings: Settings,
    http: httpx.AsyncClient | None,
    now: datetime,
    max_wait: timedelta,
) -> pl.DataFrame | None:
    """The bars that can decide these calls, or None when the source failed."""
    source, symbol, frequency = key
    try:
        freq = FREQUENCIES[frequency]
        provider = providers.get(source)
        if provider is None:  # one per source and run: a vendor keeps its OAuth token
            provider = providers[source] = get_provider(source, settings, http)
        # A bar stamped up to one bar length before the target may close after it.
        start = chunk[0].target_time - freq.bar_length
        end = min(now, chunk[-1].target_time + max_wait)
        return await provider.fetch_bars(symbol, frequency, start, end)
    except Exception as exc:  # one source's trouble must not stop the other groups
        # Our own errors carry safe messages; a library's might carry a URL or a key.
        reason = exc.message if isinstance(exc, DomainError) else type(exc).__name__
        logger.warning(
            "outcomes: no bars for %s %s %s (%d calls pending): %s",
            source,
            symbol,
            frequency,
            len(chunk),
            reason,
        )
        return None


async def _record(
    sessionmaker: async_sessionmaker[AsyncSession],
    outcomes: dict[uuid.UUID, Outcome],
    expired: list[uuid.UUID],
    now: datetime,
) -> tuple[int, int]:
    """Write outcomes and closures; only rows still pending are touched."""
    if not outcomes and not expired:
        return 0, 0
    filled = closed = 0
    async with sessionmaker() as session:
        for pid, outcome in outcomes.items():
            result = await session.execute(
                update(Prediction)
                .where(col(Prediction.id) == pid, col(Prediction.realised_at).is_(None))
                .values(
                    realised_price=outcome.realised_price,
                    correct=outcome.correct,
                    realised_at=outcome.realised_at,
                )
            )
            filled += getattr(result, "rowcount", 0)
        if expired:
            result = await session.execute(
                update(Prediction)
                .where(col(Prediction.id).in_(expired), col(Prediction.realised_at).is_(None))
                .values(realised_at=now)
            )
            closed += getattr(result, "rowcount", 0)
        await session.commit()
    return filled, closed


async def track_records(
    session: AsyncSession,
    agent_ids: Iterable[uuid.UUID],
) -> dict[uuid.UUID, TrackRecord]:
    """Each agent's record over its resolved calls (every id gets one, maybe empty)."""
    counts = await call_records(session, col(Prediction.agent_id), agent_ids)
    return {key: TrackRecord.of(n_calls, n_right) for key, (n_calls, n_right) in counts.items()}


async def call_records(
    session: AsyncSession, key: Any, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, int]]:
    """(calls, right) per id of `key` (`Prediction.agent_id` or `.agent_version_id`),
    every id included, maybe (0, 0).

    A call is one (agent version, symbol, bar): asking twice for the same bar —
    from the cache or with another entry price — is still one forecast, so only
    the first non-cached row of a call counts. An in-sample call (its bar lies inside
    the data the version was trained and evaluated on) never counts. Done in SQL (a
    window function, on PostgreSQL and SQLite alike), so a busy agent's history never
    loads.
    """
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    call = (col(Prediction.agent_version_id), col(Prediction.symbol), col(Prediction.as_of))
    ranked = (
        select(
            key.label("key"),
            col(Prediction.correct).label("correct"),
            func.row_number()
            .over(partition_by=call, order_by=(col(Prediction.created_at), col(Prediction.id)))
            .label("nth"),
        )
        .where(
            key.in_(wanted),
            col(Prediction.cached).is_(False),
            col(Prediction.in_sample).is_(False),
            col(Prediction.correct).is_not(None),
        )
        .subquery()
    )
    rows = await session.execute(
        select(
            ranked.c.key,
            func.count(),
            func.sum(case((ranked.c.correct.is_(True), 1), else_=0)),
        )
        .where(ranked.c.nth == 1)
        .group_by(ranked.c.key)
    )
    records = dict.fromkeys(wanted, (0, 0))
    for found, n_calls, n_right in rows.all():
        records[found] = (int(n_calls), int(n_right or 0))
    return records
