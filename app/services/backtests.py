"""Backtests: asking for one, reading it, and the job row's lease.

The request is checked and resolved here (every default filled in from the agent,
the version and the user) and stored with the row, so the job needs nothing but the
row, and a retried job replays exactly what was asked. The lease functions mirror
`training_jobs`': a RUNNING row whose heartbeat stopped is retried while attempts
remain, then FAILED with the reason.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.config import Settings
from app.core.clock import as_utc, zone_of
from app.core.field_errors import FieldErrors
from app.db import after_commit
from app.errors import NotFound
from app.models import Agent, AgentVersion, Backtest, User
from app.models.agents import AgentStatus
from app.models.backtests import BacktestStatus
from app.models.base import utcnow
from app.schemas.backtests import BacktestRequest
from app.services import agents, audit
from app.services.audit import ClientInfo
from app.services.job_queue import BACKTEST_FUNCTION, JobQueue
from app.services.predictions.service import AgentNotReady, data_span
from app.services.signals.venue import window_zone

MAX_LISTED = 50


class BacktestNotFound(NotFound):
    code = "backtest_not_found"
    message = "No such backtest of this agent."


async def create(
    session: AsyncSession,
    queue: JobQueue,
    settings: Settings,
    user: User,
    agent_id: uuid.UUID,
    req: BacktestRequest,
    client: ClientInfo,
) -> Backtest:
    """A QUEUED backtest of a READY version over a period after that version's data,
    enqueued once the caller commits; 422 naming the fields at fault otherwise."""
    agent = await agents.get_owned(session, user, agent_id)
    version = await _version(session, agent, req.version_id)
    resolved = _resolve(req, user, agent, version, settings)
    backtest = Backtest(
        agent_id=agent.id,
        version_id=version.id,
        user_id=user.id,
        request=resolved,
        max_attempts=settings.training_max_attempts,
    )
    session.add(backtest)
    await session.flush()
    await audit.record(
        session,
        "agent.backtest",
        client,
        user.id,
        agent_id=str(agent.id),
        backtest_id=str(backtest.id),
        start_date=resolved["start_date"],
        end_date=resolved["end_date"],
    )

    async def enqueue() -> None:
        await queue.enqueue(backtest.id, 1, BACKTEST_FUNCTION)

    after_commit(session, enqueue)
    return backtest


async def _version(
    session: AsyncSession, agent: Agent, version_id: uuid.UUID | None
) -> AgentVersion:
    if version_id is None:
        if agent.serving_version_id is None:
            raise AgentNotReady(
                "The agent has no READY version to backtest yet; wait for its training."
            )
        version_id = agent.serving_version_id
    version = await session.get(AgentVersion, version_id)
    if version is None or version.agent_id != agent.id:
        raise agents.VersionNotFound()
    if version.status != AgentStatus.READY or not version.sha256:
        raise AgentNotReady(
            f"Version {version.number} is {version.status}, not READY: only a trained "
            "version can be backtested."
        )
    return version


def _resolve(
    req: BacktestRequest, user: User, agent: Agent, version: AgentVersion, settings: Settings
) -> dict[str, Any]:
    """The request with every default filled in, or 422 for a period that is not after
    the version's data (a backtest on data the model learned from proves nothing)."""
    errors = FieldErrors()
    _, data_end = data_span(agent, version)
    first_allowed = as_utc(data_end).date() + timedelta(days=1)
    today = datetime.now(UTC).date()
    start = req.start_date or first_allowed
    end = req.end_date or today
    if start < first_allowed:
        errors.add(
            ["start_date"],
            f"start_date {start} is inside the data version {version.number} was trained, "
            f"validated and tested on (up to {as_utc(data_end).isoformat()}); start on "
            f"{first_allowed} or later.",
        )
    if end > today:
        errors.add(["end_date"], f"end_date {end} is in the future.")
    if end < start:
        errors.add(["end_date"], f"end_date {end} is before the start {start}.")
    try:
        zone_of(req.timezone)
    except ValueError as exc:
        errors.add(["timezone"], str(exc))
    errors.raise_if_any()
    risk = agent.risk_params or {}
    return {
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "account_equity": req.account_equity or user.account_equity,
        "capital_at_risk": req.capital_at_risk or float(risk.get("capital_at_risk", 0.02)),
        "confidence_level": req.confidence_level or float(risk.get("confidence_level", 0.6)),
        "user_segment": str(req.user_segment or user.user_segment),
        "cost_bp": req.cost_bp if req.cost_bp is not None else settings.backtest_cost_bp,
        "slippage_bp": req.slippage_bp,
        "stop_atr_multiple": req.stop_atr_multiple,
        "entry_window": req.entry_window.model_dump() if req.entry_window else None,
        "exit_window": req.exit_window.model_dump() if req.exit_window else None,
        # The windows' zone: the one asked for, else the agent's exchange zone.
        "timezone": window_zone(
            req.timezone if "timezone" in req.model_fields_set else None,
            agent.instrument,
            agent.symbol,
        ),
        "min_edge": settings.signal_min_edge,
    }


async def get(
    session: AsyncSession, user: User, agent_id: uuid.UUID, backtest_id: uuid.UUID
) -> Backtest:
    agent = await agents.get_owned(session, user, agent_id)
    backtest = await session.get(Backtest, backtest_id)
    if backtest is None or backtest.agent_id != agent.id:
        raise BacktestNotFound()
    return backtest


async def recent(session: AsyncSession, user: User, agent_id: uuid.UUID) -> list[Backtest]:
    agent = await agents.get_owned(session, user, agent_id)
    rows = await session.scalars(
        select(Backtest)
        .where(col(Backtest.agent_id) == agent.id)
        .order_by(col(Backtest.created_at).desc(), col(Backtest.id))
        .limit(MAX_LISTED)
    )
    return list(rows.all())


# --- the lease holder (the worker running the job) ------------------------------------


async def claim(session: AsyncSession, backtest_id: uuid.UUID) -> str | None:
    """QUEUED → RUNNING for exactly one caller; its lease token, or None."""
    lease = secrets.token_hex(16)
    now = utcnow()
    result = await session.execute(
        update(Backtest)
        .where(col(Backtest.id) == backtest_id, col(Backtest.state) == BacktestStatus.QUEUED)
        .values(
            state=BacktestStatus.RUNNING,
            attempts=col(Backtest.attempts) + 1,
            lease_token=lease,
            heartbeat_at=now,
            started_at=now,
            progress={"stage": "fetching_data"},
        )
    )
    return lease if result.rowcount == 1 else None  # type: ignore[attr-defined]


async def heartbeat(
    session: AsyncSession,
    backtest_id: uuid.UUID,
    lease: str,
    progress: dict[str, Any] | None = None,
) -> bool:
    """Still alive (and, when given, how far it got); False once the lease is lost."""
    values: dict[str, Any] = {"heartbeat_at": utcnow()}
    if progress is not None:
        values["progress"] = progress
    return await _held(session, backtest_id, lease, **values)


async def succeed(
    session: AsyncSession, backtest_id: uuid.UUID, lease: str, result: dict[str, Any]
) -> bool:
    return await _held(
        session,
        backtest_id,
        lease,
        state=BacktestStatus.SUCCEEDED,
        result=result,
        progress={"stage": "done"},
        error=None,
        lease_token=None,
        finished_at=utcnow(),
    )


async def fail(
    session: AsyncSession, backtest_id: uuid.UUID, lease: str, reason: str, *, retry: bool
) -> str | None:
    """Give the job back: QUEUED again while attempts remain and `retry` (a crash, not a
    verdict on the request), FAILED with the reason otherwise; the new state."""
    row = await session.get(Backtest, backtest_id)
    if row is None or row.lease_token != lease:
        return None
    again = retry and row.attempts < row.max_attempts
    state = BacktestStatus.QUEUED if again else BacktestStatus.FAILED
    held = await _held(
        session,
        backtest_id,
        lease,
        state=state,
        error=reason[:2000],
        lease_token=None,
        finished_at=None if again else utcnow(),
    )
    return state if held else None


async def _held(session: AsyncSession, backtest_id: uuid.UUID, lease: str, **values: Any) -> bool:
    result = await session.execute(
        update(Backtest)
        .where(col(Backtest.id) == backtest_id, col(Backtest.lease_token) == lease)
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def reap(session: AsyncSession, cutoff: datetime) -> list[tuple[uuid.UUID, int]]:
    """RUNNING rows whose heartbeat stopped before `cutoff` (their worker died): QUEUED
    again while attempts remain, else FAILED. The rows to enqueue, with their next
    attempt's number."""
    stale = (
        await session.scalars(
            select(Backtest).where(
                col(Backtest.state) == BacktestStatus.RUNNING,
                col(Backtest.heartbeat_at) < cutoff,
            )
        )
    ).all()
    again: list[tuple[uuid.UUID, int]] = []
    for row in stale:
        reason = "the worker running this backtest stopped (lost heartbeat)"
        state = await fail(session, row.id, row.lease_token or "", reason, retry=True)
        if state == BacktestStatus.QUEUED:
            again.append((row.id, row.attempts + 1))
    return again


async def queued(session: AsyncSession) -> list[tuple[uuid.UUID, int]]:
    """Every QUEUED backtest, for the sweep to hand to the queue again (ARQ drops a
    duplicate id; the embedded runner reads the rows)."""
    rows = await session.execute(
        select(col(Backtest.id), col(Backtest.attempts)).where(
            col(Backtest.state) == BacktestStatus.QUEUED
        )
    )
    return [(row_id, int(attempts) + 1) for row_id, attempts in rows.all()]


async def next_queued(session: AsyncSession) -> uuid.UUID | None:
    return await session.scalar(
        select(col(Backtest.id))
        .where(col(Backtest.state) == BacktestStatus.QUEUED)
        .order_by(col(Backtest.created_at))
        .limit(1)
    )


def period_bounds(resolved: dict[str, Any]) -> tuple[datetime, datetime]:
    """The stored period as instants: from the start day's midnight to the end day's
    end (UTC days, as agents' date ranges are)."""
    start = datetime.combine(date.fromisoformat(resolved["start_date"]), datetime.min.time(), UTC)
    end = datetime.combine(date.fromisoformat(resolved["end_date"]), datetime.min.time(), UTC)
    return start, end + timedelta(days=1)
