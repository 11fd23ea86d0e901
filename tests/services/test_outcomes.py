"""Outcomes: realised prices, right/wrong calls, failures contained, track records.

`app.services.outcomes` on rows written straight to the database (SQLite, and
PostgreSQL); the loops that run it are tested in tests/tasks/test_outcomes.py.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
import pytest

from app.config import Settings
from app.ml.calibration import direction_correct
from app.models import Prediction
from app.schemas.agents import TrackRecord
from app.services import outcomes
from app.services.market_data.base import get_provider
from app.services.outcomes import (
    PendingCall,
    call_was_right,
    fill_outcomes,
    match_outcomes,
    track_records,
)
from tests.utils.agents import agent_rows
from tests.utils.bars import unique_symbol, write_minute_bars
from tests.utils.db import database, insert
from tests.utils.predictions import prediction_row, stored
from tests.utils.users import user_row

# Thursday 2 January 2003, 09:30 New York (EST): one-minute bars until 10:29, bar i
# closing at 09:31 + i with close 100 + 0.25 i.
OPEN = datetime(2003, 1, 2, 14, 30, tzinfo=UTC)
CLOSES = [100 + 0.25 * i for i in range(60)]
AFTER_BARS = OPEN + timedelta(hours=1, minutes=30)  # "now": every bar has closed


def closes_at(i: int) -> datetime:
    return OPEN + timedelta(minutes=i + 1)


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(outcomes_interval_s=0)


# --- the rules, without a database ---------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "predicted", "realised", "right"),
    [
        (100.0, 101.0, 102.0, True),  # forecast up, went up
        (100.0, 99.0, 98.0, True),  # forecast down, went down
        (100.0, 101.0, 99.0, False),  # forecast up, went down
        (100.0, 99.0, 100.5, False),  # forecast down, went up
        (100.0, 101.0, 100.0, False),  # no move is never right
        (100.0, 100.0, 100.0, False),  # nor is forecasting none
        (100.0, 100.0, 101.0, False),
        (100.0, 101.0, 100.0 + 1e-12, False),  # a float round-trip is not a move
        (100.0, 100.0 - 1e-12, 99.0, False),  # nor a call
    ],
)
def test_call_was_right(entry: float, predicted: float, realised: float, right: bool) -> None:
    assert call_was_right(entry, predicted, realised) is right


@pytest.mark.parametrize("predicted_move", [-1.0, -0.01, 0.0, 0.01, 1.0])
@pytest.mark.parametrize("realised_move", [-1.0, -0.01, 0.0, 0.01, 1.0])
def test_the_track_record_counts_right_as_accuracy_and_confidence_do(
    predicted_move: float, realised_move: float
) -> None:
    """One rule: the live record's `correct` is the model's `direction_correct`
    (predicted move × realised move > 0), zero moves included."""
    fitted_with = bool(direction_correct([predicted_move], [realised_move])[0])
    assert fitted_with is (predicted_move * realised_move > 0)
    assert call_was_right(100.0, 100.0 + predicted_move, 100.0 + realised_move) is fitted_with


def test_the_deciding_bar_is_the_first_to_close_at_or_after_the_target() -> None:
    bars = pl.DataFrame(
        {
            "timestamp": [OPEN + timedelta(minutes=i) for i in range(60)],
            "open": CLOSES,
            "high": CLOSES,
            "low": CLOSES,
            "close": CLOSES,
            "volume": [1.0] * 60,
        }
    ).with_columns(pl.col("timestamp").cast(pl.Datetime("us", "UTC")))
    calls = [
        PendingCall(uuid.uuid4(), closes_at(20), 102.5, 103.0),  # exactly
        PendingCall(uuid.uuid4(), closes_at(20) - timedelta(seconds=30), 102.5, 101.0),
        PendingCall(uuid.uuid4(), closes_at(59) + timedelta(seconds=1), 100.0, 101.0),
        PendingCall(uuid.uuid4(), closes_at(40), 100.0, 101.0),  # not closed yet
    ]
    found = match_outcomes(bars, "1min", calls, now=closes_at(39), max_wait=timedelta(days=5))
    assert found[calls[0].id].realised_price == 105.0 and found[calls[0].id].correct
    assert found[calls[0].id].realised_at == closes_at(20)
    assert found[calls[1].id].realised_price == 105.0 and not found[calls[1].id].correct
    assert calls[2].id not in found and calls[3].id not in found
    late = match_outcomes(bars, "1min", calls[3:], now=AFTER_BARS, max_wait=timedelta(seconds=30))
    assert late[calls[3].id].realised_price == CLOSES[40]
    too_late = match_outcomes(
        bars,
        "1min",
        [PendingCall(uuid.uuid4(), closes_at(30) - timedelta(minutes=5), 1, 2)],
        now=AFTER_BARS,
        max_wait=timedelta(minutes=1),
    )
    assert len(too_late) == 1  # the bar closing at the target itself is always in time


def test_a_call_is_judged_from_the_models_reference_close_not_the_typed_entry() -> None:
    """The model forecast 103 from the 102.5 close and the price went to 105: right.
    From a typed entry of 104 the same forecast reads as a fall: it would be wrong."""
    assert call_was_right(102.5, 103.0, 105.0) is True
    assert call_was_right(104.0, 103.0, 105.0) is False
    bars = pl.DataFrame(
        {
            "timestamp": [OPEN + timedelta(minutes=i) for i in range(60)],
            "open": CLOSES,
            "high": CLOSES,
            "low": CLOSES,
            "close": CLOSES,
            "volume": [1.0] * 60,
        }
    ).with_columns(pl.col("timestamp").cast(pl.Datetime("us", "UTC")))
    call = PendingCall(uuid.uuid4(), closes_at(20), reference_price=102.5, predicted_price=103.0)
    found = match_outcomes(bars, "1min", [call], now=AFTER_BARS, max_wait=timedelta(days=5))
    assert found[call.id].correct is True


# --- against the databases ---------------------------------------------------------------


async def test_past_calls_get_the_realised_close_and_whether_they_were_right(
    settings: Settings,
) -> None:
    symbol = unique_symbol()
    write_minute_bars(settings.data_dir, symbol, OPEN, CLOSES)
    user = user_row()
    as_of, target = closes_at(10), closes_at(20)  # ten bars ahead; bar 20 closes at 105
    up = prediction_row(
        user.id,
        symbol=symbol,
        as_of=as_of,
        target_time=target,
        entry_price=102.5,
        predicted_price=103.0,
    )
    down = prediction_row(
        user.id,
        symbol=symbol,
        as_of=as_of,
        target_time=target,
        entry_price=102.5,
        predicted_price=101.0,
        direction="Short",
    )
    flat = prediction_row(
        user.id,
        symbol=symbol,
        as_of=as_of,
        target_time=target,
        entry_price=105.0,
        predicted_price=106.0,
    )
    mid_bar = prediction_row(
        user.id,
        symbol=symbol,
        as_of=as_of,
        target_time=target - timedelta(seconds=20),
        entry_price=102.5,
        predicted_price=110.0,
    )
    future = prediction_row(
        user.id, symbol=symbol, as_of=as_of, target_time=AFTER_BARS + timedelta(minutes=30)
    )
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


async def test_outcomes_use_the_reference_close_and_older_rows_their_entry(
    settings: Settings,
) -> None:
    symbol = unique_symbol()
    write_minute_bars(settings.data_dir, symbol, OPEN, CLOSES)
    user = user_row()
    as_of, target = closes_at(10), closes_at(20)  # bar 10 closes at 102.5, bar 20 at 105
    typed_entry = prediction_row(
        user.id,
        symbol=symbol,
        as_of=as_of,
        target_time=target,
        entry_price=104.0,  # the caller's plan: above the forecast
        reference_price=102.5,  # the close the model forecast 103 from
        predicted_price=103.0,
    )
    legacy = prediction_row(  # stored before the reference close was kept
        user.id,
        symbol=symbol,
        as_of=as_of,
        target_time=target,
        entry_price=104.0,
        reference_price=None,
        predicted_price=103.0,
    )
    await insert(settings, user, typed_entry, legacy)
    async with database(settings) as sessionmaker:
        assert await fill_outcomes(sessionmaker, settings, None, now=AFTER_BARS) == 2
    rows = await stored(settings, typed_entry.id, legacy.id)
    assert rows[typed_entry.id].realised_price == rows[legacy.id].realised_price == 105.0
    assert rows[typed_entry.id].correct is True  # up from 102.5, as forecast
    assert rows[legacy.id].correct is False  # judged from its entry: a fall that did not come


async def test_a_limited_run_takes_the_oldest_targets_first(
    make_worker_settings: Callable[..., Settings],
) -> None:
    # The limit counts every pending call in the database: in services mode the
    # session's database holds other tests' calls, so this test takes one of its own.
    settings = make_worker_settings(outcomes_interval_s=0)
    symbol = unique_symbol()
    write_minute_bars(settings.data_dir, symbol, OPEN, CLOSES)
    user = user_row()
    later = prediction_row(user.id, symbol=symbol, as_of=closes_at(10), target_time=closes_at(30))
    older = prediction_row(user.id, symbol=symbol, as_of=closes_at(5), target_time=closes_at(15))
    await insert(settings, user, later, older)

    async with database(settings) as sessionmaker:
        assert await fill_outcomes(sessionmaker, settings, None, now=AFTER_BARS, limit=1) == 1
        rows = await stored(settings, later.id, older.id)
        assert rows[older.id].realised_price == CLOSES[15] == 103.75
        assert rows[later.id].realised_at is None
        assert await fill_outcomes(sessionmaker, settings, None, now=AFTER_BARS, limit=1) == 1
    assert (await stored(settings, later.id))[later.id].realised_price == CLOSES[30] == 107.5


async def test_a_call_whose_bar_never_comes_is_closed_unresolved(settings: Settings) -> None:
    symbol = unique_symbol()
    write_minute_bars(settings.data_dir, symbol, OPEN, CLOSES)  # last bar closes 15:30 UTC
    user = user_row()
    waiting = prediction_row(
        user.id,
        symbol=symbol,
        as_of=closes_at(59),
        target_time=closes_at(59) + timedelta(minutes=15),
    )
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
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
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
        prediction_row(user.id, symbol=missing, target_time=closes_at(15)),  # no CSV file
        prediction_row(
            user.id,
            symbol=good,
            data_source="refinitiv",  # no credentials
            target_time=closes_at(16),
        ),
        prediction_row(
            user.id,
            symbol=boom,
            data_source="synthetic",  # vendor error
            target_time=closes_at(17),
        ),
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

    def call(
        agent: Any,
        version: Any,
        day: int,
        *,
        correct: bool | None,
        resolved: bool = True,
        **overrides: Any,
    ) -> Prediction:
        return prediction_row(
            user.id,
            agent_id=agent.id,
            agent_version_id=version.id,
            symbol=agent.symbol,
            data_source="synthetic",
            as_of=t0 + timedelta(days=day),
            target_time=t0 + timedelta(days=day + 1),
            correct=correct,
            realised_price=None if correct is None else 101.0,
            realised_at=t0 + timedelta(days=day + 1) if resolved else None,
            **{"created_at": made + timedelta(days=day), **overrides},
        )

    rows = [
        call(x, x_version, 0, correct=True),  # call 1 ...
        call(
            x,
            x_version,
            0,
            correct=True,
            cached=True,  # ... from cache
            created_at=made + timedelta(minutes=1),
        ),
        call(
            x,
            x_version,
            0,
            correct=False,
            entry_price=102.0,  # ... asked again
            created_at=made + timedelta(minutes=2),
        ),
        call(x, x_version, 1, correct=False),  # call 2
        call(x, x_version, 2, correct=True),  # call 3
        call(x, x_version, 3, correct=None, resolved=False),  # pending
        call(x, x_version, 4, correct=None),  # unresolved
        call(x, x_version, 5, correct=True, cached=True),  # only cached
        call(y, y_version, 0, correct=False),
    ]
    await insert(settings, user, x, x_version, y, y_version, z, *rows)

    async with database(settings) as sessionmaker, sessionmaker() as session:
        records = await track_records(session, [x.id, y.id, z.id])
        assert await track_records(session, []) == {}
    assert records[x.id] == TrackRecord(n_calls=3, n_right=2, hit_rate=0.6667)
    assert records[y.id] == TrackRecord(n_calls=1, n_right=0, hit_rate=0.0)
    assert records[z.id] == TrackRecord(n_calls=0, n_right=0, hit_rate=None)


async def test_in_sample_calls_never_count_in_a_track_record(settings: Settings) -> None:
    user = user_row()
    agent, version = agent_rows(user.id)
    assert version is not None
    t0 = datetime(2024, 3, 1, 21, tzinfo=UTC)

    def call(day: int, correct: bool, in_sample: bool) -> Prediction:
        return prediction_row(
            user.id,
            agent_id=agent.id,
            agent_version_id=version.id,
            data_source="synthetic",
            as_of=t0 + timedelta(days=day),
            target_time=t0 + timedelta(days=day + 1),
            correct=correct,
            realised_price=101.0,
            realised_at=t0 + timedelta(days=day + 1),
            in_sample=in_sample,
        )

    rows = [call(0, True, True), call(1, True, True), call(2, False, False)]
    await insert(settings, user, agent, version, *rows)
    async with database(settings) as sessionmaker, sessionmaker() as session:
        records = await track_records(session, [agent.id])
    assert records[agent.id] == TrackRecord(n_calls=1, n_right=0, hit_rate=0.0)
