"""`architecture: "auto"`: three architectures trained on one split, the best on
validation loss served; and who gets `auto` when no architecture is named."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from httpx import AsyncClient

from app.config import Settings
from app.models import AgentVersion
from tests.utils.client import runtime_of
from tests.utils.jobs import tiny_agent, wait_for
from tests.utils.users import bearer, user_with_tokens

pytestmark = pytest.mark.parametrize("backend", ["embedded"], indirect=True)
THREE = {"LSTM", "CNN", "Transformer"}


async def test_auto_trains_three_and_serves_the_best_on_validation(
    app_factory: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    client = await app_factory(
        make_settings(heartbeat_interval_s=0.5, progress_write_interval_s=0.2)
    )
    _, tokens = await user_with_tokens(client, user_segment="quant")
    created = await client.post("/api/v1/agents", json=tiny_agent("auto"), headers=bearer(tokens))
    assert created.status_code == 202, created.text
    agent = await wait_for(client, tokens, created.json()["agent_id"], {"READY", "FAILED"})
    assert agent["status"] == "READY", agent["failure_reason"]
    assert agent["architecture"] == "auto"

    async with runtime_of(client).sessionmaker() as session:
        row = await session.get(AgentVersion, uuid.UUID(agent["serving_version_id"]))
        assert row is not None
        board = row.leaderboard
        assert row.architecture in THREE
    assert board is not None and [e["architecture"] for e in board] == [
        "LSTM",
        "CNN",
        "Transformer",
    ]
    chosen = [e for e in board if e["chosen"]]
    assert len(chosen) == 1 and chosen[0]["architecture"] == row.architecture
    trained = [e for e in board if "diverged" not in e]
    assert chosen[0]["best_val_loss"] == min(e["best_val_loss"] for e in trained)
    for entry in trained:  # each candidate's test figures, for comparison
        assert {"test_rmse_ratio_naive", "test_directional_accuracy", "epochs_run"} <= set(entry)

    dashboard = (await client.get("/api/v1/dashboard", headers=bearer(tokens))).json()
    (listed,) = [a for a in dashboard["agents"] if a["agent_id"] == agent["id"]]
    assert [e["architecture"] for e in listed["leaderboard"]] == ["LSTM", "CNN", "Transformer"]


@pytest.mark.parametrize(
    ("segment", "named", "expected"),
    [
        ("short_term_trader", None, "auto"),
        ("investor", None, "auto"),
        ("quant", None, "LSTM"),
        ("short_term_trader", "cnn", "CNN"),
        ("short_term_trader", "LSTM", "LSTM"),
        ("quant", "AUTO", "auto"),
    ],
)
async def test_the_default_architecture_depends_on_who_asks(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    segment: str,
    named: str | None,
    expected: str,
) -> None:
    client: AsyncClient = await app_factory(make_settings(embedded_runner=False))
    _, tokens = await user_with_tokens(client, user_segment=segment)
    body = tiny_agent()
    body["model_preferences"] = {"epochs": 2} if named is None else {"architecture": named}
    if segment == "quant" and named is None:
        body.pop("model_preferences")  # left out altogether: still "not named"
    created = await client.post("/api/v1/agents", json=body, headers=bearer(tokens))
    assert created.status_code == 202, created.text
    agent = (await client.get(created.json()["status_url"], headers=bearer(tokens))).json()
    assert agent["architecture"] == expected
