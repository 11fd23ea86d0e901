"""The first experience of the product, as the design document describes it: the
example agents (SPEC §5's body, for AAPL and MSFT: synthetic 1-minute bars, a 1-hour
horizon, an LSTM of 20 epochs) reach READY, and the example request of SPEC §6,
verbatim, is answered, saying that the data are synthetic. Default settings, full
size: this is what a new user meets, in the embedded mode that README's quick start
runs. (Its two trainings at full size are the suite's longest test; the job queue and
worker of the services mode are the other tests' subject, in both modes.)"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from httpx import AsyncClient

from app.config import Settings
from app.schemas.agents import SEED_AGENT_EXAMPLE
from app.schemas.predictions import SEED_EXAMPLE
from tests.utils.jobs import wait_for
from tests.utils.users import bearer, user_with_tokens


@pytest.fixture
async def api(
    app_factory: Callable[[Settings], Any],
    make_worker_settings: Callable[..., Settings],
) -> AsyncIterator[AsyncClient]:
    settings = make_worker_settings(heartbeat_interval_s=1.0)
    yield await app_factory(settings)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
async def test_the_seed_example_agents_are_ready_and_answer_the_seed_request(
    api: AsyncClient,
) -> None:
    _, tokens = await user_with_tokens(api, user_segment="short_term_trader")
    agents = {}
    for symbol in SEED_EXAMPLE["stocks"]:
        body = {**SEED_AGENT_EXAMPLE, "name": f"{symbol} intraday", "symbol": symbol}
        created = await api.post("/api/v1/agents", json=body, headers=bearer(tokens))
        assert created.status_code == 202, created.text
        agents[symbol] = created.json()["agent_id"]
    for symbol, agent_id in agents.items():
        agent = await wait_for(api, tokens, agent_id, {"READY", "FAILED"}, timeout=600)
        assert agent["status"] == "READY", (symbol, agent["failure_reason"])
        assert agent["metrics"]["skill"] in ("edge", "no_edge")
        assert any(w.startswith("Synthetic data:") for w in agent["data_warnings"])

    response = await api.post("/api/v1/predict", json=SEED_EXAMPLE, headers=bearer(tokens))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [p["symbol"] for p in answer["predictions"]] == SEED_EXAMPLE["stocks"]
    for prediction in answer["predictions"]:
        assert prediction["agent_id"] == agents[prediction["symbol"]]
        assert prediction["trade_signal"] in ("Enter", "Hold")
        assert 0.5 <= prediction["confidence"] < 1.0
        assert any(w.startswith("Synthetic data:") for w in prediction["warnings"])
