"""Why an agent's serving version is stale, and when its retrain policy calls for a run.

Three reasons, each `{"reason", "detail": plain English, ...numbers}`:

* `data_age` — the version's data ends (`data_end`, the last bar it was trained,
  validated and tested on) longer ago than its frequency's expiry
  (`MODEL_EXPIRY_INTRADAY_DAYS` / `MODEL_EXPIRY_DAILY_DAYS`). Measured from the data,
  not from `ready_at`: retraining on the same old range must not make a model fresh.
  Versions from before `data_end` was kept fall back to `ready_at`.
* `drift` — the recent bars' features are distributed unlike the training split's:
  the largest population stability index (`app.ml.drift`) exceeds
  `DRIFT_PSI_THRESHOLD`. Needs the version's `preprocessing["feature_profile"]`.
* `live_record` — the version's out-of-sample calls are right significantly less
  often than its tested `directional_accuracy` (one-sided exact binomial test,
  p < `LIVE_RECORD_P_VALUE`, at least `LIVE_RECORD_MIN_CALLS` calls).

The database-only parts live here; the scheduler (`app.tasks.scheduler`) fetches
the recent bars and computes their features exactly as training does.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col

from app.config import Settings
from app.core.clock import as_utc
from app.ml.drift import binomial_below, drift
from app.models import Agent, AgentVersion, Prediction, TrainingJob
from app.models.agents import FINAL_STATES, AgentStatus
from app.services import outcomes
from app.services.market_data.frequency import get_frequency

REASONS = ("data_age", "drift", "live_record")
# The recent window drift is judged on: enough rows for ten bins to mean something,
# and several look-backs, so one unusual week does not flag a model.
MIN_RECENT_ROWS = 100
RECENT_LOOKBACKS = 5


@dataclass(frozen=True)
class Serving:
    agent: Agent
    version: AgentVersion


def recent_rows(version: AgentVersion) -> int:
    """How many recent feature rows drift is measured on."""
    lookback = int(version.preprocessing.get("lookback", 1) or 1)
    return max(lookback * RECENT_LOOKBACKS, MIN_RECENT_ROWS)


def data_end_of(version: AgentVersion) -> datetime:
    """The end of the version's data; its READY time (or creation) for older versions."""
    return as_utc(version.data_end or version.ready_at or version.created_at)


def bars_since(frequency: str, since: datetime, now: datetime) -> int:
    """Bars of `frequency` the calendar allows between two moments: business days ×
    bars per session, as an agent's history is estimated at creation."""
    days = int(np.busday_count(as_utc(since).date(), as_utc(now).date()))
    return int(days * get_frequency(frequency).bars_per_session)


def data_expired(agent: Agent, version: AgentVersion, settings: Settings, now: datetime) -> bool:
    """The version's data ends longer ago than its frequency's expiry (what /predict's
    `stale` says, per call, without building the reason)."""
    expiry = settings.model_expiry_days(agent.data_frequency)
    return now - data_end_of(version) > timedelta(days=expiry)


def data_age_reason(
    agent: Agent, version: AgentVersion, settings: Settings, now: datetime
) -> dict[str, Any] | None:
    if not data_expired(agent, version, settings, now):
        return None
    expiry = settings.model_expiry_days(agent.data_frequency)
    end = data_end_of(version)
    age = now - end
    days = age.total_seconds() / 86_400
    measured = "its data ends" if version.data_end else "it was trained (its data span is unknown)"
    return {
        "reason": "data_age",
        "detail": f"The model's data is {days:.0f} days old ({measured} on "
        f"{end.date().isoformat()}); {agent.data_frequency} models expire after "
        f"{expiry} days.",
        "data_end": end.isoformat(),
        "age_days": round(days, 2),
        "expiry_days": expiry,
    }


def drift_reason(
    version: AgentVersion,
    recent_features_by_name: Mapping[str, Any],
    threshold: float,
) -> dict[str, Any] | None:
    """The drift reason when the recent features drifted, else None (also when the
    version has no stored profile, or no recent value of a profiled feature)."""
    profile = version.preprocessing.get("feature_profile")
    if not profile:
        return None
    result = drift(profile, recent_features_by_name)
    if not result["psi"] or result["max_psi"] <= threshold:
        return None
    return {
        "reason": "drift",
        "detail": f"Recent {result['feature']} values are distributed unlike the training "
        f"data's (population stability index {result['max_psi']:.2f}, above "
        f"{threshold:g}): the market has moved away from what the model learnt.",
        "feature": result["feature"],
        "max_psi": result["max_psi"],
        "psi": result["psi"],
        "threshold": threshold,
        "version_id": str(version.id),
    }


def live_record_reason(
    version: AgentVersion, n_calls: int, n_right: int, settings: Settings
) -> dict[str, Any] | None:
    tested = version.metrics.get("directional_accuracy")
    if not isinstance(tested, int | float) or not math.isfinite(tested):
        return None
    if n_calls < settings.live_record_min_calls:
        return None
    hit_rate = n_right / n_calls
    # Calls on consecutive bars with a horizon of h bars overlap, so, as the test
    # accuracy's interval does (`directional_n_effective`), count n / h independent ones.
    horizon = max(1, int(version.metrics.get("horizon_bars") or 1))
    n_effective = max(1, n_calls // horizon)
    right_effective = round(hit_rate * n_effective)
    p_value = binomial_below(right_effective, n_effective, float(tested))
    if p_value >= settings.live_record_p_value:
        return None
    return {
        "reason": "live_record",
        "detail": f"Live, {n_right} of {n_calls} calls were right ({hit_rate:.0%}), "
        f"significantly below the {float(tested):.0%} directional accuracy it was tested "
        f"at (one-sided binomial p = {p_value:.2g}).",
        "n_calls": n_calls,
        "n_right": n_right,
        "n_effective": n_effective,
        "hit_rate": round(hit_rate, 4),
        "tested_accuracy": float(tested),
        "p_value": p_value,
    }


def reasons_for(
    serving: Serving,
    settings: Settings,
    now: datetime,
    record: tuple[int, int],
    drifted: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    """Every reason, in `REASONS` order; `drifted`: the drift reason the caller
    measured now or carried over (`carried_drift`)."""
    found = [
        data_age_reason(serving.agent, serving.version, settings, now),
        drifted,
        live_record_reason(serving.version, record[0], record[1], settings),
    ]
    return [reason for reason in found if reason is not None]


def carried_drift(agent: Agent, version: AgentVersion) -> dict[str, Any] | None:
    """The drift reason of the last check, while it was about this very version."""
    for reason in agent.stale_reasons or ():
        if reason.get("reason") == "drift" and reason.get("version_id") == str(version.id):
            return dict(reason)
    return None


def needs_retraining(agent: Agent, reasons: list[dict[str, Any]]) -> bool:
    """Stale with reasons; a flag set for another cause (a corrupt artifact, features
    redefined: /predict sets it without reasons) stays until a retrain clears it."""
    return bool(reasons) or (agent.needs_retraining and not agent.stale_reasons)


async def serving_versions(session: AsyncSession) -> list[Serving]:
    """Every agent with a READY serving version."""
    rows = await session.execute(
        select(Agent, AgentVersion)
        .join(AgentVersion, col(AgentVersion.id) == col(Agent.serving_version_id))
        .where(col(AgentVersion.status) == AgentStatus.READY)
        .order_by(col(Agent.id))
    )
    return [Serving(agent, version) for agent, version in rows.tuples().all()]


async def live_records(
    session: AsyncSession, version_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, int]]:
    """(calls, right) of each version's out-of-sample record, counted as the agent's
    track record is, per version."""
    return await outcomes.call_records(session, col(Prediction.agent_version_id), version_ids)


async def latest_jobs(
    session: AsyncSession, agent_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, TrainingJob]:
    """Each agent's newest training job (agents without one are left out)."""
    ids = list(dict.fromkeys(agent_ids))
    if not ids:
        return {}
    newest = (
        select(col(TrainingJob.agent_id), func.max(col(TrainingJob.created_at)).label("at"))
        .where(col(TrainingJob.agent_id).in_(ids))
        .group_by(col(TrainingJob.agent_id))
        .subquery()
    )
    rows = await session.scalars(
        select(TrainingJob).join(
            newest,
            (col(TrainingJob.agent_id) == newest.c.agent_id)
            & (col(TrainingJob.created_at) == newest.c.at),
        )
    )
    return {job.agent_id: job for job in rows.all()}


def training_pending(job: TrainingJob | None) -> bool:
    return job is not None and job.state not in FINAL_STATES


def policy_due(
    serving: Serving,
    latest: TrainingJob | None,
    now: datetime,
) -> str | None:
    """Why the agent's retrain policy calls for a run now, or None.

    Never while a run is queued or running. Bars are counted from the serving
    version's data end and from the newest run's start, whichever is later, so a run
    that failed or whose version was not promoted is not retried at every pass:
    the next policy run waits `every_bars` bars (or, for `when_stale` alone, the
    recent window drift is judged on).
    """
    policy = serving.agent.retrain_policy or {}
    if training_pending(latest):
        return None
    every = policy.get("every_bars")
    frequency = serving.agent.data_frequency
    since = data_end_of(serving.version)
    if latest is not None:
        since = max(since, as_utc(latest.created_at))
    elapsed = bars_since(frequency, since, now)
    if isinstance(every, int) and every >= 1 and elapsed >= every:
        return f"{elapsed} {frequency} bars since {since.date().isoformat()} (every_bars {every})"
    if policy.get("when_stale") and serving.agent.stale_reasons:
        gap = every if isinstance(every, int) and every >= 1 else recent_rows(serving.version)
        if latest is None or bars_since(frequency, as_utc(latest.created_at), now) >= gap:
            names = ", ".join(str(r.get("reason")) for r in serving.agent.stale_reasons)
            return f"stale ({names}; when_stale)"
    return None


async def record(
    session: AsyncSession, serving: Serving, reasons: list[dict[str, Any]], now: datetime
) -> bool:
    """Store the verdict when it changed, only while the version still serves (a
    retrain may have promoted another meanwhile). True when a row was written."""
    agent = serving.agent
    flag = needs_retraining(agent, reasons)
    stored = reasons or None
    if flag == agent.needs_retraining and stored == (agent.stale_reasons or None):
        return False
    result = await session.execute(
        update(Agent)
        .where(col(Agent.id) == agent.id, col(Agent.serving_version_id) == serving.version.id)
        .values(needs_retraining=flag, stale_reasons=stored, updated_at=now)
    )
    if getattr(result, "rowcount", 0):  # the object follows, without a second UPDATE
        set_committed_value(agent, "needs_retraining", flag)
        set_committed_value(agent, "stale_reasons", stored)
        return True
    return False
