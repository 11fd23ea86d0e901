"""Training jobs end to end: the embedded runner on SQLite, a real ARQ worker on
PostgreSQL + Redis. Tiny models, two epochs: this proves the plumbing; learning
itself is proven in tests/ml."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from httpx import AsyncClient

from app.config import Settings
from app.models import AgentVersion
from app.tasks.training import data_span
from tests.utils.client import runtime_of
from tests.utils.jobs import arq_worker, tiny_agent, wait_for, wait_mid_training
from tests.utils.users import bearer, user_with_tokens

STAGES = [
    "agent.queued",
    "agent.fetching_data",
    "agent.validating",
    "agent.training",
    "agent.evaluating",
    "agent.ready",
]


@pytest.fixture
async def trainer(
    app_factory: Callable[[Settings], Any],
    make_worker_settings: Callable[..., Settings],
    backend: str,
) -> AsyncIterator[tuple[AsyncClient, Settings]]:
    """An API plus whatever trains in this mode (embedded runner, or an ARQ worker)."""
    settings = make_worker_settings(
        heartbeat_interval_s=0.5,
        progress_write_interval_s=0.2,
        sse_poll_interval_s=0.1,
        max_active_trainings_per_user=5,
    )
    client = await app_factory(settings)
    if backend == "services":
        async with arq_worker(settings):
            yield client, settings
    else:
        yield client, settings


@pytest.mark.parametrize("architecture", ["LSTM", "CNN", "Transformer"])
async def test_lifecycle_to_ready(trainer: tuple[AsyncClient, Settings], architecture: str) -> None:
    client, settings = trainer
    _, tokens = await user_with_tokens(client, user_segment="quant")
    created = await client.post(
        "/api/v1/agents", json=tiny_agent(architecture), headers=bearer(tokens)
    )
    assert created.status_code == 202, created.text
    agent_id = created.json()["agent_id"]
    agent = await wait_for(client, tokens, agent_id, {"READY"})

    version = agent["versions"][0]
    assert agent["serving_version_id"] == version["id"] and version["status"] == "READY"
    assert len(version["sha256"]) == 64
    metrics = agent["metrics"]
    for key in (
        "rmse",
        "naive_rmse",
        "directional_accuracy",
        "beats_naive_baseline",
        "beats_linear_baseline",
        "ece",
        "interval_coverage",
        "interval_coverage_test",
        "interval_width_test",
    ):
        assert key in metrics, key
    # The split-conformal interval: nominal 80 %, and the share of test outcomes inside.
    assert metrics["interval_coverage"] == 0.8
    assert 0.0 <= metrics["interval_coverage_test"] <= 1.0
    assert metrics["interval_width_test"] > 0.0
    assert agent["progress"].get("epoch") in (1, 2)
    weights = list((settings.models_path / agent_id / version["id"]).glob("*.keras"))
    assert weights, "weights file written"
    async with runtime_of(client).sessionmaker() as session:  # what in-sample is judged by
        row = await session.get(AgentVersion, uuid.UUID(version["id"]))
        assert row is not None and row.data_start is not None and row.data_end is not None
        assert datetime(2018, 7, 23, tzinfo=UTC) <= row.data_start < row.data_end
        assert row.data_end <= datetime(2024, 1, 2, tzinfo=UTC)  # fetched to end_date + 1 day

    events = await client.get(created.json()["events_url"], headers=bearer(tokens))
    names = [
        line.split(": ", 1)[1] for line in events.text.splitlines() if line.startswith("event: ")
    ]
    assert names == STAGES
    ready = [
        json.loads(line[6:]) for line in events.text.splitlines() if line.startswith("data: ")
    ][-1]
    assert ready["status"] == "READY" and ready["agent_id"] == agent_id


def test_the_data_span_is_the_first_bars_start_to_the_last_bars_close() -> None:
    bars = pl.DataFrame(
        {"timestamp": [datetime(2024, 3, 14, tzinfo=UTC), datetime(2024, 3, 15, tzinfo=UTC)]}
    )
    assert data_span(bars, "1d") == (
        datetime(2024, 3, 14, tzinfo=UTC),
        datetime(2024, 3, 15, 20, tzinfo=UTC),  # 16:00 New York (EDT)
    )


async def test_bad_data_fails_at_validating(trainer: tuple[AsyncClient, Settings]) -> None:
    client, settings = trainer
    folder = Path(settings.data_dir) / "1d"
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["Date,Open,High,Low,Close,Volume"]
    day = date(2019, 1, 2)  # enough bars for the indicators' warm-up (410)
    while day <= date(2022, 12, 30):
        if day.weekday() < 5:
            price = -1.0 if day == date(2022, 6, 15) else 100.0 + day.day
            rows.append(f"{day},{price},{price + 1},{price - 1},{price},1000")
        day += timedelta(days=1)
    (folder / "BAD.csv").write_text("\n".join(rows) + "\n")
    _, tokens = await user_with_tokens(client, user_segment="quant")
    body = tiny_agent(
        symbol="BAD", data_source="csv", start_date="2019-01-01", end_date="2022-12-31"
    )
    created = await client.post("/api/v1/agents", json=body, headers=bearer(tokens))
    assert created.status_code == 202, created.text
    agent = await wait_for(client, tokens, created.json()["agent_id"], {"FAILED"})
    assert agent["failure_stage"] == "VALIDATING"
    assert "positive" in agent["failure_reason"].lower() or "price" in agent["failure_reason"]


def _regime_change_csv(path: Path, n_days: int = 700) -> None:
    """Returns that mean-revert (AR(1), φ = −0.9) over the training split (the first
    70 % of the bars) and trend (φ = +0.9) after it: whatever the model learns on
    the training split is exactly wrong on the validation split."""
    rng = np.random.default_rng(7)
    returns = np.zeros(n_days)
    for t in range(1, n_days):
        phi = -0.9 if t < int(0.70 * n_days) else 0.9
        returns[t] = phi * returns[t - 1] + rng.normal(0, 0.004)
    close = 100 * np.exp(np.cumsum(returns))
    days = [
        d
        for d in (date(2020, 1, 1) + timedelta(days=i) for i in range(n_days * 2))
        if d.weekday() < 5
    ][:n_days]
    lines = ["Date,Open,High,Low,Close,Volume"] + [
        f"{d},{c:.6f},{c * 1.001:.6f},{c * 0.999:.6f},{c:.6f},1000"
        for d, c in zip(days, close, strict=True)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


async def test_a_model_that_does_not_generalise_is_ready_with_no_edge(
    trainer: tuple[AsyncClient, Settings],
) -> None:
    client, settings = trainer
    _regime_change_csv(Path(settings.data_dir) / "1d" / "FLIP.csv")
    _, tokens = await user_with_tokens(client, user_segment="quant")
    body = tiny_agent(
        "LSTM",
        symbol="FLIP",
        data_source="csv",
        start_date="2020-01-01",
        end_date="2022-09-30",
        features=["returns"],
        model_preferences={
            "architecture": "LSTM",
            "epochs": 3,
            "lookback": 2,
            "units": 8,
            "layers": 1,
            "batch_size": 8,
            "learning_rate": 0.01,
        },
    )
    created = await client.post("/api/v1/agents", json=body, headers=bearer(tokens))
    assert created.status_code == 202, created.text
    # The optimiser converged on the training split; what it learned is wrong after
    # it. That is no failure: the model is served, and says it has no edge.
    agent = await wait_for(client, tokens, created.json()["agent_id"], {"READY"})
    assert agent["failure_reason"] is None
    assert agent["metrics"]["skill"] == "no_edge"
    assert agent["metrics"]["beats_naive_baseline"] is False


async def test_the_same_request_twice_gives_the_same_outcome(
    trainer: tuple[AsyncClient, Settings],
) -> None:
    """Same request, same data, same seed: the same state and the same metrics."""
    client, _ = trainer
    _, tokens = await user_with_tokens(client, user_segment="quant")
    agents = []
    for _ in range(2):
        created = await client.post("/api/v1/agents", json=tiny_agent(), headers=bearer(tokens))
        assert created.status_code == 202, created.text
        agents.append(await wait_for(client, tokens, created.json()["agent_id"], {"READY"}))
    timing = {"samples_per_second"}
    first, second = ({k: v for k, v in a["metrics"].items() if k not in timing} for a in agents)
    assert first == second
    assert first["skill"] in ("edge", "no_edge")


async def test_cancel_a_running_job(trainer: tuple[AsyncClient, Settings]) -> None:
    client, _ = trainer
    _, tokens = await user_with_tokens(client, user_segment="quant")
    body = tiny_agent(
        "LSTM",
        start_date="2010-01-01",
        model_preferences={
            "architecture": "LSTM",
            "epochs": 200,
            "lookback": 30,
            "units": 32,
            "layers": 2,
            "batch_size": 16,
        },
    )
    agent_id = (await client.post("/api/v1/agents", json=body, headers=bearer(tokens))).json()[
        "agent_id"
    ]
    await wait_mid_training(client, tokens, agent_id, timeout=180)
    response = await client.post(f"/api/v1/agents/{agent_id}/cancel", headers=bearer(tokens))
    assert response.status_code == 200
    agent = await wait_for(client, tokens, agent_id, {"CANCELLED"}, timeout=30)
    assert agent["serving_version_id"] is None


async def test_retrain_keeps_the_old_version_serving(
    trainer: tuple[AsyncClient, Settings],
) -> None:
    client, _ = trainer
    _, tokens = await user_with_tokens(client, user_segment="quant")
    agent_id = (
        await client.post("/api/v1/agents", json=tiny_agent("CNN"), headers=bearer(tokens))
    ).json()["agent_id"]
    first = await wait_for(client, tokens, agent_id, {"READY"})
    old_version = first["serving_version_id"]
    retrain = await client.post(f"/api/v1/agents/{agent_id}/retrain", headers=bearer(tokens))
    assert retrain.status_code == 202, retrain.text
    during = (await client.get(f"/api/v1/agents/{agent_id}", headers=bearer(tokens))).json()
    assert during["serving_version_id"] == old_version
    assert during["status"] != "READY" or during["versions"][0]["status"] != "READY"
    done = await wait_for(
        client,
        tokens,
        agent_id,
        {"READY"},
        predicate=lambda a: a["versions"][0]["status"] == "READY",
    )
    assert [v["number"] for v in done["versions"]] == [2, 1]
    # The new version serves only if the champion/challenger gate let it through.
    promoted = done["versions"][0]["decision"]["promote"]
    assert (done["serving_version_id"] != old_version) == promoted


async def test_two_jobs_of_one_user_both_finish(trainer: tuple[AsyncClient, Settings]) -> None:
    client, _ = trainer
    _, tokens = await user_with_tokens(client, user_segment="quant")
    ids = [
        (
            await client.post(
                "/api/v1/agents", json=tiny_agent("CNN", symbol=s), headers=bearer(tokens)
            )
        ).json()["agent_id"]
        for s in ("IBM", "MSFT")
    ]
    results = await asyncio.gather(*(wait_for(client, tokens, i, {"READY"}) for i in ids))
    assert all(r["status"] == "READY" for r in results)


@pytest.mark.parametrize("news_source", ["file", "none"])
async def test_sentiment_joins_the_features_when_a_news_source_is_configured(
    app_factory: Callable[[Settings], Any],
    make_worker_settings: Callable[..., Settings],
    backend: str,
    news_source: str,
) -> None:
    settings = make_worker_settings(
        news_source=news_source, heartbeat_interval_s=0.5, progress_write_interval_s=0.2
    )
    news = Path(settings.data_dir) / "news"
    news.mkdir(parents=True, exist_ok=True)
    (news / "AAPL.jsonl").write_text(
        "\n".join(
            json.dumps(
                {
                    "published_at": f"2022-{month:02d}-15T13:00:00Z",
                    "headline": "Apple beats estimates, shares surge"
                    if month % 2
                    else "Apple misses badly, shares plunge",
                }
            )
            for month in range(1, 13)
        )
        + "\n"
    )
    client = await app_factory(settings)
    _, tokens = await user_with_tokens(client, user_segment="quant")
    body = tiny_agent(sentiment_enabled=True)
    if backend == "services":
        async with arq_worker(settings):
            created = await client.post("/api/v1/agents", json=body, headers=bearer(tokens))
            agent = await wait_for(client, tokens, created.json()["agent_id"], {"READY"})
    else:
        created = await client.post("/api/v1/agents", json=body, headers=bearer(tokens))
        agent = await wait_for(client, tokens, created.json()["agent_id"], {"READY"})
    runtime = client._transport.app.state.runtime  # type: ignore[attr-defined]
    from app.models import AgentVersion

    async with runtime.sessionmaker() as session:
        version = await session.get(AgentVersion, uuid.UUID(agent["serving_version_id"]))
    columns = version.preprocessing["feature_names"]
    warnings = version.metrics["data_warnings"]
    if news_source == "file":  # the file starts in 2022: earlier bars are flagged, and said so
        assert columns[-2:] == ["sentiment", "sentiment_coverage"]
        share = version.metrics["sentiment_coverage"]
        assert 0.3 < share < 0.4
        assert (
            f"News about AAPL (file) covers 2022-01-15 13:00 UTC onwards: {share * 100:.0f} % of "
            "the training period's bars; earlier bars are marked as without news."
        ) in warnings
    else:
        assert "sentiment" not in columns and "NEWS_SOURCE=none" in warnings[0]
    predicted = await client.post(
        "/api/v1/predict",
        headers=bearer(tokens),
        json={
            "user_segment": "quant",
            "stocks": ["AAPL"],
            "data_frequency": "1d",
            "prediction_horizon": "1d",
            "sentiment_enabled": True,
        },
    )
    assert predicted.status_code == 200, predicted.text
    untrained = any("trained without it" in w for w in predicted.json()["warnings"])
    assert untrained == (news_source == "none")


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
async def test_skill_is_judged_by_walk_forward_folds(
    app_factory: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    """With folds on, the verdict a user sees pools every fold's out-of-sample calls;
    the single test split's verdict stays beside it and every fold is on the version."""
    client = await app_factory(make_settings(walk_forward_folds=5))
    _, tokens = await user_with_tokens(client, user_segment="quant")
    created = await client.post("/api/v1/agents", json=tiny_agent("CNN"), headers=bearer(tokens))
    assert created.status_code == 202, created.text
    agent = await wait_for(client, tokens, created.json()["agent_id"], {"READY"})

    metrics = agent["metrics"]
    walk_forward = agent["versions"][0]["walk_forward"]
    assert 3 <= walk_forward["n_folds"] == metrics["walk_forward_n_folds"] <= 5
    assert metrics["skill"] == walk_forward["skill"]
    for key in ("naive", "linear", "gbm"):
        assert metrics[f"beats_{key}_baseline"] == walk_forward[f"beats_{key}_baseline"]
        assert f"test_beats_{key}_baseline" in metrics
    assert metrics["test_skill"] in ("edge", "no_edge") and metrics["gbm_rmse"] > 0
    folds = walk_forward["folds"]
    assert len(folds) == walk_forward["n_folds"]
    assert walk_forward["pooled"]["n_test"] == sum(f["n_test"] for f in folds)
    for earlier, later in itertools.pairwise(folds):
        assert later["test_start"] == earlier["test_stop"]  # contiguous, in time order
    for fold in folds:  # one horizon's purge between what a fold learns and its test
        assert fold["validation_stop"] + 1 <= fold["test_start"]
    assert agent["progress"]["folds"] == walk_forward["n_folds"]
