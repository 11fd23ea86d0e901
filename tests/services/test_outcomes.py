"""The outcome job: realised prices, right/wrong calls, failures contained, track records."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl
import pytest
from sqlalchemy import select
from sqlmodel import col

from app.config import Settings
from app.main import create_app
from app.models import Prediction
from app.schemas.agents import TrackRecord
from app.services import outcomes
from app.services.job_queue import EmbeddedJobQueue
from app.services.market_data.base import get_provider
from app.services.market_data.frequency import bar_close
from app.services.market_data.synthetic import synthetic_bars
from app.services.outcomes import (
    PendingCall,
    call_was_right,
    fill_outcomes,
    match_outcomes,
    track_records,
)
from app.tasks.context import JobContext
from app.tasks.outcomes import OutcomesLoop
from app.tasks.worker import cron_schedule, record_outcomes
from tests.conftest import open_client
from tests.prediction_rows import (
    agent_rows,
    database,
    insert,
    prediction_row,
    user_row,
    write_minute_bars,
)

# Thursday 2 January 2003, 09:30 New York (EST): one-minute bars until 10:29, bar i
# closing at 09:31 + i with close 100 + 0.25 i.
OPEN = datetime(2003, 1, 2, 14, 30, tzinfo=UTC)
CLOSES = [100 + 0.25 * i for i in range(60)]
AFTER_BARS = OPEN + timedelta(hours=1, minutes=30)  # "now": every bar has closed


def closes_at(i: int) -> datetime:
    return OPEN + timedelta(minutes=i + 1)


def unique_symbol() -> str:
    """Tests share one PostgreSQL database per session: each owns its symbols."""
    return "T" + uuid.uuid4().hex[:6].upper()


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(outcomes_interval_s=0)


async def stored(settings: Settings, *ids: uuid.UUID) -> dict[uuid.UUID, Prediction]:
    async with database(settings) as sessionmaker, sessionmaker() as session:
        rows = await session.scalars(select(Prediction).where(col(Prediction.id).in_(ids)))
        return {row.id: row for row in rows.all()}


# --- the rules, without a database ---------------------------------------------------


@pytest.mark.parametrize(("entry", "predicted", "realised", "right"), [
    (100.0, 101.0, 102.0, True),    # forecast up, went up
    (100.0, 99.0, 98.0, True),      # forecast down, went down
    (100.0, 101.0, 99.0, False),    # forecast up, went down
    (100.0, 99.0, 100.5, False),    # forecast down, went up
    (100.0, 101.0, 100.0, False),   # no move is never right
    (100.0, 100.0, 100.0, False),   # nor is forecasting none
    (100.0, 100.0, 101.0, False),
])
def test_call_was_right(entry: float, predicted: float, realised: float, right: bool) -> None:
    assert call_was_right(entry, predicted, realised) is right


def test_the_deciding_bar_is_the_first_to_close_at_or_after_the_target() -> None:
    bars = pl.DataFrame({
        "timestamp": [OPEN + timedelta(minutes=i) for i in range(60)],
        "open": CLOSES, "high": CLOSES, "low": CLOSES, "close": CLOSES,
        "volume": [1.0] * 60,
    }).with_columns(pl.col("timestamp").cast(pl.Datetime("us", "UTC")))
    calls = [
        PendingCall(uuid.uuid4(), closes_at(20), 102.5, 103.0),                 # exactly
        PendingCall(uuid.uuid4(), closes_at(20) - timedelta(seconds=30), 102.5, 101.0),
        PendingCall(uuid.uuid4(), closes_at(59) + timedelta(seconds=1), 100.0, 101.0),
        PendingCall(uuid.uuid4(), closes_at(40), 100.0, 101.0),                # not closed yet
    ]
    found = match_outcomes(bars, "1min", calls, now=closes_at(39),
                           max_wait=timedelta(days=5))
    assert found[calls[0].id].realised_price == 105.0 and found[calls[0].id].correct
    assert found[calls[0].id].realised_at == closes_at(20)
    assert found[calls[1].id].realised_price == 105.0 and not found[calls[1].id].correct
    assert calls[2].id not in found and calls[3].id not in found
    late = match_outcomes(bars, "1min", calls[3:], now=AFTER_BARS,
                          max_wait=timedelta(seconds=30))
    assert late[calls[3].id].realised_price == CLOSES[40]
    too_late = match_outcomes(bars, "1min", [PendingCall(uuid.uuid4(), closes_at(30)
                                                         - timedelta(minutes=5), 1, 2)],
                              now=AFTER_BARS, max_wait=timedelta(minutes=1))
    assert len(too_late) == 1  # the bar closing at the target itself is always in time


def test_the_worker_runs_the_outcome_job_every_minute() -> None:
    jobs = {job.name: job for job in cron_schedule()}
    job = jobs["cron:record_outcomes"]
    assert job.second == 30 and job.minute is None and job.hour is None


# --- against the databases ---------------------------------------------------------------


async def test_past_calls_get_the_realised_close_and_whether_they_were_right(
    settings: Settings,
) -> None:
    symbol = unique_symbol()
    write_minute_bars(settings.data_dir, symbol, OPEN, CLOSES)
    user = user_row()
    as_of, target = closes_at(10), closes_at(20)  # ten bars ahead; bar 20 closes at 105
    up = prediction_row(user.id, symbol=symbol, as_of=as_of, target_time=target,
                        entry_price=102.5, predicted_price=103.0)
    down = prediction_row(user.id, symbol=symbol, as_of=as_of, target_time=target,
                          entry_price=102.5, predicted_price=101.0, direction="Short")
    flat = prediction_row(user.id, symbol=symbol, as_of=as_of, target_time=target,
                          entry_price=105.0, predicted_price=106.0)
    mid_bar = prediction_row(user.id, symbol=symbol, as_of=as_of,
                             target_time=target - timedelta(seconds=20),
                             entry_price=102.5, predicted_price=110.0)
    future = prediction_row(user.id, symbol=symbol, as_of=as_of,
                            target_time=AFTER_BARS + timedelta(minutes=30))
    await insert(settings, user, up, down, flat, mid_bar, future)

    async with database(settings) as sessionmaker:
        filled = await fill_outcomes(sessionmaker, settings, None, now=AFTER_BARS)
        again = await fill_outcomes(sessionmaker, settings, None, now=AFTER_BARS)
    assert (filled, again) == (4, 0)  # idempotent: a second run finds nothing to do

    rows = await stored(settings, up.id, down.id, flat.id, mid_bar.id, future.id)
    for row in (rows[up.id], rows[down.id], rows[flat.id], rows[mid_bar.id]):
        assert row.realised_price == 105.0
        assert row.realised_at == closes_at(20)
    assert rows[up.id].correct is True
    assert rows[down.id].correct is False
    assert rows[flat.id].correct is False  # entry 105, realised 105: no move
    assert rows[mid_bar.id].correct is True
    assert rows[future.id].realised_at is None and rows[future.id].correct is None


async def test_a_call_whose_bar_never_comes_is_closed_unresolved(settings: Settings) -> None:
    symbol = unique_symbol()
    write_minute_bars(settings.data_dir, symbol, OPEN, CLOSES)  # last bar closes 15:30 UTC
    user = user_row()
    waiting = prediction_row(user.id, symbol=symbol, as_of=closes_at(59),
                             target_time=closes_at(59) + timedelta(minutes=15))
    await insert(settings, user, waiting)
    max_wait = timedelta(seconds=settings.outcome_max_wait_s)

    async with database(settings) as sessionmaker:
        assert await fill_outcomes(sessionmaker, settings, None, now=AFTER_BARS) == 0
        assert (await stored(settings, waiting.id))[waiting.id].realised_at is None
        given_up = waiting.target_time + max_wait
        assert await fill_outcomes(sessionmaker, settings, None, now=given_up) == 0
    row = (await stored(settings, waiting.id))[waiting.id]
    assert row.realised_at == given_up
    assert row.realised_price is None and row.correct is None


async def test_a_failing_source_does_not_block_the_others(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    good, missing, boom = unique_symbol(), unique_symbol(), unique_symbol()
    write_minute_bars(settings.data_dir, good, OPEN, CLOSES)

    class Exploding:
        name = "synthetic"

        async def fetch_bars(self, *args: Any) -> pl.DataFrame:
            raise RuntimeError("https://vendor.example/?token=hunter2")

    def provider(source: str, *args: Any) -> Any:
        return Exploding() if source == "synthetic" else get_provider(source, *args)

    monkeypatch.setattr(outcomes, "get_provider", provider)
    user = user_row()
    # The failing groups come first (oldest targets): they must not stop the good one.
    failing = [
        prediction_row(user.id, symbol=missing, target_time=closes_at(15)),    # no CSV file
        prediction_row(user.id, symbol=good, data_source="refinitiv",          # no credentials
                       target_time=closes_at(16)),
        prediction_row(user.id, symbol=boom, data_source="synthetic",          # vendor error
                       target_time=closes_at(17)),
    ]
    fine = prediction_row(user.id, symbol=good, target_time=closes_at(20))
    await insert(settings, user, *failing, fine)

    with caplog.at_level(logging.WARNING, logger="app.services.outcomes"):
        async with database(settings) as sessionmaker:
            filled = await fill_outcomes(sessionmaker, settings, None, now=AFTER_BARS)
    assert filled == 1
    rows = await stored(settings, fine.id, *(p.id for p in failing))
    assert rows[fine.id].realised_price == 105.0 and rows[fine.id].correct is True
    assert all(rows[p.id].realised_at is None for p in failing)  # retried next run
    logged = caplog.text
    assert missing in logged and boom in logged and "refinitiv" in logged
    assert "hunter2" not in logged  # a library's message may hold secrets: only its type


async def test_track_records_count_each_call_once_and_skip_cached(settings: Settings) -> None:
    user = user_row()
    x, x_version = agent_rows(user.id)
    y, y_version = agent_rows(user.id, symbol="MSFT")
    z, _ = agent_rows(user.id, serving=False)
    assert x_version is not None and y_version is not None
    t0 = datetime(2024, 3, 1, 21, tzinfo=UTC)
    made = datetime(2024, 3, 1, 22, tzinfo=UTC)

    def call(agent: Any, version: Any, day: int, *, correct: bool | None,
             resolved: bool = True, **overrides: Any) -> Prediction:
        return prediction_row(
            user.id, agent_id=agent.id, agent_version_id=version.id, symbol=agent.symbol,
            data_source="synthetic", as_of=t0 + timedelta(days=day),
            target_time=t0 + timedelta(days=day + 1), correct=correct,
            realised_price=None if correct is None else 101.0,
            realised_at=t0 + timedelta(days=day + 1) if resolved else None,
            **{"created_at": made + timedelta(days=day), **overrides})

    rows = [
        call(x, x_version, 0, correct=True),                                 # call 1 ...
        call(x, x_version, 0, correct=True, cached=True,                     # ... from cache
             created_at=made + timedelta(minutes=1)),
        call(x, x_version, 0, correct=False, entry_price=102.0,              # ... asked again
             created_at=made + timedelta(minutes=2)),
        call(x, x_version, 1, correct=False),                                # call 2
        call(x, x_version, 2, correct=True),                                 # call 3
        call(x, x_version, 3, correct=None, resolved=False),                 # pending
        call(x, x_version, 4, correct=None),                                 # unresolved
        call(x, x_version, 5, correct=True, cached=True),                    # only cached
        call(y, y_version, 0, correct=False),
    ]
    await insert(settings, user, x, x_version, y, y_version, z, *rows)

    async with database(settings) as sessionmaker, sessionmaker() as session:
        records = await track_records(session, [x.id, y.id, z.id])
        assert await track_records(session, []) == {}
    assert records[x.id] == TrackRecord(n_calls=3, n_right=2, hit_rate=0.6667)
    assert records[y.id] == TrackRecord(n_calls=1, n_right=0, hit_rate=0.0)
    assert records[z.id] == TrackRecord(n_calls=0, n_right=0, hit_rate=None)


async def synthetic_call(settings: Settings) -> tuple[Prediction, float]:
    """A daily call on synthetic data whose target bar closed long ago, and its close."""
    user = user_row()
    day = date(2024, 3, 5)
    target = bar_close("1d", datetime(2024, 3, 5, tzinfo=UTC))
    symbol = unique_symbol()
    row = prediction_row(user.id, symbol=symbol, data_source="synthetic",
                         data_frequency="1d", prediction_horizon="1d",
                         as_of=target - timedelta(days=1), target_time=target)
    await insert(settings, user, row)
    bars = synthetic_bars(symbol, "1d", datetime(2024, 3, 5, tzinfo=UTC),
                          datetime(2024, 3, 5, tzinfo=UTC))
    assert bars["timestamp"][0].date() == day
    return row, float(bars["close"][0])


async def test_the_worker_job_fills_outcomes_from_its_context(settings: Settings) -> None:
    row, close = await synthetic_call(settings)
    job = JobContext.build(settings, EmbeddedJobQueue())
    try:
        assert await record_outcomes({"job": job}) >= 1
    finally:
        await job.close()
    assert (await stored(settings, row.id))[row.id].realised_price == close


async def test_embedded_mode_fills_outcomes_in_the_background(
    backend: str, make_settings: Callable[..., Settings],
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
