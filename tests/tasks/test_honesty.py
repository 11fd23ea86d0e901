"""What a user sees is what was measured, end to end on the synthetic source: an
agent on its planted momentum earns `skill: "edge"`; the same agent on the pure
random walk (`SYNTHETIC_SIGNAL=0`) is served, says it has no edge, and never claims
much confidence. Seeded, so each outcome is the same on every run and in both modes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from httpx import AsyncClient

from app.config import Settings
from tests.utils.jobs import arq_worker, tiny_agent, wait_for
from tests.utils.users import bearer, user_with_tokens

# Two years of 15-minute bars and a one-hour horizon: ~2,000 test samples, enough to
# tell a 59 % hit rate from a coin at 95 % confidence; five seconds of training.
AGENT = tiny_agent(
    "LSTM",
    symbol="AAPL",
    data_frequency="15min",
    prediction_horizon="1h",
    start_date="2023-01-01",
    end_date="2024-12-31",
    model_preferences={
        "architecture": "LSTM",
        "epochs": 4,
        "lookback": 16,
        "units": 16,
        "layers": 1,
        "batch_size": 64,
        "seed": 0,
    },
)


@pytest.fixture
def trainer_for(
    app_factory: Callable[[Settings], Any],
    make_worker_settings: Callable[..., Settings],
    backend: str,
) -> Callable[[float], Any]:
    """An API, and whatever trains in this mode, on the synthetic source at `signal`."""

    async def start(signal: float) -> AsyncIterator[AsyncClient]:
        settings = make_worker_settings(synthetic_signal=signal, heartbeat_interval_s=0.5)
        client = await app_factory(settings)
        if backend == "services":
            async with arq_worker(settings):
                yield client
        else:
            yield client

    return start


async def _ready_agent(client: AsyncClient) -> tuple[dict[str, Any], dict[str, Any]]:
    _, tokens = await user_with_tokens(client, user_segment="quant")
    created = await client.post("/api/v1/agents", json=AGENT, headers=bearer(tokens))
    assert created.status_code == 202, created.text
    agent = await wait_for(client, tokens, created.json()["agent_id"], {"READY", "FAILED"})
    assert agent["status"] == "READY", agent["failure_reason"]
    return agent, tokens


async def test_a_planted_signal_agent_has_an_edge_and_honest_intervals(
    trainer_for: Callable[[float], Any],
) -> None:
    async for client in trainer_for(1.0):
        agent, _ = await _ready_agent(client)
        metrics = agent["metrics"]
        assert metrics["skill"] == "edge", metrics
        assert metrics["directional_accuracy_ci_low"] > 0.5
        assert metrics["rmse"] < metrics["naive_rmse"]
        # Calibrated on validation, checked on test: confidence means what it says.
        assert metrics["ece"] <= 0.05
        assert metrics["confidence_max"] > metrics["confidence_min"]
        # The split-conformal interval covers what it states, on data it never saw.
        assert abs(metrics["interval_coverage_test"] - metrics["interval_coverage"]) <= 0.03


async def test_a_random_walk_agent_is_served_with_no_edge_and_modest_confidence(
    trainer_for: Callable[[float], Any],
) -> None:
    async for client in trainer_for(0.0):
        agent, tokens = await _ready_agent(client)
        metrics = agent["metrics"]
        assert metrics["skill"] == "no_edge" and metrics["beats_naive_baseline"] is False
        assert metrics["confidence_max"] < 0.65, metrics
        assert abs(metrics["interval_coverage_test"] - metrics["interval_coverage"]) <= 0.05

        request = {
            "user_segment": "quant",
            "stocks": ["AAPL"],
            "data_frequency": "15min",
            "prediction_horizon": "1h",
            "confidence_level": 0.6,
            "agent_ids": {"AAPL": agent["id"]},
        }
        response = await client.post("/api/v1/predict", json=request, headers=bearer(tokens))
        assert response.status_code == 200, response.text
        stock = response.json()["predictions"][0]
        assert stock["skill"] == "no_edge" and stock["confidence"] < 0.65
        assert stock["trade_signal"] == "Hold"
        assert any(w.startswith("This model shows no edge") for w in stock["warnings"])
        assert any(w.startswith("Synthetic data:") for w in stock["warnings"])
