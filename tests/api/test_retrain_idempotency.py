"""`Idempotency-Key` on `POST /agents/{id}/retrain`: a retry answers the version the
first request queued; a key used for anything else is a 422; nothing is queued twice."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlmodel import col

from app.config import Settings
from app.models import AgentVersion, IdempotencyKey, Notification, TrainingJob
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


async def retrainable(client: AsyncClient, headers: dict[str, str], **overrides: Any) -> str:
    """A new agent whose first training is cancelled, so a retrain may start."""
    created = await client.post("/api/v1/agents", json=daily_request(**overrides), headers=headers)
    assert created.status_code == 202, created.text
    agent_id: str = created.json()["agent_id"]
    cancelled = await client.post(f"/api/v1/agents/{agent_id}/cancel", headers=headers)
    assert cancelled.status_code == 200, cancelled.text
    return agent_id


async def version_numbers(client: AsyncClient, headers: dict[str, str], agent_id: str) -> list[int]:
    detail = await client.get(f"/api/v1/agents/{agent_id}", headers=headers)
    assert detail.status_code == 200, detail.text
    return [version["number"] for version in detail.json()["versions"]]


async def counts(client: AsyncClient) -> tuple[int, int, int, int]:
    """Rows of the tables a retrain writes: versions, jobs, notifications, keys."""
    runtime = client._transport.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.sessionmaker() as session:
        return tuple(  # type: ignore[return-value]
            [
                int(await session.scalar(select(func.count()).select_from(table)) or 0)
                for table in (AgentVersion, TrainingJob, Notification, IdempotencyKey)
            ]
        )


def retrain(
    client: AsyncClient, agent_id: str, headers: dict[str, str], key: str, **kwargs: Any
) -> Any:
    return client.post(
        f"/api/v1/agents/{agent_id}/retrain",
        headers={**headers, "Idempotency-Key": key},
        **kwargs,
    )


async def test_a_retry_answers_the_same_version_and_queues_nothing(
    quiet_client: AsyncClient,
) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    headers = bearer(tokens)
    agent_id = await retrainable(quiet_client, headers)
    first = await retrain(quiet_client, agent_id, headers, "retrain-1", json={"window": "rolling"})
    assert first.status_code == 202, first.text
    assert "Idempotent-Replayed" not in first.headers
    body = first.json()
    assert body["status"] == "QUEUED" and body["agent_id"] == agent_id
    assert "last_event_id=" in body["events_url"]  # this run's events only
    before = await counts(quiet_client)

    # The same request again; no body and an explicit default body are the same request.
    for again in (
        await retrain(quiet_client, agent_id, headers, "retrain-1", json={"window": "rolling"}),
        await retrain(quiet_client, agent_id, headers, "retrain-1"),
    ):
        assert again.status_code == 202, again.text
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == body
        assert again.headers["Location"] == first.headers["Location"] == body["status_url"]
    assert await counts(quiet_client) == before
    assert await version_numbers(quiet_client, headers, agent_id) == [2, 1]
    detail = (await quiet_client.get(f"/api/v1/agents/{agent_id}", headers=headers)).json()
    assert detail["versions"][0]["id"] == body["version_id"]
    # Without the key, the retrain the first one queued is still pending: 409.
    assert_error(
        await quiet_client.post(f"/api/v1/agents/{agent_id}/retrain", headers=headers), 409
    )


async def test_the_same_key_with_another_body_is_422_and_writes_nothing(
    quiet_client: AsyncClient,
) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    headers = bearer(tokens)
    agent_id = await retrainable(quiet_client, headers)
    first = await retrain(quiet_client, agent_id, headers, "retrain-2")
    assert first.status_code == 202, first.text
    before = await counts(quiet_client)
    changed = await retrain(
        quiet_client, agent_id, headers, "retrain-2", json={"window": "expanding"}
    )
    error = assert_error(changed, 422, "idempotency_key_reused")
    assert [detail["loc"] for detail in error["details"]] == [["header", "Idempotency-Key"]]
    assert await counts(quiet_client) == before
    assert await version_numbers(quiet_client, headers, agent_id) == [2, 1]
    # The key still answers its own request.
    replay = await retrain(quiet_client, agent_id, headers, "retrain-2")
    assert replay.status_code == 202 and replay.json() == first.json()


async def test_the_same_key_on_another_agent_is_422(quiet_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    headers = bearer(tokens)
    first_agent = await retrainable(quiet_client, headers)
    other_agent = await retrainable(quiet_client, headers, symbol="MSFT")
    assert (await retrain(quiet_client, first_agent, headers, "retrain-3")).status_code == 202
    before = await counts(quiet_client)
    other = await retrain(quiet_client, other_agent, headers, "retrain-3")
    error = assert_error(other, 422, "idempotency_key_reused")
    assert error["details"][0]["loc"] == ["header", "Idempotency-Key"]
    assert await counts(quiet_client) == before
    assert await version_numbers(quiet_client, headers, other_agent) == [1]


async def test_a_key_never_crosses_creation_and_retrain(quiet_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    headers = bearer(tokens)
    keyed = {**headers, "Idempotency-Key": "create-key"}
    created = await quiet_client.post("/api/v1/agents", json=daily_request(), headers=keyed)
    assert created.status_code == 202, created.text
    agent_id = created.json()["agent_id"]
    await quiet_client.post(f"/api/v1/agents/{agent_id}/cancel", headers=headers)
    before = await counts(quiet_client)
    # A creation's key does not replay (or start) a retrain of the agent it created...
    assert_error(
        await retrain(quiet_client, agent_id, headers, "create-key"), 422, "idempotency_key_reused"
    )
    assert await counts(quiet_client) == before
    # ...and a retrain's key does not create an agent.
    assert (await retrain(quiet_client, agent_id, headers, "retrain-key")).status_code == 202
    again = await quiet_client.post(
        "/api/v1/agents",
        json=daily_request(),
        headers={**headers, "Idempotency-Key": "retrain-key"},
    )
    assert_error(again, 422, "idempotency_key_reused")
    listing = (await quiet_client.get("/api/v1/agents", headers=headers)).json()
    assert [item["id"] for item in listing["items"]] == [agent_id]
    # The creation key still replays the creation, naming the first version.
    replay = await quiet_client.post("/api/v1/agents", json=daily_request(), headers=keyed)
    assert replay.status_code == 202 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["version_id"] == created.json()["version_id"]
    detail = (await quiet_client.get(f"/api/v1/agents/{agent_id}", headers=headers)).json()
    assert detail["versions"][-1]["id"] == created.json()["version_id"]


async def test_a_key_whose_agent_was_deleted_is_404(quiet_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    headers = bearer(tokens)
    agent_id = await retrainable(quiet_client, headers)
    assert (await retrain(quiet_client, agent_id, headers, "retrain-4")).status_code == 202
    deleted = await quiet_client.delete(f"/api/v1/agents/{agent_id}", headers=headers)
    assert deleted.status_code == 204
    assert_error(
        await retrain(quiet_client, agent_id, headers, "retrain-4"), 404, "agent_not_found"
    )
    runtime = quiet_client._transport.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.sessionmaker() as session:
        key = await session.scalar(
            select(IdempotencyKey).where(col(IdempotencyKey.key) == "retrain-4")
        )
    assert key is not None and (key.agent_id, key.version_id, key.events_after_id) == (
        None,
        None,
        None,
    )


async def test_another_users_key_is_their_own(quiet_client: AsyncClient) -> None:
    """Keys are per user: the same string from another user is a new request."""
    _, owner = await user_with_tokens(quiet_client)
    _, other = await user_with_tokens(quiet_client)
    mine = await retrainable(quiet_client, bearer(owner))
    theirs = await retrainable(quiet_client, bearer(other))
    assert (await retrain(quiet_client, mine, bearer(owner), "shared")).status_code == 202
    assert (await retrain(quiet_client, theirs, bearer(other), "shared")).status_code == 202
    # and another user's agent is 404 whatever the key
    assert_error(await retrain(quiet_client, mine, bearer(other), "shared"), 404, "agent_not_found")


async def test_concurrent_retries_with_one_key_queue_one_version(
    quiet_client: AsyncClient,
) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    headers = bearer(tokens)
    agent_id = await retrainable(quiet_client, headers)
    answers: list[Response] = await asyncio.gather(
        *(retrain(quiet_client, agent_id, headers, "retrain-race") for _ in range(3))
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses[0] == 202 and set(statuses) <= {202, 409}, [a.text for a in answers]
    accepted = {answer.json()["version_id"] for answer in answers if answer.status_code == 202}
    assert len(accepted) == 1
    assert await version_numbers(quiet_client, headers, agent_id) == [2, 1]
    # Once the race is over, a retry replays the winner.
    replay = await retrain(quiet_client, agent_id, headers, "retrain-race")
    assert replay.status_code == 202 and replay.json()["version_id"] in accepted
    uuid.UUID(replay.json()["version_id"])
