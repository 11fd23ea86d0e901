"""`retrain_policy` on agent creation and `PATCH /agents/{id}`: a policy that asks for
nothing is a 422 naming it, and a refused change writes nothing."""

from __future__ import annotations

import uuid
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


async def _agent(client: AsyncClient, tokens: Any, **overrides: Any) -> str:
    created = await client.post(
        "/api/v1/agents", json=daily_request(**overrides), headers=bearer(tokens)
    )
    assert created.status_code == 202, created.text
    agent_id: str = created.json()["agent_id"]
    return agent_id


async def _audit_actions(client: AsyncClient, agent_id: str) -> list[str]:
    from sqlalchemy import select

    from app.models import AuditLog

    runtime = client._transport.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.sessionmaker() as session:
        rows = (await session.scalars(select(AuditLog).order_by(AuditLog.id))).all()  # type: ignore[arg-type]
    return [row.action for row in rows if (row.details or {}).get("agent_id") == agent_id]


async def test_patch_sets_replaces_and_clears_the_policy(quiet_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    agent_id = await _agent(quiet_client, tokens)
    url = f"/api/v1/agents/{agent_id}"
    before = (await quiet_client.get(url, headers=bearer(tokens))).json()
    assert before["retrain_policy"] is None

    set_ = await quiet_client.patch(
        url, json={"retrain_policy": {"every_bars": 20}}, headers=bearer(tokens)
    )
    assert set_.status_code == 200, set_.text
    body = set_.json()
    assert body["retrain_policy"] == {"every_bars": 20, "when_stale": False}
    assert body["id"] == agent_id and [v["number"] for v in body["versions"]] == [1]
    assert (await quiet_client.get(url, headers=bearer(tokens))).json() == body

    # The policy is replaced whole, not merged.
    replaced = await quiet_client.patch(
        url, json={"retrain_policy": {"when_stale": True}}, headers=bearer(tokens)
    )
    assert replaced.json()["retrain_policy"] == {"every_bars": None, "when_stale": True}

    cleared = await quiet_client.patch(url, json={"retrain_policy": None}, headers=bearer(tokens))
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["retrain_policy"] is None
    assert (await quiet_client.get(url, headers=bearer(tokens))).json()["retrain_policy"] is None
    assert (await _audit_actions(quiet_client, agent_id)).count("agent.updated") == 3


BAD_PATCHES = [
    *[(case, {"retrain_policy": policy}, ["body", *loc]) for case, policy, loc in BAD_POLICIES],
    ("missing field", {}, ["body", "retrain_policy"]),
    ("unknown field", {"retrain_policy": None, "symbol": "MSFT"}, ["body", "symbol"]),
    ("not an object", {"retrain_policy": 5}, ["body", "retrain_policy"]),
]


@pytest.mark.parametrize(("case", "body", "loc"), BAD_PATCHES, ids=[c[0] for c in BAD_PATCHES])
async def test_a_bad_patch_is_422_with_field_and_writes_nothing(
    quiet_client: AsyncClient, case: str, body: dict[str, Any], loc: list[str]
) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    agent_id = await _agent(quiet_client, tokens, retrain_policy={"every_bars": 7})
    url = f"/api/v1/agents/{agent_id}"
    before = (await quiet_client.get(url, headers=bearer(tokens))).json()
    error = assert_error(
        await quiet_client.patch(url, json=body, headers=bearer(tokens)), 422, None
    )
    assert any(detail["loc"][: len(loc)] == loc for detail in error["details"]), error
    assert (await quiet_client.get(url, headers=bearer(tokens))).json() == before
    assert "agent.updated" not in await _audit_actions(quiet_client, agent_id)


async def test_patch_of_another_users_agent_is_404(quiet_client: AsyncClient) -> None:
    _, owner = await user_with_tokens(quiet_client)
    _, other = await user_with_tokens(quiet_client)
    agent_id = await _agent(quiet_client, owner)
    url = f"/api/v1/agents/{agent_id}"
    policy = {"retrain_policy": {"when_stale": True}}
    assert_error(
        await quiet_client.patch(url, json=policy, headers=bearer(other)), 404, "agent_not_found"
    )
    assert_error(
        await quiet_client.patch(
            f"/api/v1/agents/{uuid.uuid4()}", json=policy, headers=bearer(owner)
        ),
        404,
        "agent_not_found",
    )
    assert (await quiet_client.get(url, headers=bearer(owner))).json()["retrain_policy"] is None
    unauthenticated = await quiet_client.patch(url, json=policy)
    assert unauthenticated.status_code == 401
