"""The dashboard: each user segment's view of the caller's own rows.

Every query is filtered on the caller's id first, so a view can only ever show their own
predictions and agents, whichever of the four views is asked for. What "today", an open
entry window, a long horizon and a position mean: docs/OUTCOMES.md.

Views "per symbol" are per instrument: a call keeps its agent's vendor code, and
calls on `AAPL`, `AAPL.O` and `AAPL US Equity` are calls on one share
(`app.core.instruments`), shown under its display symbol.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.core.clock import DEFAULT_TIMEZONE, NEW_YORK, Window, zone_of
from app.core.instruments import UnknownInstrument, resolve
from app.core.money import cents
from app.core.segments import UserSegment
from app.models import Agent, AgentVersion, Prediction, User
from app.models.base import utcnow
from app.schemas.agents import TrackRecord
from app.schemas.dashboard import (
    CallSummary,
    Dashboard,
    Exposure,
    Holding,
    InvestorDashboard,
    ManagerDashboard,
    OpenEntryWindow,
    Position,
    QuantAgent,
    QuantDashboard,
    ShortTermTraderDashboard,
)
from app.services.outcomes import outcome_status, track_records

# Views are summaries: a user with thousands of calls a day sees the newest ones.
MAX_ROWS = 200
MAX_AGENTS = 100
# Calls made this long ago may still have a window open today in some time zone.
WINDOW_LOOKBACK = timedelta(hours=48)

Builder = Callable[[AsyncSession, User, datetime], Awaitable[Dashboard]]


async def build(
    session: AsyncSession,
    user: User,
    segment: UserSegment | None = None,
    *,
    now: datetime | None = None,
) -> Dashboard:
    """The `segment` view (by default the user's own segment) of `user`'s data."""
    builder = _BUILDERS[segment or UserSegment(user.user_segment)]
    return await builder(session, user, now or utcnow())


def summary(row: Prediction) -> CallSummary:
    response = row.response or {}
    return CallSummary(
        prediction_id=row.id,
        symbol=row.symbol,
        agent_id=row.agent_id,
        data_frequency=row.data_frequency,
        prediction_horizon=row.prediction_horizon,
        trade_signal=row.trade_signal,
        direction=row.direction,
        entry_price=row.entry_price,
        stop_loss=row.stop_loss,
        predicted_price=row.predicted_price,
        confidence=row.confidence,
        position_size=row.position_size,
        max_loss=row.max_loss,
        suggested_exit_time=_text(response.get("suggested_exit_time")),
        suggestion_text=_text(response.get("suggestion_text")),
        as_of=row.as_of,
        target_time=row.target_time,
        created_at=row.created_at,
        cached=row.cached,
        outcome=outcome_status(row.realised_at, row.realised_price),
        realised_price=row.realised_price,
        correct=row.correct,
        in_sample=row.in_sample,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def instrument_of(symbol: str) -> str:
    """The instrument a stored code names, as its display symbol (`AAPL.O` → `AAPL`);
    a code the resolver cannot read stands for itself."""
    try:
        return resolve(symbol).symbol
    except UnknownInstrument:
        return symbol


# --- queries ------------------------------------------------------------------


def _newest_first() -> tuple[Any, Any]:
    return col(Prediction.created_at).desc(), col(Prediction.id).desc()


async def _latest_per_symbol(
    session: AsyncSession,
    user: User,
    *conditions: ColumnElement[bool],
) -> list[Prediction]:
    """The caller's newest call per instrument among those meeting `conditions`, in
    the order of the instruments' symbols.

    The database ranks the calls of each stored code; the codes of one instrument
    (`AAPL`, `AAPL.O`) are merged here, the newest call of them all kept."""
    ranked = (
        select(
            col(Prediction.id).label("id"),
            func.row_number()
            .over(partition_by=col(Prediction.symbol), order_by=_newest_first())
            .label("nth"),
        )
        .where(col(Prediction.user_id) == user.id, *conditions)
        .subquery()
    )
    rows = await session.scalars(
        select(Prediction)
        .join(ranked, col(Prediction.id) == ranked.c.id)
        .where(ranked.c.nth == 1)
        .order_by(col(Prediction.symbol))
        .limit(4 * MAX_ROWS)
    )
    newest: dict[str, Prediction] = {}
    for row in rows.all():
        key = instrument_of(row.symbol)
        kept = newest.get(key)
        if kept is None or (row.created_at, row.id) > (kept.created_at, kept.id):
            newest[key] = row
    return [newest[key] for key in sorted(newest)][:MAX_ROWS]


async def _made_since(
    session: AsyncSession,
    user: User,
    start: datetime,
    end: datetime | None = None,
    limit: int = MAX_ROWS,
) -> list[Prediction]:
    query = select(Prediction).where(
        col(Prediction.user_id) == user.id, col(Prediction.created_at) >= start
    )
    if end is not None:
        query = query.where(col(Prediction.created_at) < end)
    rows = await session.scalars(query.order_by(*_newest_first()).limit(limit))
    return list(rows.all())


# --- short-term trader ----------------------------------------------------------


async def short_term_trader(
    session: AsyncSession,
    user: User,
    now: datetime,
) -> ShortTermTraderDashboard:
    today = now.astimezone(NEW_YORK).date()
    start = datetime.combine(today, time.min, NEW_YORK)
    end = datetime.combine(today + timedelta(days=1), time.min, NEW_YORK)  # DST-safe
    todays = await _made_since(session, user, start.astimezone(UTC), end.astimezone(UTC))
    recent = await _made_since(session, user, now - WINDOW_LOOKBACK, limit=5 * MAX_ROWS)
    windows: dict[str, OpenEntryWindow] = {}
    for row in recent:  # newest first: the first open window per instrument wins
        key = instrument_of(row.symbol)
        if key not in windows:
            window = open_entry_window(row, now)
            if window is not None:
                windows[key] = window
    return ShortTermTraderDashboard(
        generated_at=now,
        trading_date=today,
        todays_signals=[summary(r) for r in todays],
        open_entry_windows=sorted(windows.values(), key=lambda w: w.ends_at),
    )


def open_entry_window(row: Prediction, now: datetime) -> OpenEntryWindow | None:
    """The call's entry window if it has not ended by `now`, else None."""
    request = row.request or {}
    raw = request.get("entry_window")
    if not isinstance(raw, dict) or request.get("as_of") is not None:
        return None
    zone_name = request.get("timezone") or DEFAULT_TIMEZONE
    try:
        window = Window.from_mapping(raw)
        zone = zone_of(str(zone_name))
    except (ValueError, TypeError):  # a row written by an older version: no window
        return None
    day = row.created_at.astimezone(zone).date()
    ends_at = datetime.combine(day, window.end, zone).astimezone(UTC)
    if ends_at <= now:
        return None
    starts_at = (
        datetime.combine(day, window.start, zone).astimezone(UTC)
        if window.start is not None
        else None
    )
    return OpenEntryWindow(
        call=summary(row),
        timezone=str(zone_name),
        starts_at=starts_at,
        ends_at=ends_at,
        open_now=starts_at is None or starts_at <= now,
    )


# --- investor -----------------------------------------------------------------------


async def investor(session: AsyncSession, user: User, now: datetime) -> InvestorDashboard:
    horizon = func.lower(col(Prediction.prediction_horizon))
    rows = await _latest_per_symbol(session, user, or_(horizon.like("%d"), horizon.like("%wk")))
    records = await track_records(session, [r.agent_id for r in rows if r.agent_id])
    return InvestorDashboard(
        generated_at=now,
        holdings=[
            Holding(
                symbol=instrument_of(r.symbol),
                latest_call=summary(r),
                track_record=records[r.agent_id] if r.agent_id else TrackRecord(),
            )
            for r in rows
        ],
    )


# --- manager ------------------------------------------------------------------------


async def manager(session: AsyncSession, user: User, now: datetime) -> ManagerDashboard:
    signals = await _latest_per_symbol(session, user)
    entries_exits = await _latest_per_symbol(
        session, user, col(Prediction.trade_signal).in_(["Enter", "Exit"])
    )
    positions = [
        Position(
            symbol=instrument_of(r.symbol),
            direction=r.direction,
            position_size=r.position_size,
            entry_price=r.entry_price,
            exposure=cents(r.position_size * r.entry_price),
            max_loss=r.max_loss,
            prediction_id=r.id,
            created_at=r.created_at,
        )
        for r in entries_exits
        if r.trade_signal == "Enter"
    ]
    long = sum(p.exposure for p in positions if p.direction == "Long")
    short = sum(p.exposure for p in positions if p.direction == "Short")
    at_risk = cents(sum(p.max_loss for p in positions))
    return ManagerDashboard(
        generated_at=now,
        account_equity=user.account_equity,
        positions=positions,
        exposure=Exposure(
            long=cents(long), short=cents(short), gross=cents(long + short), net=cents(long - short)
        ),
        capital_at_risk=at_risk,
        capital_at_risk_fraction=round(at_risk / user.account_equity, 6),
        signals=[summary(r) for r in signals],
    )


# --- quant ----------------------------------------------------------------------------


async def quant(session: AsyncSession, user: User, now: datetime) -> QuantDashboard:
    agents = list(
        (
            await session.scalars(
                select(Agent)
                .where(col(Agent.user_id) == user.id)
                .order_by(col(Agent.created_at).desc(), col(Agent.id).desc())
                .limit(MAX_AGENTS)
            )
        ).all()
    )
    serving_ids = [a.serving_version_id for a in agents if a.serving_version_id]
    versions = (
        {
            v.id: v
            for v in (
                await session.scalars(
                    select(AgentVersion).where(col(AgentVersion.id).in_(serving_ids))
                )
            ).all()
        }
        if serving_ids
        else {}
    )
    records = await track_records(session, [a.id for a in agents])
    items = []
    for agent in agents:
        serving = versions.get(agent.serving_version_id) if agent.serving_version_id else None
        # The version must belong to this agent: ids come from the caller's own rows.
        if serving is not None and serving.agent_id != agent.id:
            serving = None
        items.append(
            QuantAgent(
                agent_id=agent.id,
                name=agent.name,
                symbol=agent.symbol,
                architecture=agent.architecture,
                data_frequency=agent.data_frequency,
                prediction_horizon=agent.prediction_horizon,
                status=agent.status,
                serving_version_id=serving.id if serving else None,
                serving_version_number=serving.number if serving else None,
                metrics=serving.metrics if serving else None,
                loss_curve=serving.loss_curve if serving else [],
                leaderboard=serving.leaderboard if serving else None,
                track_record=records[agent.id],
            )
        )
    return QuantDashboard(generated_at=now, agents=items)


_BUILDERS: dict[UserSegment, Builder] = {
    UserSegment.short_term_trader: short_term_trader,
    UserSegment.investor: investor,
    UserSegment.manager: manager,
    UserSegment.quant: quant,
}
