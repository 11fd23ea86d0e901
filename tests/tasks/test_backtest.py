"""`POST /agents/{id}/backtest`: a worker job (embedded runner, or an ARQ worker on
PostgreSQL + Redis) that replays the agent's calls over a period after its data, with
every trade the call `/trade-signal` and `/predict` would have made at that bar."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select, update

from app.config import Settings
from app.models import Backtest
from app.models.backtests import BacktestStatus
from app.services import backtests
from app.tasks.context import JobContext
from app.tasks.reaper import reap_stale_jobs
from tests.utils.client import runtime_of
from tests.utils.jobs import arq_worker
from tests.utils.serving import Artifact, ready_agent
from tests.utils.users import bearer, user_with_tokens

# The shared daily artifact learned 2020-01-01 … 2024-06-30: the period lies after it.
PERIOD = {"start_date": "2024-07-02", "end_date": "2024-12-31"}


@pytest.fixture
async def runner(
    app_factory: Callable[[Settings], Any],
    make_worker_settings: Callable[..., Settings],
    backend: str,
) -> AsyncIterator[AsyncClient]:
    settings = make_worker_settings(heartbeat_interval_s=0.5)
    client = await app_factory(settings)
    if backend == "services":
        async with arq_worker(settings):
            yield client
    else:
        yield client


async def _finished(
    client: AsyncClient,
    headers: dict[str, str],
    url: str,
    timeout: float = 120.0,
    stages: set[str] | None = None,
) -> dict[str, Any]:
    """The backtest once it ended; `stages` collects the progress stages seen."""
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = (await client.get(url, headers=headers)).json()
        if stages is not None and body.get("progress", {}).get("stage"):
            stages.add(body["progress"]["stage"])
        if body.get("status") in ("SUCCEEDED", "FAILED"):
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"backtest still {body.get('status')} after {timeout} s")


async def test_a_backtest_replays_the_calls_predict_and_trade_signal_make(
    runner: AsyncClient, daily_artifact: Artifact
) -> None:
    client = runner
    user, tokens = await user_with_tokens(client, account_equity=50_000)
    headers = bearer(tokens)
    agent_id, version_id = await ready_agent(client, user["id"], daily_artifact)
    asked = await client.post(
        f"/api/v1/agents/{agent_id}/backtest",
        json={**PERIOD, "confidence_level": 0.5, "cost_bp": 5, "slippage_bp": 2},
        headers=headers,
    )
    assert asked.status_code == 202, asked.text
    assert asked.headers["Location"] == asked.json()["status_url"]
    assert asked.json()["status"] == "QUEUED" and asked.json()["version_id"] == version_id
    stages: set[str] = set()
    done = await _finished(client, headers, asked.headers["Location"], stages=stages)
    assert done["status"] == "SUCCEEDED", done["error"]
    # Progress while it ran (the child takes seconds to start): then done.
    assert "forecasting" in stages and done["progress"] == {"stage": "done"} | {
        "done": None,
        "total": None,
    }
    assert done["request"]["account_equity"] == 50_000 and done["request"]["cost_bp"] == 5

    metrics, trades, curve = done["metrics"], done["trades"], done["equity_curve"]
    assert metrics["bars"] == len(curve) > 100  # every session of the half year
    assert curve[0]["time"] > "2024-07-02" and curve[-1]["time"] < "2025-01-01"
    assert done["first_bar"][:10] == "2024-07-02" and done["last_bar"][:10] == "2024-12-31"
    assert trades and metrics["n_trades"] == len(trades)
    # The books balance: the end equity is the start plus every trade's P&L (after costs).
    total_pnl = sum(t["pnl"] for t in trades)
    assert metrics["end_equity"] == pytest.approx(50_000 + total_pnl, abs=0.05 * len(trades))
    assert metrics["total_costs"] == pytest.approx(sum(t["costs"] for t in trades), abs=0.01)
    assert metrics["total_costs"] > 0
    assert curve[-1]["buy_and_hold"] == pytest.approx(
        50_000 * (1 + metrics["buy_and_hold_return"]), abs=0.01
    )
    assert metrics["excess_return"] == pytest.approx(
        metrics["total_return"] - metrics["buy_and_hold_return"]
    )
    for first, then in itertools.pairwise(trades):  # one position at a time
        assert first["exit_time"] <= then["entry_time"]
    assert {t["exit_reason"] for t in trades} <= {"stop", "exit_time", "end_of_period"}

    for trade in trades[:3]:
        # The same inputs through /trade-signal: the same call and the same size.
        signal = await client.post(
            "/api/v1/trade-signal",
            json={
                "symbol": "AAPL",
                "predicted_price": trade["predicted_price"],
                "confidence": trade["confidence"],
                "entry_price": trade["entry_price"],
                "stop_loss": trade["stop_loss"],
                "capital_at_risk": 0.02,
                "confidence_level": 0.5,
                "user_segment": user["user_segment"],
                "prediction_horizon": "1d",
                "as_of": trade["entry_time"],
                "account_equity": trade["account_equity"],
            },
            headers=headers,
        )
        assert signal.status_code == 200, signal.text
        answer = signal.json()
        assert (answer["trade_signal"], answer["direction"]) == ("Enter", trade["direction"])
        assert answer["position_size"] == trade["shares"]
        assert answer["risk_metrics"]["max_loss"] == trade["max_loss"]
        assert datetime.fromisoformat(answer["suggested_exit_at"]) == datetime.fromisoformat(
            trade["suggested_exit_at"]
        )
        # And /predict at that bar forecasts what the backtest traded on.
        predicted = await client.post(
            "/api/v1/predict",
            json={
                "user_segment": user["user_segment"],
                "stocks": ["AAPL"],
                "data_frequency": "1d",
                "prediction_horizon": "1d",
                "confidence_level": 0.5,
                "agent_ids": {"AAPL": agent_id},
                "as_of": trade["entry_time"],
                "account_equity": trade["account_equity"],
            },
            headers=headers,
        )
        assert predicted.status_code == 200, predicted.text
        call = predicted.json()["predictions"][0]
        assert call["entry_price"] == trade["entry_price"]
        assert call["stop_loss"] == trade["stop_loss"]
        assert call["predicted_price"] == pytest.approx(trade["predicted_price"], abs=0.0051)
        assert call["confidence"] == pytest.approx(trade["confidence"], abs=0.0051)
        assert call["position_size"] == trade["shares"]

    listed = await client.get(f"/api/v1/agents/{agent_id}/backtests", headers=headers)
    assert [item["id"] for item in listed.json()["items"]] == [done["id"]]


async def test_a_period_without_bars_fails_with_the_reason_and_is_not_retried(
    runner: AsyncClient, daily_artifact: Artifact
) -> None:
    user, tokens = await user_with_tokens(runner)
    agent_id, _ = await ready_agent(runner, user["id"], daily_artifact)
    weekend = {"start_date": "2024-07-06", "end_date": "2024-07-07"}  # Saturday, Sunday
    asked = await runner.post(
        f"/api/v1/agents/{agent_id}/backtest", json=weekend, headers=bearer(tokens)
    )
    assert asked.status_code == 202, asked.text
    done = await _finished(runner, bearer(tokens), asked.headers["Location"])
    assert done["status"] == "FAILED" and done["attempts"] == 1
    assert "no 1d bars of AAPL between 2024-07-06 and 2024-07-08" in done["error"]
    assert done["metrics"] is None and done["trades"] == []


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
async def test_bad_requests_are_refused_field_by_field_and_write_nothing(
    client: AsyncClient, daily_artifact: Artifact
) -> None:
    user, tokens = await user_with_tokens(client)
    headers = bearer(tokens)
    agent_id, _ = await ready_agent(client, user["id"], daily_artifact)
    url = f"/api/v1/agents/{agent_id}/backtest"
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"start_date": "2024-06-28"}, ["body", "start_date"]),  # inside the data
        ({**PERIOD, "end_date": tomorrow}, ["body", "end_date"]),
        ({"start_date": "2024-09-01", "end_date": "2024-08-01"}, ["body", "end_date"]),
        ({**PERIOD, "timezone": "Mars/Olympus"}, ["body", "timezone"]),
        ({**PERIOD, "slippage_bp": -1}, ["body", "slippage_bp"]),
        ({**PERIOD, "capital_at_risk": 0.5}, ["body", "capital_at_risk"]),
        ({**PERIOD, "leverage": 3}, ["body", "leverage"]),
        ({**PERIOD, "start_date": "July 2024"}, ["body", "start_date"]),
    ]
    for body, loc in cases:
        answer = await client.post(url, json=body, headers=headers)
        assert answer.status_code == 422, (body, answer.text)
        assert loc in [detail["loc"] for detail in answer.json()["error"]["details"]], body
    inside = await client.post(url, json={"start_date": "2024-06-28"}, headers=headers)
    assert "2024-07-02 or later" in inside.json()["error"]["details"][0]["msg"]

    assert (await client.post(f"/api/v1/agents/{uuid.uuid4()}/backtest", headers=headers)).json()[
        "error"
    ]["code"] == "agent_not_found"
    other = await client.post(
        url, json={**PERIOD, "version_id": str(uuid.uuid4())}, headers=headers
    )
    assert other.status_code == 404 and other.json()["error"]["code"] == "version_not_found"
    _, stranger = await user_with_tokens(client)
    assert (await client.post(url, json=PERIOD, headers=bearer(stranger))).status_code == 404
    missing = await client.get(
        f"/api/v1/agents/{agent_id}/backtests/{uuid.uuid4()}", headers=headers
    )
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "backtest_not_found"
    async with runtime_of(client).sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Backtest)) == 0


async def _stale_running(ctx: JobContext, backtest_id: uuid.UUID) -> None:
    async with ctx.sessionmaker() as session:
        assert await backtests.claim(session, backtest_id) is not None
        await session.execute(
            update(Backtest)
            .where(Backtest.id == backtest_id)  # type: ignore[arg-type]
            .values(heartbeat_at=datetime.now(UTC) - timedelta(hours=1))
        )
        await session.commit()


@pytest.mark.parametrize("backend", ["embedded", "services"], indirect=True)
async def test_a_lost_worker_is_retried_then_failed_with_the_reason(
    make_settings: Callable[..., Settings],
    app_factory: Callable[[Settings], Any],
    daily_artifact: Artifact,
    backend: str,
) -> None:
    """No runner takes the job here (the queue is never read, and the embedded
    runner is off): the row alone carries it through two lost attempts."""
    settings = make_settings(embedded_runner=False) if backend == "embedded" else make_settings()
    client = await app_factory(settings)
    user, tokens = await user_with_tokens(client)
    agent_id, _ = await ready_agent(client, user["id"], daily_artifact)
    asked = await client.post(
        f"/api/v1/agents/{agent_id}/backtest", json=PERIOD, headers=bearer(tokens)
    )
    backtest_id = uuid.UUID(asked.json()["id"])
    ctx = JobContext.build(settings, runtime_of(client).queue)
    try:
        await _stale_running(ctx, backtest_id)
        await reap_stale_jobs(ctx)
        async with ctx.sessionmaker() as session:
            row = await session.get(Backtest, backtest_id)
            assert row is not None
            assert (row.state, row.attempts) == (BacktestStatus.QUEUED, 1)
            assert "lost heartbeat" in (row.error or "")
        await _stale_running(ctx, backtest_id)
        await reap_stale_jobs(ctx)
        async with ctx.sessionmaker() as session:
            row = await session.get(Backtest, backtest_id)
            assert row is not None
            assert (row.state, row.attempts) == (BacktestStatus.FAILED, 2)
            assert row.finished_at is not None
    finally:
        await ctx.close()
    shown = await client.get(asked.headers["Location"], headers=bearer(tokens))
    assert shown.json()["status"] == "FAILED" and "lost heartbeat" in shown.json()["error"]
