"""The scheduler's staleness pass: every serving version judged, retrain policies run.

Each pass (`STALENESS_INTERVAL_S`) reads every agent with a READY serving version,
its live record and its newest training job in one short session; `data_age` and
`live_record` need nothing else. Drift needs the recent bars: they are fetched at
most once per agent, serving version and bar period (one fetch per source, symbol
and frequency in a pass), and their features are computed with training's own
`training_frame`, in a thread. A source that fails is logged and skipped; the drift
verdict of the last check then stands. Verdicts are written in one transaction,
then each retrain the policies call for goes through `app.services.agents.retrain`,
the path of a user's `POST /agents/{id}/retrain`, in a transaction of its own.

The pass runs in the scheduler's own task, beside the job slots, so it never waits
behind a training (`app.tasks.scheduler`).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime
from typing import Any

import polars as pl

from app.core.calendars import calendar_of
from app.db import session_scope
from app.errors import Conflict, DomainError
from app.models import User
from app.models.base import utcnow
from app.services import agents as agent_service
from app.services import staleness
from app.services.audit import ClientInfo
from app.services.bars_cache import complete_bars
from app.services.features import feature_warmup
from app.services.market_data.frequency import calendar_span, get_frequency
from app.tasks.context import JobContext
from app.tasks.supervisor import training_frame

logger = logging.getLogger(__name__)

BarsKey = tuple[str, str, str]  # (data_source, symbol, data_frequency)


def bar_period(frequency: str, now: datetime) -> int:
    """The index of the bar period `now` falls in: drift is measured once per period."""
    length = get_frequency(frequency).bar_length.total_seconds()
    return int(now.timestamp() // length)


def recent_features(
    bars: pl.DataFrame, features: list[str], rows: int
) -> dict[str, list[float]] | None:
    """The last `rows` feature rows of `bars`, computed as training computes them."""
    frame, columns = training_frame(bars, features)
    if frame.height == 0:
        return None
    tail = frame.tail(rows)
    return {name: tail[name].cast(pl.Float64).to_list() for name in columns}


class StalenessPass:
    def __init__(self) -> None:
        # agent id → (serving version id, bar period) of its last drift check.
        self.drift_checked: dict[uuid.UUID, tuple[uuid.UUID, int]] = {}

    async def run(self, ctx: JobContext, now: datetime | None = None) -> int:
        """One pass; returns how many agents changed verdict or were sent to retrain."""
        now = now or utcnow()
        async with ctx.sessionmaker() as session:
            servings = await staleness.serving_versions(session)
            records = await staleness.live_records(session, [s.version.id for s in servings])
            jobs = await staleness.latest_jobs(session, [s.agent.id for s in servings])
        drifts = await self._measure_drift(ctx, servings, now)
        changed = 0
        async with session_scope(ctx.sessionmaker) as session:
            for serving in servings:
                agent, version = serving.agent, serving.version
                drifted = (
                    drifts[agent.id]
                    if agent.id in drifts
                    else staleness.carried_drift(agent, version)
                )
                reasons = staleness.reasons_for(
                    serving, ctx.settings, now, records.get(version.id, (0, 0)), drifted
                )
                if await staleness.record(session, serving, reasons, now):
                    changed += 1
                    if reasons:
                        logger.info(
                            "agent %s is stale: %s",
                            agent.id,
                            "; ".join(reason["detail"] for reason in reasons),
                        )
        for serving in servings:
            if not serving.agent.retrain_policy:
                continue
            why = staleness.policy_due(serving, jobs.get(serving.agent.id), now)
            if why is not None and await self._retrain(ctx, serving, why):
                changed += 1
        return changed

    async def _measure_drift(
        self, ctx: JobContext, servings: list[staleness.Serving], now: datetime
    ) -> dict[uuid.UUID, dict[str, Any] | None]:
        """The drift verdict of each agent due a check (None: checked, not drifted)."""
        due: list[staleness.Serving] = []
        needed: dict[BarsKey, int] = {}
        for serving in servings:
            agent, version = serving.agent, serving.version
            if not version.preprocessing.get("feature_profile"):
                continue
            mark = (version.id, bar_period(agent.data_frequency, now))
            if self.drift_checked.get(agent.id) == mark:
                continue
            self.drift_checked[agent.id] = mark
            due.append(serving)
            key = (agent.data_source, agent.symbol, agent.data_frequency)
            count = staleness.recent_rows(version) + feature_warmup(
                agent.features, frequency=agent.data_frequency
            )
            needed[key] = max(needed.get(key, 0), count)
        fetched: dict[BarsKey, pl.DataFrame | None] = {}
        for key, count in needed.items():
            fetched[key] = await self._bars(ctx, key, count, now)
        verdicts: dict[uuid.UUID, dict[str, Any] | None] = {}
        for serving in due:
            agent, version = serving.agent, serving.version
            bars = fetched.get((agent.data_source, agent.symbol, agent.data_frequency))
            if bars is None:
                continue  # the last verdict stands
            recent = await asyncio.to_thread(
                recent_features, bars, list(agent.features), staleness.recent_rows(version)
            )
            if recent is None:
                continue
            verdicts[agent.id] = staleness.drift_reason(
                version, recent, ctx.settings.drift_psi_threshold
            )
        return verdicts

    @staticmethod
    async def _bars(
        ctx: JobContext, key: BarsKey, count: int, now: datetime
    ) -> pl.DataFrame | None:
        source, symbol, frequency = key
        try:
            provider = ctx.market_data.provider(source)
            calendar = calendar_of(symbol)
            start = now - calendar_span(frequency, count, calendar=calendar)
            bars = await provider.fetch_bars(symbol, frequency, start, now)
            return complete_bars(bars, frequency, now, calendar=calendar)
        except Exception as exc:  # one source's trouble must not stop the pass
            reason = exc.message if isinstance(exc, DomainError) else type(exc).__name__
            logger.warning("staleness: no bars for %s %s %s: %s", source, symbol, frequency, reason)
            return None

    @staticmethod
    async def _retrain(ctx: JobContext, serving: staleness.Serving, why: str) -> bool:
        agent = serving.agent
        # The audit row says who asked, and why.
        client = ClientInfo(ip=None, user_agent=f"scheduler: retrain_policy, {why}"[:256])
        try:
            async with session_scope(ctx.sessionmaker) as session:
                user = await session.get(User, agent.user_id)
                if user is None:
                    return False
                await agent_service.retrain(
                    session, ctx.queue, ctx.notifier, ctx.settings, user, agent.id, client
                )
        except Conflict as exc:  # a run already pending, or the user's trainings at the cap
            logger.info("retrain policy: agent %s not retrained now: %s", agent.id, exc.message)
            return False
        except DomainError as exc:
            logger.warning("retrain policy: agent %s not retrained: %s", agent.id, exc.message)
            return False
        logger.info("retrain policy: agent %s retrained: %s", agent.id, why)
        return True
