"""The scheduler's staleness pass: reasons (data age, drift, live record) and policies.

Agents and versions are written straight to the database (no training); drift is
measured on the synthetic source's real bars, through the pass's own fetch and
training's own feature code, against a profile built from those very bars (shifted
for the drifted case).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlmodel import col

from app.config import Settings
from app.ml.drift import feature_profile
from app.models import Agent, AgentVersion, TrainingJob
from app.models.agents import AgentStatus
from app.models.base import utcnow
from app.services import staleness
from app.services.bars_cache import complete_bars
from app.services.features import DEFAULT_FEATURES, feature_columns, feature_warmup
from app.services.job_queue import EmbeddedJobQueue
from app.services.market_data.frequency import calendar_span
from app.services.market_data.synthetic import SyntheticProvider
from app.tasks.context import JobContext
from app.tasks.scheduler import Scheduler
from app.tasks.staleness import StalenessPass, recent_features
from tests.utils.agents import agent_rows
from tests.utils.bars import unique_symbol
from tests.utils.db import database, insert
from tests.utils.predictions import prediction_row
from tests.utils.users import user_row

# Noon yesterday: every pass of a test falls in one daily bar period, whenever it runs.
NOW = (utcnow() - timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
LOOKBACK = 10
FEATURES = list(DEFAULT_FEATURES)


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(outcomes_interval_s=0)


@pytest.fixture
async def ctx(settings: Settings) -> Any:
    job = JobContext.build(settings, EmbeddedJobQueue())
    yield job
    await job.close()


async def _profile(symbol: str, shift: bool) -> dict[str, Any]:
    """The profile of the very rows the pass will compare (shifted far up: drifted)."""
    rows = max(LOOKBACK * staleness.RECENT_LOOKBACKS, staleness.MIN_RECENT_ROWS)
    count = rows + feature_warmup(FEATURES, frequency="1d")
    bars = await SyntheticProvider().fetch_bars(symbol, "1d", NOW - calendar_span("1d", count), NOW)
    recent = recent_features(complete_bars(bars, "1d", NOW), FEATURES, rows)
    assert recent is not None and len(next(iter(recent.values()))) == rows
    names = list(recent)
    matrix = np.column_stack([recent[name] for name in names])
    if shift:
        matrix = matrix + (np.ptp(matrix, axis=0) + 1.0)
    return feature_profile(matrix, names)


async def seed(
    settings: Settings,
    *,
    data_end_days: float = 1,
    drifted: bool | None = False,
    calls: tuple[int, int] = (0, 0),
    policy: dict[str, Any] | None = None,
) -> tuple[Agent, AgentVersion]:
    """A READY daily agent; `calls`: (out-of-sample calls, of which right)."""
    user = user_row()
    symbol = unique_symbol()
    agent, version = agent_rows(
        user.id, symbol=symbol, features=FEATURES, retrain_policy=policy, end_date=NOW.date()
    )
    assert version is not None
    version.data_start = NOW - timedelta(days=1_000)
    version.data_end = NOW - timedelta(days=data_end_days)
    version.ready_at = NOW  # just retrained: must not make old data fresh
    version.metrics = {"directional_accuracy": 0.6, "directional_n_effective": 200}
    version.preprocessing = {"lookback": LOOKBACK, "feature_names": FEATURES}
    if drifted is not None:
        version.preprocessing["feature_profile"] = await _profile(symbol, drifted)
    predictions = [
        prediction_row(
            user.id,
            agent_id=agent.id,
            agent_version_id=version.id,
            symbol=symbol,
            data_source="synthetic",
            data_frequency="1d",
            prediction_horizon="1d",
            as_of=NOW - timedelta(days=100 - i),
            realised_price=101.0,
            realised_at=NOW - timedelta(days=99 - i),
            correct=i < calls[1],
        )
        for i in range(calls[0])
    ]
    await insert(settings, user, agent, version, *predictions)
    return agent, version


async def agent_now(settings: Settings, agent_id: uuid.UUID) -> Agent:
    async with database(settings) as maker, maker() as session:
        agent = await session.get(Agent, agent_id)
        assert agent is not None
        return agent


async def jobs_of(settings: Settings, agent_id: uuid.UUID) -> int:
    async with database(settings) as maker, maker() as session:
        return int(
            await session.scalar(select(func.count()).where(col(TrainingJob.agent_id) == agent_id))
            or 0
        )


def reasons(agent: Agent) -> list[str]:
    return [reason["reason"] for reason in agent.stale_reasons or ()]


async def test_fresh_undrifted_on_track_is_not_stale(settings: Settings, ctx: Any) -> None:
    agent, _ = await seed(settings, calls=(40, 26))
    await StalenessPass().run(ctx, NOW)
    stored = await agent_now(settings, agent.id)
    assert stored.needs_retraining is False and stored.stale_reasons is None


async def test_shifted_recent_features_flag_drift(settings: Settings, ctx: Any) -> None:
    agent, version = await seed(settings, drifted=True)
    await StalenessPass().run(ctx, NOW)
    stored = await agent_now(settings, agent.id)
    assert stored.needs_retraining is True and reasons(stored) == ["drift"]
    drift = stored.stale_reasons[0]  # type: ignore[index]
    assert drift["max_psi"] > settings.drift_psi_threshold and drift["feature"] in feature_columns(
        FEATURES
    )
    assert drift["version_id"] == str(version.id) and "population stability" in drift["detail"]


async def test_drift_is_measured_once_per_bar_and_its_verdict_stands(
    settings: Settings, ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent, _ = await seed(settings, drifted=True)
    passes = StalenessPass()
    await passes.run(ctx, NOW)
    fetches: list[str] = []  # symbols (a shared database may hold other tests' agents)

    async def no_bars(ctx: Any, key: tuple[str, str, str], count: int, now: Any) -> None:
        fetches.append(key[1])
        return None

    monkeypatch.setattr(StalenessPass, "_bars", staticmethod(no_bars))
    await passes.run(ctx, NOW + timedelta(minutes=5))  # same daily bar: no fetch
    assert agent.symbol not in fetches
    await passes.run(ctx, NOW + timedelta(days=1))  # next bar, source down: verdict stands
    assert fetches.count(agent.symbol) == 1
    assert reasons(await agent_now(settings, agent.id)) == ["drift"]


async def test_a_live_record_far_below_the_test_accuracy_flags_it(
    settings: Settings, ctx: Any
) -> None:
    agent, _ = await seed(settings, calls=(40, 10))
    await StalenessPass().run(ctx, NOW)
    stored = await agent_now(settings, agent.id)
    assert reasons(stored) == ["live_record"]
    record = stored.stale_reasons[0]  # type: ignore[index]
    assert record["n_calls"] == 40 and record["n_right"] == 10 and record["p_value"] < 0.01


def test_overlapping_calls_count_as_fewer_independent_ones(settings: Settings) -> None:
    """40 calls at 10 right is damning for a 1-bar horizon, not for a 10-bar one
    (4 independent calls, 1 right: p = 0.18 against 0.6)."""
    _, version = agent_rows(uuid.uuid4())
    assert version is not None
    version.metrics = {"directional_accuracy": 0.6, "horizon_bars": 1}
    assert staleness.live_record_reason(version, 40, 10, settings) is not None
    version.metrics = {"directional_accuracy": 0.6, "horizon_bars": 10}
    assert staleness.live_record_reason(version, 40, 10, settings) is None


async def test_too_few_calls_prove_nothing(settings: Settings, ctx: Any) -> None:
    agent, _ = await seed(settings, calls=(10, 0))
    await StalenessPass().run(ctx, NOW)
    assert (await agent_now(settings, agent.id)).stale_reasons is None


async def test_old_data_flags_data_age_even_when_just_retrained(
    settings: Settings, ctx: Any
) -> None:
    agent, _ = await seed(settings, data_end_days=400, drifted=None)
    await StalenessPass().run(ctx, NOW)
    stored = await agent_now(settings, agent.id)
    assert stored.needs_retraining is True and reasons(stored) == ["data_age"]
    assert stored.stale_reasons[0]["expiry_days"] == settings.model_expiry_daily_days  # type: ignore[index]


def test_a_version_without_data_end_falls_back_to_ready_at(settings: Settings) -> None:
    agent, version = agent_rows(uuid.uuid4())
    assert version is not None
    version.ready_at = NOW - timedelta(days=365)
    assert staleness.data_age_reason(agent, version, settings, NOW) is not None
    version.ready_at = NOW - timedelta(days=3)
    assert staleness.data_age_reason(agent, version, settings, NOW) is None


async def test_reasons_clear_when_they_no_longer_hold(settings: Settings, ctx: Any) -> None:
    agent, version = await seed(settings, data_end_days=400, drifted=None)
    await StalenessPass().run(ctx, NOW)
    async with database(settings) as maker, maker() as session:
        row = await session.get(AgentVersion, version.id)
        assert row is not None
        row.data_end = NOW - timedelta(days=1)
        await session.commit()
    await StalenessPass().run(ctx, NOW)
    stored = await agent_now(settings, agent.id)
    assert stored.needs_retraining is False and stored.stale_reasons is None


async def test_a_flag_set_for_another_cause_is_kept(settings: Settings, ctx: Any) -> None:
    agent, _ = await seed(settings)
    async with database(settings) as maker, maker() as session:
        row = await session.get(Agent, agent.id)
        assert row is not None
        row.needs_retraining = True  # as /predict does for a corrupt artifact
        await session.commit()
    await StalenessPass().run(ctx, NOW)
    assert (await agent_now(settings, agent.id)).needs_retraining is True


async def test_the_policy_retrains_once_while_one_is_pending(settings: Settings, ctx: Any) -> None:
    agent, _ = await seed(settings, data_end_days=30, policy={"every_bars": 5})
    passes = StalenessPass()
    await passes.run(ctx, NOW)
    await passes.run(ctx, NOW + timedelta(minutes=5))
    assert await jobs_of(settings, agent.id) == 1
    stored = await agent_now(settings, agent.id)
    assert stored.status == AgentStatus.QUEUED and stored.serving_version_id is not None


async def test_a_failed_policy_run_is_not_retried_at_once(settings: Settings, ctx: Any) -> None:
    agent, _ = await seed(settings, data_end_days=30, policy={"every_bars": 5})
    passes = StalenessPass()
    await passes.run(ctx, NOW)
    async with database(settings) as maker, maker() as session:
        job = await session.scalar(select(TrainingJob).where(col(TrainingJob.agent_id) == agent.id))
        assert job is not None
        job.state = AgentStatus.FAILED
        await session.commit()
    await passes.run(ctx, NOW + timedelta(minutes=5))
    assert await jobs_of(settings, agent.id) == 1
    await passes.run(ctx, NOW + timedelta(days=14))
    assert await jobs_of(settings, agent.id) == 2


async def test_when_stale_retrains_a_stale_agent_only(settings: Settings, ctx: Any) -> None:
    fresh, _ = await seed(settings, policy={"when_stale": True})
    stale, _ = await seed(settings, data_end_days=400, drifted=None, policy={"when_stale": True})
    await StalenessPass().run(ctx, NOW)
    assert await jobs_of(settings, fresh.id) == 0
    assert await jobs_of(settings, stale.id) == 1


async def test_the_scheduler_runs_the_pass_unless_turned_off(
    make_settings: Callable[..., Settings],
) -> None:
    job = JobContext.build(make_settings(), EmbeddedJobQueue())
    off = JobContext.build(make_settings(staleness_interval_s=0), EmbeddedJobQueue())
    try:
        ticks = {tick.name: tick for tick in Scheduler.for_context(job).ticks}
        assert ticks["staleness"].interval_s == 300
        assert "staleness" not in [tick.name for tick in Scheduler.for_context(off).ticks]
    finally:
        await job.close()
        await off.close()
