"""Agent event streams as a browser meets them: `retry:`, the end of a stream and the
204 that stops EventSource's reconnects, epoch progress, and single-use stream tokens
for an EventSource that cannot send `Authorization`."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from httpx import AsyncClient, Response

from app.config import Settings
from app.models import Agent
from app.models.agents import AgentStatus
from app.security import create_stream_token, create_token, decode_token
from tests.api.test_agents import daily_request
from tests.utils.backends import TEST_SECRET
from tests.utils.client import runtime_of
from tests.utils.errors import assert_error
from tests.utils.users import bearer, user_with_tokens


@pytest.fixture
async def sse_client(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> AsyncClient:
    """Jobs stay QUEUED (no runner); streams poll fast and pass progress at once."""
    client: AsyncClient = await app_factory(
        make_settings(
            embedded_runner=False,
            sse_poll_interval_s=0.02,
            sse_progress_interval_s=0.01,
            sse_retry_ms=2500,
        )
    )
    return client


def parse(text: str) -> list[dict[str, Any]]:
    """The SSE blocks of a body: each a dict of its fields (`data` parsed)."""
    blocks = []
    for raw in text.split("\n\n"):
        fields: dict[str, Any] = {}
        for line in raw.splitlines():
            if line.startswith(":"):
                continue
            name, _, value = line.partition(": ")
            fields[name] = json.loads(value) if name == "data" else value
        if fields:
            blocks.append(fields)
    return blocks


def names(response: Response) -> list[str]:
    return [block["event"] for block in parse(response.text) if "event" in block]


async def new_agent(client: AsyncClient, tokens: dict[str, Any]) -> str:
    created = await client.post("/api/v1/agents", json=daily_request(), headers=bearer(tokens))
    assert created.status_code == 202, created.text
    return str(created.json()["agent_id"])


async def cancel(client: AsyncClient, tokens: dict[str, Any], agent_id: str) -> None:
    response = await client.post(f"/api/v1/agents/{agent_id}/cancel", headers=bearer(tokens))
    assert response.status_code == 200, response.text


async def set_training(client: AsyncClient, agent_id: str, **progress: Any) -> None:
    """What the training job's progress writes leave on the agent's row."""
    async with runtime_of(client).sessionmaker() as session:
        agent = await session.get(Agent, uuid.UUID(agent_id))
        assert agent is not None
        agent.status = AgentStatus.TRAINING
        agent.progress = progress
        session.add(agent)
        await session.commit()


# --- reconnects ---------------------------------------------------------------------------


async def test_retry_line_first_and_a_final_state_ends_the_stream(sse_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(sse_client)
    agent_id = await new_agent(sse_client, tokens)
    await cancel(sse_client, tokens, agent_id)
    response = await sse_client.get(f"/api/v1/agents/{agent_id}/events", headers=bearer(tokens))
    assert response.status_code == 200
    blocks = parse(response.text)
    assert blocks[0] == {"retry": "2500"}
    assert [b["event"] for b in blocks[1:]] == ["agent.queued", "agent.cancelled"]
    assert all(b["id"].isdigit() for b in blocks[1:])


async def test_a_reconnect_after_the_final_event_is_204(sse_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(sse_client)
    agent_id = await new_agent(sse_client, tokens)
    await cancel(sse_client, tokens, agent_id)
    url = f"/api/v1/agents/{agent_id}/events"
    ids = [
        int(b["id"]) for b in parse((await sse_client.get(url, headers=bearer(tokens))).text)[1:]
    ]
    final = ids[-1]
    for seen in (final, final + 1000):  # at or after the final event
        response = await asyncio.wait_for(
            sse_client.get(url, headers={**bearer(tokens), "Last-Event-ID": str(seen)}), 5
        )
        assert response.status_code == 204 and response.content == b""
        # a new EventSource cannot send the header: the query parameter says the same
        response = await asyncio.wait_for(
            sse_client.get(url, params={"last_event_id": seen}, headers=bearer(tokens)), 5
        )
        assert response.status_code == 204
    # before the final event: the rest of the story, then the end
    response = await sse_client.get(url, headers={**bearer(tokens), "Last-Event-ID": str(ids[0])})
    assert response.status_code == 200 and names(response) == ["agent.cancelled"]


async def test_a_retrained_agent_streams_past_its_earlier_final_state(
    sse_client: AsyncClient,
) -> None:
    _, tokens = await user_with_tokens(sse_client)
    agent_id = await new_agent(sse_client, tokens)
    await cancel(sse_client, tokens, agent_id)
    url = f"/api/v1/agents/{agent_id}/events"
    final = parse((await sse_client.get(url, headers=bearer(tokens))).text)[-1]["id"]
    retrained = await sse_client.post(f"/api/v1/agents/{agent_id}/retrain", headers=bearer(tokens))
    assert retrained.status_code == 202, retrained.text
    stream = asyncio.create_task(
        sse_client.get(url, headers={**bearer(tokens), "Last-Event-ID": final})
    )
    whole = asyncio.create_task(sse_client.get(url, headers=bearer(tokens)))
    await asyncio.sleep(0.3)
    assert not stream.done() and not whole.done()  # QUEUED again: both stay open
    await cancel(sse_client, tokens, agent_id)
    response = await asyncio.wait_for(stream, 5)
    assert names(response) == ["agent.queued", "agent.cancelled"]
    assert names(await asyncio.wait_for(whole, 5)) == ["agent.queued", "agent.cancelled"] * 2


async def test_deleting_the_agent_ends_its_stream(sse_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(sse_client)
    agent_id = await new_agent(sse_client, tokens)
    stream = asyncio.create_task(
        sse_client.get(f"/api/v1/agents/{agent_id}/events", headers=bearer(tokens))
    )
    await asyncio.sleep(0.2)
    assert not stream.done()
    await sse_client.delete(f"/api/v1/agents/{agent_id}", headers=bearer(tokens))
    assert (await asyncio.wait_for(stream, 5)).status_code == 200


# --- progress -----------------------------------------------------------------------------


async def test_epoch_progress_is_streamed_without_an_id_and_not_stored(
    sse_client: AsyncClient,
) -> None:
    _, tokens = await user_with_tokens(sse_client)
    agent_id = await new_agent(sse_client, tokens)
    stream = asyncio.create_task(
        sse_client.get(f"/api/v1/agents/{agent_id}/events", headers=bearer(tokens))
    )
    await asyncio.sleep(0.1)
    await set_training(sse_client, agent_id, epoch=1, epochs=3, loss=0.5, val_loss=0.6)
    await asyncio.sleep(0.2)
    await set_training(sse_client, agent_id, epoch=2, epochs=3, loss=0.4, val_loss=0.5)
    await asyncio.sleep(0.2)
    await cancel(sse_client, tokens, agent_id)
    blocks = parse((await asyncio.wait_for(stream, 5)).text)
    progress = [b for b in blocks if b.get("event") == "agent.progress"]
    assert [p["data"]["epoch"] for p in progress] == [1, 2]  # each change once
    assert progress[0]["data"] == {
        "agent_id": agent_id,
        "status": "TRAINING",
        "epoch": 1,
        "epochs": 3,
        "loss": 0.5,
        "val_loss": 0.6,
    }
    assert all("id" not in p for p in progress)  # Last-Event-ID stays the last state change
    assert blocks[-1]["event"] == "agent.cancelled"
    notes = (
        await sse_client.get(
            "/api/v1/notifications", params={"agent_id": agent_id}, headers=bearer(tokens)
        )
    ).json()["items"]
    assert "agent.progress" not in [n["event"] for n in notes]


async def test_progress_is_sent_at_most_once_per_interval(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    client = await app_factory(
        make_settings(embedded_runner=False, sse_poll_interval_s=0.02, sse_progress_interval_s=30)
    )
    _, tokens = await user_with_tokens(client)
    agent_id = await new_agent(client, tokens)
    stream = asyncio.create_task(
        client.get(f"/api/v1/agents/{agent_id}/events", headers=bearer(tokens))
    )
    for epoch in range(1, 6):
        await set_training(client, agent_id, epoch=epoch, epochs=5, loss=1.0 / epoch)
        await asyncio.sleep(0.08)
    await cancel(client, tokens, agent_id)
    assert names(await asyncio.wait_for(stream, 5)).count("agent.progress") == 1


def test_the_default_progress_interval_is_a_second() -> None:
    assert Settings(environment="test").sse_progress_interval_s == 1.0


# --- stream tokens ------------------------------------------------------------------------


async def stream_token(client: AsyncClient, tokens: dict[str, Any], agent_id: str) -> Response:
    return await client.post(f"/api/v1/agents/{agent_id}/events/token", headers=bearer(tokens))


async def test_a_stream_token_opens_the_stream_once(sse_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(sse_client)
    agent_id = await new_agent(sse_client, tokens)
    await cancel(sse_client, tokens, agent_id)
    issued = await stream_token(sse_client, tokens, agent_id)
    assert issued.status_code == 200, issued.text
    body = issued.json()
    assert body["token_type"] == "stream" and 0 < body["expires_in"] <= 60
    assert body["events_url"].startswith(f"/api/v1/agents/{agent_id}/events?token=")
    assert parse_qs(urlsplit(body["events_url"]).query)["token"] == [body["token"]]
    first = await sse_client.get(body["events_url"])  # no Authorization: what EventSource sends
    assert first.status_code == 200, first.text
    assert names(first) == ["agent.queued", "agent.cancelled"]
    second = await sse_client.get(body["events_url"])
    assert_error(second, 401, "unauthorized")
    assert second.headers["WWW-Authenticate"] == "Bearer"


async def test_a_stream_token_is_for_its_own_agent_and_owner_only(
    sse_client: AsyncClient,
) -> None:
    _, owner = await user_with_tokens(sse_client)
    _, other = await user_with_tokens(sse_client)
    agent_id, second_agent = await new_agent(sse_client, owner), await new_agent(sse_client, owner)
    # another user asks for one: the agent does not exist for them
    assert_error(await stream_token(sse_client, other, agent_id), 404, "agent_not_found")
    assert_error(await stream_token(sse_client, owner, str(uuid.uuid4())), 404)
    assert_error(
        await sse_client.post(f"/api/v1/agents/{agent_id}/events/token"), 401, "unauthorized"
    )
    token = (await stream_token(sse_client, owner, agent_id)).json()["token"]
    # on another agent's events URL (even the owner's): refused, and the token not spent
    assert_error(
        await sse_client.get(f"/api/v1/agents/{second_agent}/events", params={"token": token}),
        401,
    )
    # nor is it a bearer anywhere
    assert_error(
        await sse_client.get(
            f"/api/v1/agents/{agent_id}", headers={"Authorization": f"Bearer {token}"}
        ),
        401,
    )
    await cancel(sse_client, owner, agent_id)
    response = await sse_client.get(f"/api/v1/agents/{agent_id}/events", params={"token": token})
    assert response.status_code == 200 and names(response)[-1] == "agent.cancelled"


async def test_an_access_token_in_the_url_is_refused(sse_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(sse_client)
    agent_id = await new_agent(sse_client, tokens)
    await cancel(sse_client, tokens, agent_id)
    url = f"/api/v1/agents/{agent_id}/events"
    response = await sse_client.get(url, params={"token": tokens["access_token"]})
    assert_error(response, 401, "unauthorized")
    # and a refresh token neither
    assert_error(await sse_client.get(url, params={"token": tokens["refresh_token"]}), 401)


async def test_an_expired_or_forged_stream_token_is_refused(sse_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(sse_client)
    agent_id = await new_agent(sse_client, tokens)
    await cancel(sse_client, tokens, agent_id)
    parent = decode_token(tokens["access_token"], secret=TEST_SECRET, expected_type="access")
    url = f"/api/v1/agents/{agent_id}/events"
    expired, _ = create_stream_token(
        secret=TEST_SECRET, parent=parent, agent_id=agent_id, ttl=timedelta(seconds=-5)
    )
    assert_error(await sse_client.get(url, params={"token": expired}), 401)
    forged, _ = create_stream_token(
        secret="x" * 48, parent=parent, agent_id=agent_id, ttl=timedelta(seconds=60)
    )
    assert_error(await sse_client.get(url, params={"token": forged}), 401)
    good, _ = create_stream_token(
        secret=TEST_SECRET, parent=parent, agent_id=agent_id, ttl=timedelta(seconds=60)
    )
    assert (await sse_client.get(url, params={"token": good})).status_code == 200


async def test_the_ttl_is_a_setting_and_never_outlives_the_access_token(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    client = await app_factory(make_settings(embedded_runner=False, stream_token_ttl_s=5))
    user, tokens = await user_with_tokens(client)
    agent_id = await new_agent(client, tokens)
    assert 0 < (await stream_token(client, tokens, agent_id)).json()["expires_in"] <= 5
    short, _ = create_token(
        secret=TEST_SECRET,
        subject=user["id"],
        token_type="access",
        family=uuid.uuid4().hex,
        ttl=timedelta(seconds=2),
    )
    issued = await stream_token(client, {"access_token": short}, agent_id)
    assert issued.json()["expires_in"] <= 2


async def test_logout_refuses_an_unused_stream_token_and_ends_its_stream(
    sse_client: AsyncClient,
) -> None:
    _, tokens = await user_with_tokens(sse_client)
    agent_id = await new_agent(sse_client, tokens)
    url = f"/api/v1/agents/{agent_id}/events"
    opened = (await stream_token(sse_client, tokens, agent_id)).json()["token"]
    unused = (await stream_token(sse_client, tokens, agent_id)).json()["token"]
    stream = asyncio.create_task(sse_client.get(url, params={"token": opened}))
    await asyncio.sleep(0.2)
    assert not stream.done()  # QUEUED: open
    assert (await sse_client.post("/api/v1/auth/logout", headers=bearer(tokens))).status_code == 204
    assert (await asyncio.wait_for(stream, 5)).status_code == 200
    assert_error(await sse_client.get(url, params={"token": unused}), 401)
