"""`retrain_policy` on agent creation: a policy that asks for nothing is a 422 naming it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from httpx import AsyncClient

from app.config import Settings
from app.schemas.agents import SEED_AGENT_EXAMPLE
from tests.utils.errors import assert_error
from tests.utils.users import bearer, user_with_tokens


def daily_request(**overrides: Any) -> dict[str, Any]:
    body = {
        **SEED_AGENT_EXAMPLE,
        "name": "daily",
        "data_frequency": "1d",
        "prediction_horizon": "1d",
        "start_date": "2019-01-01",
        "end_date": "2024-12-31",
    }
    body.update(overrides)
    return body


@pytest.fixture
async def quiet_client(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> AsyncClient:
    """An app whose jobs stay QUEUED: no embedded runner, no worker."""
    client: AsyncClient = await app_factory(make_settings(embedded_runner=False))
    return client


BAD_POLICIES = [
    ("empty", {}, ["retrain_policy", "when_stale"]),
    ("nothing asked", {"every_bars": None, "when_stale": False}, ["retrain_policy", "when_stale"]),
    ("zero bars", {"every_bars": 0}, ["retrain_policy", "every_bars"]),
    ("too many bars", {"every_bars": 100_001}, ["retrain_policy", "every_bars"]),
    ("unknown key", {"every_bars": 5, "cron": "daily"}, ["retrain_policy", "cron"]),
    ("not a bool", {"when_stale": "often"}, ["retrain_policy", "when_stale"]),
]


@pytest.mark.parametrize(("case", "policy", "loc"), BAD_POLICIES, ids=[c[0] for c in BAD_POLICIES])
async def test_a_bad_policy_is_422_with_field_and_writes_nothing(
    quiet_client: AsyncClient, case: str, policy: dict[str, Any], loc: list[str]
) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    response = await quiet_client.post(
        "/api/v1/agents", json=daily_request(retrain_policy=policy), headers=bearer(tokens)
    )
    error = assert_error(response, 422, None)
    assert any(detail["loc"][1 : len(loc) + 1] == loc for detail in error["details"]), error
    listing = (await quiet_client.get("/api/v1/agents", headers=bearer(tokens))).json()
    assert listing["items"] == []


@pytest.mark.parametrize(
    "policy", [{"every_bars": 20}, {"when_stale": True}, {"every_bars": 5, "when_stale": True}]
)
async def test_a_good_policy_is_accepted(quiet_client: AsyncClient, policy: dict[str, Any]) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    response = await quiet_client.post(
        "/api/v1/agents", json=daily_request(retrain_policy=policy), headers=bearer(tokens)
    )
    assert response.status_code == 202, response.text
