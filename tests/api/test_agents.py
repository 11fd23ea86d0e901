"""Agent creation and management over HTTP (training itself: tests/tasks)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient

from app.config import Settings
from app.models.agents import AgentStatus
from app.schemas.agents import SEED_AGENT_EXAMPLE
from app.schemas.notifications import NotificationEvent
from tests.utils.errors import assert_error
from tests.utils.users import bearer, user_with_tokens

SPEC_EXAMPLE: dict[str, Any] = dict(SEED_AGENT_EXAMPLE)  # a copy: tests build on it


def daily_request(**overrides: Any) -> dict[str, Any]:
    body = {
        **SPEC_EXAMPLE,
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


async def test_create_returns_202_with_urls_and_location(quiet_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    response = await quiet_client.post("/api/v1/agents", json=SPEC_EXAMPLE, headers=bearer(tokens))
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "QUEUED"
    assert body["status_url"].endswith(f"/api/v1/agents/{body['agent_id']}")
    assert body["events_url"].endswith(f"/api/v1/agents/{body['agent_id']}/events")
    assert response.headers["Location"] == body["status_url"]
    detail = (await quiet_client.get(body["status_url"], headers=bearer(tokens))).json()
    assert detail["symbol"] == "AAPL" and detail["architecture"] == "LSTM"
    assert detail["features"] == ["SMA", "EMA", "MACD", "volatility"]
    assert detail["versions"][0]["number"] == 1 and detail["versions"][0]["status"] == "QUEUED"
    assert "user_id" not in detail


async def test_a_synthetic_agent_says_its_data_are_synthetic(quiet_client: AsyncClient) -> None:
    from app.models import Agent

    _, tokens = await user_with_tokens(quiet_client)
    created = await quiet_client.post(
        "/api/v1/agents", json=daily_request(), headers=bearer(tokens)
    )
    assert created.status_code == 202, created.text
    url = created.json()["status_url"]
    detail = (await quiet_client.get(url, headers=bearer(tokens))).json()
    assert detail["data_source"] == "synthetic"
    assert len(detail["data_warnings"]) == 1
    warning = detail["data_warnings"][0]
    assert warning.startswith("Synthetic data: AAPL's bars") and "never to trade" in warning
    listed = (await quiet_client.get("/api/v1/agents", headers=bearer(tokens))).json()
    assert listed["items"][0]["data_warnings"] == [warning]
    # the same agent on a CSV file: real prices, nothing to warn about (the field stays)
    runtime = quiet_client._transport.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.sessionmaker() as session:
        agent = await session.get(Agent, uuid.UUID(created.json()["agent_id"]))
        assert agent is not None
        agent.data_source = "csv"
        session.add(agent)
        await session.commit()
    detail = (await quiet_client.get(url, headers=bearer(tokens))).json()
    assert detail["data_source"] == "csv" and detail["data_warnings"] == []


@pytest.mark.parametrize("path", ["/api/v1/create-model", "/api/v1/create-agent"])
async def test_seed_aliases_create_agents(quiet_client: AsyncClient, path: str) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    response = await quiet_client.post(path, json=daily_request(), headers=bearer(tokens))
    assert response.status_code == 202, response.text


def _future() -> str:
    return (datetime.now(UTC).date() + timedelta(days=5)).isoformat()


BAD_REQUESTS: list[tuple[str, dict[str, Any], list[str]]] = [
    ("end before start", {"start_date": "2024-06-01", "end_date": "2024-01-01"}, ["end_date"]),
    ("future end", {"end_date": "FUTURE"}, ["end_date"]),
    ("unknown frequency", {"data_frequency": "2min"}, ["data_frequency"]),
    ("unknown horizon", {"prediction_horizon": "soon"}, ["prediction_horizon"]),
    (
        "horizon not whole bars",
        {"data_frequency": "1h", "prediction_horizon": "90min"},
        ["prediction_horizon"],
    ),
    ("range too short", {"start_date": "2024-12-01", "end_date": "2024-12-31"}, ["start_date"]),
    ("unknown feature", {"features": ["SMA", "ICHIMOKU"]}, ["features"]),
    (
        "unknown architecture",
        {"model_preferences": {"architecture": "GPT"}},
        ["model_preferences", "architecture"],
    ),
    (
        "epochs too many",
        {"model_preferences": {"architecture": "LSTM", "epochs": 10_000}},
        ["model_preferences", "epochs"],
    ),
    (
        "epochs zero",
        {"model_preferences": {"architecture": "LSTM", "epochs": 0}},
        ["model_preferences", "epochs"],
    ),
    (
        "advanced prefs from a trader",
        {"model_preferences": {"architecture": "CNN", "units": 64}},
        ["model_preferences", "units"],
    ),
    ("unconfigured source", {"data_source": "refinitiv"}, ["data_source"]),
    ("bad ticker", {"symbol": "not a ticker!"}, ["symbol"]),
    ("unknown field", {"status": "READY"}, ["status"]),
    (
        "capital at risk too high",
        {"risk_params": {"capital_at_risk": 0.5}},
        ["risk_params", "capital_at_risk"],
    ),
    ("loopback callback", {"callback_url": "http://127.0.0.1:9/hook"}, ["callback_url"]),
    ("csv file missing", {"data_source": "csv", "symbol": "ACME"}, ["symbol"]),
]


@pytest.mark.parametrize(("case", "changes", "loc"), BAD_REQUESTS, ids=[c[0] for c in BAD_REQUESTS])
async def test_bad_creation_is_422_with_field_and_writes_nothing(
    quiet_client: AsyncClient,
    case: str,
    changes: dict[str, Any],
    loc: list[str],
) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    body = daily_request(**{k: (_future() if v == "FUTURE" else v) for k, v in changes.items()})
    response = await quiet_client.post("/api/v1/agents", json=body, headers=bearer(tokens))
    error = assert_error(response, 422, None)
    assert any(detail["loc"][1 : len(loc) + 1] == loc for detail in error["details"]), error
    if case == "unconfigured source":
        assert "REFINITIV" in error["message"]
    if case == "unknown feature":  # the enum's own message, listing the allowed ones
        assert any(
            d["loc"] == ["body", "features", 1] and "'SMA'" in d["msg"] for d in error["details"]
        ), error
    if case == "csv file missing":  # where the file belongs, and what it looks like
        assert "1d/ACME.csv" in error["message"] and "Date,Open" in error["message"], error
    if case == "loopback callback":
        assert any("ALLOW_PRIVATE_CALLBACKS" in detail["msg"] for detail in error["details"])
    listing = (await quiet_client.get("/api/v1/agents", headers=bearer(tokens))).json()
    assert listing["items"] == []


async def test_quant_may_set_advanced_preferences(quiet_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(quiet_client, user_segment="quant")
    prefs = {
        "architecture": "transformer",
        "epochs": 3,
        "lookback": 20,
        "units": 16,
        "layers": 1,
        "dropout": 0.1,
        "learning_rate": 0.001,
        "batch_size": 64,
    }
    response = await quiet_client.post(
        "/api/v1/agents", json=daily_request(model_preferences=prefs), headers=bearer(tokens)
    )
    assert response.status_code == 202, response.text
    agent = (await quiet_client.get(response.json()["status_url"], headers=bearer(tokens))).json()
    assert agent["architecture"] == "Transformer"
    assert agent["hyperparameters"]["units"] == 16 and agent["hyperparameters"]["lookback"] == 20


async def test_any_letter_case_is_accepted_and_stored_canonical(quiet_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    body = daily_request(data_frequency=" 1D ", features=["sma", "Rsi", "SMA"])
    response = await quiet_client.post("/api/v1/agents", json=body, headers=bearer(tokens))
    assert response.status_code == 202, response.text
    agent = (await quiet_client.get(response.json()["status_url"], headers=bearer(tokens))).json()
    assert agent["data_frequency"] == "1d"
    assert agent["features"] == ["SMA", "RSI"]
    listing = await quiet_client.get(
        "/api/v1/agents",
        params={"architecture": "lstm", "data_frequency": "1D"},
        headers=bearer(tokens),
    )
    assert [item["id"] for item in listing.json()["items"]] == [agent["id"]]


async def test_an_unknown_list_filter_is_422_naming_it(quiet_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    response = await quiet_client.get(
        "/api/v1/agents", params={"architecture": "GPT"}, headers=bearer(tokens)
    )
    error = assert_error(response, 422, None)
    [detail] = error["details"]
    assert detail["loc"] == ["query", "architecture"]
    assert "'LSTM'" in detail["msg"]


async def test_idempotency_key_returns_the_same_agent(quiet_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    headers = {**bearer(tokens), "Idempotency-Key": "create-1"}
    first = await quiet_client.post("/api/v1/agents", json=daily_request(), headers=headers)
    again = await quiet_client.post("/api/v1/agents", json=daily_request(), headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json()["agent_id"] == again.json()["agent_id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    changed = await quiet_client.post(
        "/api/v1/agents", json=daily_request(symbol="MSFT"), headers=headers
    )
    assert_error(changed, 422, "idempotency_key_reused")
    listing = (await quiet_client.get("/api/v1/agents", headers=bearer(tokens))).json()
    assert len(listing["items"]) == 1


async def test_retrain_answers_202_with_location(quiet_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    headers = bearer(tokens)
    agent_id = (
        await quiet_client.post("/api/v1/agents", json=daily_request(), headers=headers)
    ).json()["agent_id"]
    busy = await quiet_client.post(f"/api/v1/agents/{agent_id}/retrain", headers=headers)
    assert_error(busy, 409)  # its first training is still queued
    await quiet_client.post(f"/api/v1/agents/{agent_id}/cancel", headers=headers)
    response = await quiet_client.post(f"/api/v1/agents/{agent_id}/retrain", headers=headers)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "QUEUED" and body["agent_id"] == agent_id
    assert response.headers["Location"] == body["status_url"]
    assert body["status_url"].endswith(f"/api/v1/agents/{agent_id}")
    assert response.headers["RateLimit-Policy"].startswith('"agent_create";')
    detail = (await quiet_client.get(response.headers["Location"], headers=headers)).json()
    assert [v["number"] for v in detail["versions"]] == [2, 1]


async def test_delete_sends_the_rate_limit_headers(quiet_client: AsyncClient) -> None:
    """A 204 built by the route once dropped the headers the limiter set."""
    _, tokens = await user_with_tokens(quiet_client)
    agent_id = (
        await quiet_client.post("/api/v1/agents", json=daily_request(), headers=bearer(tokens))
    ).json()["agent_id"]
    response = await quiet_client.delete(f"/api/v1/agents/{agent_id}", headers=bearer(tokens))
    assert response.status_code == 204 and response.content == b""
    assert response.headers["RateLimit-Policy"].startswith('"default";')
    assert response.headers["RateLimit"].startswith('"default";')


async def test_list_filters_and_keyset_pagination(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    client = await app_factory(
        make_settings(embedded_runner=False, max_active_trainings_per_user=10)
    )
    _, tokens = await user_with_tokens(client)
    created = []
    for symbol in ("AAPL", "MSFT", "IBM", "AAPL", "GOOG"):
        response = await client.post(
            "/api/v1/agents", json=daily_request(symbol=symbol), headers=bearer(tokens)
        )
        created.append(response.json()["agent_id"])
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/agents", params=params, headers=bearer(tokens))).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(created))
    aapl = (
        await client.get("/api/v1/agents", params={"symbol": "aapl"}, headers=bearer(tokens))
    ).json()
    assert {item["symbol"] for item in aapl["items"]} == {"AAPL"} and len(aapl["items"]) == 2
    assert_error(
        await client.get("/api/v1/agents", params={"limit": 1000}, headers=bearer(tokens)), 422
    )
    assert_error(
        await client.get("/api/v1/agents", params={"cursor": "garbage!"}, headers=bearer(tokens)),
        422,
    )


async def test_concurrent_trainings_per_user_are_capped(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    client = await app_factory(
        make_settings(embedded_runner=False, max_active_trainings_per_user=2)
    )
    _, tokens = await user_with_tokens(client)
    for _ in range(2):
        ok = await client.post("/api/v1/agents", json=daily_request(), headers=bearer(tokens))
        assert ok.status_code == 202
    assert_error(
        await client.post("/api/v1/agents", json=daily_request(), headers=bearer(tokens)),
        409,
        "too_many_trainings",
    )


async def test_cancel_a_queued_agent_and_notifications(quiet_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    agent_id = (
        await quiet_client.post("/api/v1/agents", json=daily_request(), headers=bearer(tokens))
    ).json()["agent_id"]
    cancelled = await quiet_client.post(f"/api/v1/agents/{agent_id}/cancel", headers=bearer(tokens))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "CANCELLED"
    assert_error(
        await quiet_client.post(f"/api/v1/agents/{agent_id}/cancel", headers=bearer(tokens)), 409
    )
    notes = (await quiet_client.get("/api/v1/notifications", headers=bearer(tokens))).json()
    assert [n["event"] for n in notes["items"]] == ["agent.cancelled", "agent.queued"]
    marked = await quiet_client.post("/api/v1/notifications/read", json={}, headers=bearer(tokens))
    assert marked.json() == {"marked": 2}
    unread = (
        await quiet_client.get(
            "/api/v1/notifications", params={"unread": True}, headers=bearer(tokens)
        )
    ).json()
    assert unread["items"] == []


async def test_notifications_filter_by_event(quiet_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    agent_id = (
        await quiet_client.post("/api/v1/agents", json=daily_request(), headers=bearer(tokens))
    ).json()["agent_id"]
    await quiet_client.post(f"/api/v1/agents/{agent_id}/cancel", headers=bearer(tokens))

    async def events(**params: Any) -> Any:
        return await quiet_client.get(
            "/api/v1/notifications", params=params, headers=bearer(tokens)
        )

    assert [n["event"] for n in (await events(event="agent.cancelled")).json()["items"]] == [
        "agent.cancelled"
    ]
    assert [n["event"] for n in (await events(event="agent.queued")).json()["items"]] == [
        "agent.queued"
    ]
    assert (await events(event="agent.ready")).json()["items"] == []
    error = assert_error(await events(event="agent.exploded"), 422)
    detail = next(d for d in error["details"] if d["loc"][-1] == "event")
    for known in NotificationEvent:
        assert known.value in detail["msg"]


def test_notification_events_are_the_agent_states() -> None:
    assert {e.value for e in NotificationEvent} == {f"agent.{s.lower()}" for s in AgentStatus}


async def test_events_stream_ends_after_a_final_state(quiet_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    agent_id = (
        await quiet_client.post("/api/v1/agents", json=daily_request(), headers=bearer(tokens))
    ).json()["agent_id"]
    await quiet_client.post(f"/api/v1/agents/{agent_id}/cancel", headers=bearer(tokens))
    response = await quiet_client.get(f"/api/v1/agents/{agent_id}/events", headers=bearer(tokens))
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [
        line.split(": ", 1)[1] for line in response.text.splitlines() if line.startswith("event: ")
    ]
    assert events == ["agent.queued", "agent.cancelled"]


async def test_delete_removes_the_agent(quiet_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    agent_id = (
        await quiet_client.post("/api/v1/agents", json=daily_request(), headers=bearer(tokens))
    ).json()["agent_id"]
    assert (
        await quiet_client.delete(f"/api/v1/agents/{agent_id}", headers=bearer(tokens))
    ).status_code == 204
    assert_error(
        await quiet_client.get(f"/api/v1/agents/{agent_id}", headers=bearer(tokens)),
        404,
        "agent_not_found",
    )


async def test_another_users_agent_is_404_on_every_route(quiet_client: AsyncClient) -> None:
    _, owner = await user_with_tokens(quiet_client)
    _, other = await user_with_tokens(quiet_client)
    agent_id = (
        await quiet_client.post("/api/v1/agents", json=daily_request(), headers=bearer(owner))
    ).json()["agent_id"]
    for method, path in [
        ("GET", ""),
        ("POST", "/cancel"),
        ("POST", "/retrain"),
        ("DELETE", ""),
        ("GET", "/events"),
    ]:
        response = await quiet_client.request(
            method, f"/api/v1/agents/{agent_id}{path}", headers=bearer(other)
        )
        assert_error(response, 404, "agent_not_found")
    assert_error(
        await quiet_client.get(f"/api/v1/agents/{uuid.uuid4()}", headers=bearer(owner)), 404
    )
    listing = (await quiet_client.get("/api/v1/agents", headers=bearer(other))).json()
    assert listing["items"] == []
    # still there for its owner
    assert (
        await quiet_client.get(f"/api/v1/agents/{agent_id}", headers=bearer(owner))
    ).status_code == 200


async def test_agent_routes_need_a_token(quiet_client: AsyncClient) -> None:
    response = await quiet_client.post("/api/v1/agents", json=daily_request())
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"


def test_today_is_not_the_test_data(monkeypatch: pytest.MonkeyPatch) -> None:
    # guard: the fixed dates above must stay in the past for the lifetime of this suite
    assert date.fromisoformat(SPEC_EXAMPLE["end_date"]) < datetime.now(UTC).date()


# --- found by schema fuzzing (tests/test_schema_fuzz.py) -------------------------------


async def test_a_nul_character_in_a_name_or_filter_is_422(quiet_client: AsyncClient) -> None:
    """PostgreSQL text cannot hold NUL: these used to fail the statement (a 500)."""
    _, tokens = await user_with_tokens(quiet_client)
    headers = bearer(tokens)
    response = await quiet_client.post(
        "/api/v1/agents", json=daily_request(name="a\x00b"), headers=headers
    )
    assert_error(response, 422, "validation_error")
    for name in ("symbol", "architecture", "data_frequency"):
        response = await quiet_client.get("/api/v1/agents", params={name: "A\x00"}, headers=headers)
        assert_error(response, 422, "validation_error")


async def test_a_cursor_without_a_time_zone_is_422(quiet_client: AsyncClient) -> None:
    """Only aware cursors are issued; a naive one reached the database and failed there."""
    import base64

    _, tokens = await user_with_tokens(quiet_client)
    cursor = base64.urlsafe_b64encode(f"2025-01-01T00:00:00|{uuid.uuid4()}".encode()).decode()
    response = await quiet_client.get(
        "/api/v1/agents", params={"cursor": cursor}, headers=bearer(tokens)
    )
    assert_error(response, 422, "validation_error")


async def test_notification_ids_beyond_the_column_are_422(quiet_client: AsyncClient) -> None:
    """Ids are a 32-bit column: 2**31 reached asyncpg and failed there (a 500)."""
    _, tokens = await user_with_tokens(quiet_client)
    headers = bearer(tokens)
    too_big = 2**31
    response = await quiet_client.post(
        "/api/v1/notifications/read", json={"ids": [too_big]}, headers=headers
    )
    assert_error(response, 422, "validation_error")
    response = await quiet_client.get(
        "/api/v1/notifications", params={"cursor": too_big}, headers=headers
    )
    assert_error(response, 422, "validation_error")
    for garbage in ("garbage!", "0", "-1", "1.5", "\u0661", "9" * 300):
        response = await quiet_client.get(
            "/api/v1/notifications", params={"cursor": garbage}, headers=headers
        )
        error = assert_error(response, 422, "validation_error")
        assert any(d["loc"][-1] == "cursor" for d in error["details"]), garbage
    agent_id = (
        await quiet_client.post("/api/v1/agents", json=daily_request(), headers=headers)
    ).json()["agent_id"]
    response = await quiet_client.get(
        f"/api/v1/agents/{agent_id}/events", headers={**headers, "Last-Event-ID": str(too_big)}
    )
    assert_error(response, 422, "validation_error")
    marked = await quiet_client.post(
        "/api/v1/notifications/read", json={"ids": [too_big - 1]}, headers=headers
    )
    assert marked.json() == {"marked": 0}
