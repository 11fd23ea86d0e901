"""The agent after READY: retraining on newer bars, the champion/challenger gate,
promotion and rollback, and a retrain users can follow and survive. Real training of
tiny models (embedded runner, or an ARQ worker on PostgreSQL + Redis)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient

from app.config import Settings
from app.models import AgentVersion
from app.models.agents import AgentStatus
from app.services import training_jobs
from tests.utils.client import runtime_of
from tests.utils.jobs import arq_worker, tiny_agent, wait_for
from tests.utils.serving import Artifact, ready_agent
from tests.utils.users import bearer, user_with_tokens

RUN = [
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
    settings = make_worker_settings(
        heartbeat_interval_s=0.5, progress_write_interval_s=0.2, sse_poll_interval_s=0.1
    )
    client = await app_factory(settings)
    if backend == "services":
        async with arq_worker(settings):
            yield client, settings
    else:
        yield client, settings


def _events(text: str) -> list[tuple[str, dict[str, Any]]]:
    names = [line[7:] for line in text.splitlines() if line.startswith("event: ")]
    data = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]
    return list(zip(names, data, strict=True))


async def _predict_version(client: AsyncClient, tokens: dict[str, Any], agent_id: str) -> str:
    answer = await client.post(
        "/api/v1/predict",
        json={
            "user_segment": "quant",
            "stocks": ["AAPL"],
            "data_frequency": "1d",
            "prediction_horizon": "1d",
            "agent_ids": {"AAPL": agent_id},
            "as_of": "2024-07-15T20:00:00Z",
        },
        headers=bearer(tokens),
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["predictions"][0]["agent_version_id"])


async def test_retrain_learns_newer_bars_and_the_gate_decides_what_serves(
    trainer: tuple[AsyncClient, Settings],
    app_factory: Callable[[Settings], Any],
) -> None:
    client, settings = trainer
    _, tokens = await user_with_tokens(client, user_segment="quant")
    created = await client.post("/api/v1/agents", json=tiny_agent("CNN"), headers=bearer(tokens))
    agent_id = created.json()["agent_id"]
    first = await wait_for(client, tokens, agent_id, {"READY"})
    v1 = first["versions"][0]
    assert v1["role"] == "champion" and v1["decision"] is None
    assert (v1["start_date"], v1["end_date"]) == ("2018-07-23", "2023-12-31")

    retrain = await client.post(
        f"/api/v1/agents/{agent_id}/retrain",
        json={"end_date": "2024-06-28", "window": "rolling"},
        headers=bearer(tokens),
    )
    assert retrain.status_code == 202, retrain.text
    assert retrain.headers["Location"] == retrain.json()["status_url"]
    events_url = retrain.json()["events_url"]
    assert "last_event_id=" in events_url

    def second_done(agent: dict[str, Any]) -> bool:
        return len(agent["versions"]) == 2 and agent["versions"][0]["status"] == "READY"

    agent = await wait_for(client, tokens, agent_id, {"READY"}, predicate=second_done)
    v2 = agent["versions"][0]  # newest first
    assert v2["number"] == 2 and v2["window"] == "rolling"
    length = date(2023, 12, 31) - date(2018, 7, 23)
    assert v2["end_date"] == "2024-06-28"
    assert v2["start_date"] == (date(2024, 6, 28) - length).isoformat()
    async with runtime_of(client).sessionmaker() as session:
        old = await session.get(AgentVersion, uuid.UUID(v1["id"]))
        new = await session.get(AgentVersion, uuid.UUID(v2["id"]))
        assert old is not None and new is not None
        assert old.data_end is not None and new.data_end is not None
        assert new.data_end > old.data_end + timedelta(days=150)  # learned the new bars

    # Both evaluations on the challenger's test period, and the rule's outcome applied.
    decision = v2["decision"]
    assert decision["champion"]["version"] == 1 and decision["champion"]["rmse"] > 0
    assert decision["challenger"]["n_test"] == decision["champion"]["n_test"] > 0
    promoted = decision["promote"]
    assert promoted == (
        decision["challenger"]["rmse"] <= decision["champion"]["rmse"]
        and decision["challenger"]["directional_accuracy"]
        >= decision["champion"]["directional_accuracy_ci_low"]
    )
    serving = v2["id"] if promoted else v1["id"]
    assert agent["serving_version_id"] == serving
    assert v2["role"] == ("champion" if promoted else "candidate")

    # The retrain's stream is this run's: six events, each naming version 2.
    stream = await client.get(events_url, headers=bearer(tokens))
    events = _events(stream.text)
    assert [name for name, _ in events] == RUN
    assert {data["version"] for _, data in events} == {2}

    # The user decides: whatever the gate chose, switch to the other version and back;
    # /predict follows, here and in a second API process.
    other = v1["id"] if promoted else v2["id"]
    if promoted:
        switched = await client.post(f"/api/v1/agents/{agent_id}/rollback", headers=bearer(tokens))
    else:
        switched = await client.post(
            f"/api/v1/agents/{agent_id}/versions/{other}/promote", headers=bearer(tokens)
        )
    assert switched.status_code == 200, switched.text
    assert switched.json()["serving_version_id"] == other
    roles = {v["id"]: v["role"] for v in switched.json()["versions"]}
    assert roles == {other: "champion", serving: "retired"}
    second = await app_factory(settings)
    assert await _predict_version(client, tokens, agent_id) == other
    assert await _predict_version(second, tokens, agent_id) == other
    back = await client.post(
        f"/api/v1/agents/{agent_id}/versions/{serving}/promote", headers=bearer(tokens)
    )
    assert back.json()["serving_version_id"] == serving
    assert await _predict_version(second, tokens, agent_id) == serving


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"end_date": (datetime.now(UTC).date() + timedelta(days=2)).isoformat()}, "end_date"),
        ({"end_date": "2001-01-01"}, "end_date"),
        ({"window": "sliding"}, "window"),
        ({"end_date": "2024-13-01"}, "end_date"),
        ({"epochs": 3}, "epochs"),
    ],
)
async def test_a_bad_retrain_is_refused_with_the_field_and_nothing_written(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    daily_artifact: Artifact,
    body: dict[str, Any],
    loc: str,
) -> None:
    client = await app_factory(make_settings(embedded_runner=False))
    user, tokens = await user_with_tokens(client)
    agent_id, _ = await ready_agent(client, str(user["id"]), daily_artifact)
    answer = await client.post(
        f"/api/v1/agents/{agent_id}/retrain", json=body, headers=bearer(tokens)
    )
    assert answer.status_code == 422, answer.text
    assert any(d["loc"][-1] == loc for d in answer.json()["error"]["details"])
    agent = (await client.get(f"/api/v1/agents/{agent_id}", headers=bearer(tokens))).json()
    assert len(agent["versions"]) == 1 and agent["status"] == "READY"


async def test_a_failed_retrain_fails_its_version_and_the_champion_keeps_serving(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    daily_artifact: Artifact,
) -> None:
    client = await app_factory(make_settings(embedded_runner=False))
    user, tokens = await user_with_tokens(client)
    agent_id, champion = await ready_agent(client, str(user["id"]), daily_artifact)
    retrain = await client.post(f"/api/v1/agents/{agent_id}/retrain", headers=bearer(tokens))
    assert retrain.status_code == 202, retrain.text
    agent = (await client.get(f"/api/v1/agents/{agent_id}", headers=bearer(tokens))).json()
    challenger = uuid.UUID(agent["versions"][0]["id"])
    runtime = runtime_of(client)
    async with runtime.sessionmaker() as session:  # what a worker does when the run fails
        lease = await training_jobs.claim(session, challenger)
        assert lease is not None
        await training_jobs.finish(
            session,
            runtime.notifier,
            challenger,
            lease,
            AgentStatus.FAILED,
            reason="too few bars",
            stage="VALIDATING",
        )
        await session.commit()

    agent = (await client.get(f"/api/v1/agents/{agent_id}", headers=bearer(tokens))).json()
    assert agent["status"] == "READY" and agent["failure_reason"] is None
    assert agent["serving_version_id"] == champion
    failed = agent["versions"][0]
    assert failed["status"] == "FAILED" and failed["failure_stage"] == "VALIDATING"
    assert failed["failure_reason"] == "too few bars" and failed["role"] is None
    notes = (
        await client.get("/api/v1/notifications?event=agent.failed", headers=bearer(tokens))
    ).json()["items"]
    assert notes[0]["payload"]["version"] == 2
    assert notes[0]["payload"]["serving_version_id"] == champion


async def test_promote_and_rollback_refuse_what_cannot_serve(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    daily_artifact: Artifact,
) -> None:
    client = await app_factory(make_settings(embedded_runner=False))
    user, tokens = await user_with_tokens(client)
    agent_id, _ = await ready_agent(client, str(user["id"]), daily_artifact)
    no_earlier = await client.post(f"/api/v1/agents/{agent_id}/rollback", headers=bearer(tokens))
    assert no_earlier.status_code == 409
    missing = await client.post(
        f"/api/v1/agents/{agent_id}/versions/{uuid.uuid4()}/promote", headers=bearer(tokens)
    )
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "version_not_found"
    await client.post(f"/api/v1/agents/{agent_id}/retrain", headers=bearer(tokens))
    agent = (await client.get(f"/api/v1/agents/{agent_id}", headers=bearer(tokens))).json()
    queued = agent["versions"][0]["id"]
    refused = await client.post(
        f"/api/v1/agents/{agent_id}/versions/{queued}/promote", headers=bearer(tokens)
    )
    assert refused.status_code == 409
