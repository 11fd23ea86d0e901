"""Versions loaded before their first call: announced when they start serving (Redis
pub/sub across app instances on one namespace; in-process when embedded), and at
start-up the most used serving versions first."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from httpx import AsyncClient

from app.config import Settings
from app.core.calendars import calendar_of_instrument
from app.db import run_after_commit
from app.models import Agent, AgentVersion, Prediction
from app.models.base import utcnow
from app.runtime import Runtime
from app.services import model_preload, training_jobs
from app.services.model_preload import USAGE_WINDOW, most_used_serving_versions
from tests.utils.client import runtime_of
from tests.utils.serving import Artifact, ready_agent, serve_new_version
from tests.utils.users import user_with_tokens

ARRIVAL_DEADLINE_S = 120.0  # a guard against a lost message, not a timing assertion


async def _loaded(runtime: Runtime, version_id: uuid.UUID) -> bool:
    """Whether `runtime`'s store gets `version_id`, waiting for the announcement to arrive
    (over Redis it is another connection's message) and the load to finish."""
    preloader = runtime.preloader
    assert preloader is not None
    deadline = asyncio.get_running_loop().time() + ARRIVAL_DEADLINE_S
    while asyncio.get_running_loop().time() < deadline:
        await preloader.idle()
        if version_id in runtime.predictions.models:
            return True
        await asyncio.sleep(0.05)
    return False


async def _promote(client: AsyncClient, agent_id: str, version_id: str) -> None:
    """A user's promotion, committed the way the API commits (after-commit callbacks)."""
    runtime = runtime_of(client)
    async with runtime.sessionmaker() as session:
        agent = await session.get(Agent, uuid.UUID(agent_id))
        version = await session.get(AgentVersion, uuid.UUID(version_id))
        assert agent is not None and version is not None
        await training_jobs.promote(session, runtime.notifier, agent, version, "test")
        await session.commit()
        await run_after_commit(session)


async def test_a_promoted_version_is_loaded_by_every_app_instance(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    daily_artifact: Artifact,
) -> None:
    """Two app instances on one database and namespace: a promotion through the first
    loads the version in both (services: over Redis; embedded: in-process)."""
    settings = make_settings(model_preload_count=0)
    first = await app_factory(settings)
    second = await app_factory(settings)
    user, _ = await user_with_tokens(first)
    agent_id, old_version = await ready_agent(first, user["id"], daily_artifact)
    new_version = await serve_new_version(first, agent_id, daily_artifact)
    for client in (first, second):
        runtime = runtime_of(client)
        assert uuid.UUID(new_version) not in runtime.predictions.models
        if runtime.redis is not None:  # listening before anything is announced
            assert runtime.preloader is not None
            await asyncio.wait_for(runtime.preloader.subscribed.wait(), ARRIVAL_DEADLINE_S)

    await _promote(first, agent_id, new_version)

    for client in (second, first):
        assert await _loaded(runtime_of(client), uuid.UUID(new_version))
        # Loaded, not just known: the store answers without another load.
        predictor = runtime_of(client).predictions.models._cache.get(uuid.UUID(new_version))
        assert predictor is not None and predictor.sha256 == daily_artifact.result["sha256"]
        assert uuid.UUID(old_version) not in runtime_of(client).predictions.models


async def test_start_up_loads_the_most_used_serving_versions_first(
    app_factory: Callable[[Settings], Any],
    make_worker_settings: Callable[..., Settings],
    daily_artifact: Artifact,
) -> None:
    """On a database of its own (services): the ranking is over every agent in it."""
    make_settings = make_worker_settings
    first = await app_factory(make_settings(model_preload_count=0))
    user, _ = await user_with_tokens(first)
    versions = [
        uuid.UUID((await ready_agent(first, user["id"], daily_artifact))[1]) for _ in range(4)
    ]
    # Calls in the window: version 2 most, then 0, then 3; version 1's are all too old.
    calls = {versions[2]: 5, versions[0]: 3, versions[3]: 1}
    await _add_predictions(first, user["id"], calls, age=timedelta(hours=1))
    await _add_predictions(
        first, user["id"], {versions[1]: 9}, age=USAGE_WINDOW + timedelta(days=1)
    )
    runtime = runtime_of(first)
    expected = [versions[2], versions[0], versions[3]]
    assert await most_used_serving_versions(runtime.sessionmaker, 3) == expected

    # A new instance (a restart, a scale-out) loads those, in that order, and only those.
    second = await app_factory(make_settings(model_preload_count=3))
    restarted = runtime_of(second)
    assert restarted.preloader is not None
    await restarted.preloader.idle()
    assert list(restarted.preloader.loaded) == expected
    assert versions[1] not in restarted.predictions.models


async def _add_predictions(
    client: AsyncClient, user_id: str, calls: dict[uuid.UUID, int], age: timedelta
) -> None:
    runtime = runtime_of(client)
    made = utcnow() - age
    async with runtime.sessionmaker() as session:
        for version_id, count in calls.items():
            version = await session.get(AgentVersion, version_id)
            assert version is not None
            for _ in range(count):
                session.add(
                    Prediction(
                        user_id=uuid.UUID(user_id),
                        agent_id=version.agent_id,
                        agent_version_id=version_id,
                        user_segment="short_term_trader",
                        symbol="AAPL",
                        data_source="synthetic",
                        data_frequency="1d",
                        prediction_horizon="1d",
                        trade_signal="HOLD",
                        direction="UP",
                        entry_price=100.0,
                        stop_loss=95.0,
                        position_size=1,
                        max_loss=5.0,
                        predicted_price=101.0,
                        confidence=0.6,
                        as_of=made,
                        target_time=made + timedelta(days=1),
                        request={},
                        response={},
                        latency_ms=1.0,
                        created_at=made,
                    )
                )
        await session.commit()


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
async def test_a_loaded_version_costs_its_calls_nothing_on_a_thread(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    daily_artifact: Artifact,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The preload builds the version's exchange calendar on its own thread (the first
    call would build it on the event loop), and once XLA has compiled the model a
    forecast runs on the loop's thread: a thread hand-off would cost more than it."""
    built_on: list[str] = []

    def calendar(instrument: Any, symbol: str) -> Any:
        built_on.append(threading.current_thread().name)
        return calendar_of_instrument(instrument, symbol)

    monkeypatch.setattr(model_preload, "calendar_of_instrument", calendar)
    client = await app_factory(make_settings(model_preload_count=0))
    user, _ = await user_with_tokens(client)
    agent_id, _ = await ready_agent(client, user["id"], daily_artifact)
    version = uuid.UUID(await serve_new_version(client, agent_id, daily_artifact))
    await _promote(client, agent_id, str(version))
    runtime = runtime_of(client)
    assert await _loaded(runtime, version)
    assert built_on and threading.main_thread().name not in built_on

    store = runtime.predictions.models
    predictor = store._cache.get(version)
    assert predictor is not None and predictor.compiled.wait_for_jit(60)
    called_on: list[str] = []
    forecast = predictor.forecast

    def recorded(*args: Any, **kwargs: Any) -> Any:
        called_on.append(threading.current_thread().name)
        return forecast(*args, **kwargs)

    monkeypatch.setattr(predictor, "forecast", recorded)
    shape = (predictor.preprocessing.lookback, predictor.compiled.n_features)
    rows = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    answer = await store.forecast(predictor, rows, 100.0)
    assert answer.predicted_price > 0
    assert called_on == [threading.current_thread().name]
