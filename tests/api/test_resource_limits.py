"""OWASP API4 (unrestricted resource consumption): every list is paged with a
ceiling, every request that could tie up the worker is bounded (docs/SECURITY.md)."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from tests.utils.users import bearer, user_with_tokens


@pytest.mark.parametrize("path", ["/api/v1/agents", "/api/v1/predictions", "/api/v1/notifications"])
@pytest.mark.parametrize("limit", [0, 101, 100_000])
async def test_page_sizes_have_a_ceiling(client: AsyncClient, path: str, limit: int) -> None:
    _, tokens = await user_with_tokens(client)
    response = await client.get(f"{path}?limit={limit}", headers=bearer(tokens))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["loc"] == ["query", "limit"]


def _agent(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "symbol": "AAPL",
        "start_date": "2020-01-01",
        "end_date": "2023-12-31",
        "data_frequency": "1d",
        "prediction_horizon": "1d",
        "model_preferences": {"architecture": "LSTM", "epochs": 5},
    }
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        (
            {"model_preferences": {"architecture": "LSTM", "epochs": 201}},
            ["model_preferences", "epochs"],
        ),
        (
            {"model_preferences": {"architecture": "LSTM", "units": 10_000}},
            ["model_preferences", "units"],
        ),
        (
            {"model_preferences": {"architecture": "LSTM", "lookback": 100_000}},
            ["model_preferences", "lookback"],
        ),
        (
            {"data_frequency": "1min", "prediction_horizon": "1h", "start_date": "1990-01-01"},
            ["start_date"],
        ),
        ({"features": ["SMA"] * 21}, ["features"]),
        ({"name": "x" * 121}, ["name"]),
    ],
)
async def test_requests_that_would_tie_up_the_worker_are_refused(
    client: AsyncClient,
    changes: dict[str, Any],
    loc: list[str],
) -> None:
    _, tokens = await user_with_tokens(client, user_segment="quant")
    response = await client.post("/api/v1/agents", json=_agent(**changes), headers=bearer(tokens))
    assert response.status_code == 422, response.text
    assert any(d["loc"][1 : len(loc) + 1] == loc for d in response.json()["error"]["details"])


async def test_a_predict_for_too_many_stocks_is_refused(client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(client)
    stocks = [f"S{i}" for i in range(21)]
    response = await client.post(
        "/api/v1/predict",
        headers=bearer(tokens),
        json={
            "user_segment": "short_term_trader",
            "stocks": stocks,
            "data_frequency": "1d",
            "prediction_horizon": "1d",
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"] == ["body", "stocks"]
