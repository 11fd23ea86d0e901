"""The outcome loops: the workers' scheduler tick and the embedded background loop.

What they run, `app.services.outcomes`, is tested in tests/services/test_outcomes.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from app.config import Settings
from app.main import create_app
from app.models import Prediction
from app.services.job_queue import EmbeddedJobQueue
from app.services.market_data.frequency import bar_close
from app.services.market_data.synthetic import synthetic_bars
from app.tasks.context import JobContext
from app.tasks.outcomes import OutcomesLoop
from app.tasks.scheduler import Scheduler, record_outcomes
from tests.utils.bars import unique_symbol
from tests.utils.client import open_client
from tests.utils.db import insert
from tests.utils.predictions import prediction_row, stored
from tests.utils.users import user_row


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(outcomes_interval_s=0)


async def test_the_workers_scheduler_fills_outcomes_every_interval(
    make_settings: Callable[..., Settings],
) -> None:
    job = JobContext.build(make_settings(), EmbeddedJobQueue())  # outcomes_interval_s: 60
    try:
        ticks = {tick.name: tick for tick in Scheduler.for_context(job).ticks}
        assert ticks["outcomes"].interval_s == 60 and ticks["outcomes"].run is record_outcomes
        assert ticks["sweep"].interval_s == job.settings.reaper_interval_s
        off = JobContext.build(
            make_settings(outcomes_interval_s=0, staleness_interval_s=0), EmbeddedJobQueue()
        )
        assert [t.name for t in Scheduler.for_context(off).ticks] == ["sweep"]
        await off.close()
    finally:
        await job.close()


async def synthetic_call(settings: Settings) -> tuple[Prediction, float]:
    """A daily call on synthetic data whose target bar closed long ago, and its close."""
    user = user_row()
    day = date(2024, 3, 5)
    target = bar_close("1d", datetime(2024, 3, 5, tzinfo=UTC))
    symbol = unique_symbol()
    row = prediction_row(
        user.id,
        symbol=symbol,
        data_source="synthetic",
        data_frequency="1d",
        prediction_horizon="1d",
        as_of=target - timedelta(days=1),
        target_time=target,
    )
    await insert(settings, user, row)
    bars = synthetic_bars(
        symbol, "1d", datetime(2024, 3, 5, tzinfo=UTC), datetime(2024, 3, 5, tzinfo=UTC)
    )
    assert bars["timestamp"][0].date() == day
    return row, float(bars["close"][0])


async def test_the_worker_job_fills_outcomes_from_its_context(settings: Settings) -> None:
    row, close = await synthetic_call(settings)
    job = JobContext.build(settings, EmbeddedJobQueue())
    try:
        assert await record_outcomes(job) >= 1
    finally:
        await job.close()
    assert (await stored(settings, row.id))[row.id].realised_price == close


async def test_embedded_mode_fills_outcomes_in_the_background(
    backend: str,
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(outcomes_interval_s=0.05, embedded_runner=False)
    row, close = await synthetic_call(settings)
    app = create_app(settings)
    client, lifespan = await open_client(app)
    try:
        loops = [t for t in app.state.runtime.background if isinstance(t, OutcomesLoop)]
        if backend == "services":  # the ARQ worker's cron does it there
            assert loops == []
            return
        assert len(loops) == 1
        for _ in range(100):
            realised = (await stored(settings, row.id))[row.id].realised_price
            if realised is not None:
                break
            await asyncio.sleep(0.02)
        assert realised == close
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)
