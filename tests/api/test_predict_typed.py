"""/predict's typed figures beside the seed's eight, and in-sample calls (SPEC §6, §5a).

In both modes, on the session's tiny daily agent (trained on 2020-01-01..2024-06-30).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from httpx import AsyncClient

from app.config import Settings
from app.core.money import tick
from app.main import create_app
from app.models import AgentVersion
from app.schemas.predictions import SEED_RESPONSE_EXAMPLE, PredictResponse
from app.services.outcomes import fill_outcomes
from app.services.predictions.service import skill_of
from tests.utils.client import runtime_of
from tests.utils.serving import Artifact, ready_agent
from tests.utils.users import bearer, user_with_tokens

DAILY = {
    "user_segment": "short_term_trader",
    "stocks": ["AAPL"],
    "data_frequency": "1d",
    "prediction_horizon": "1d",
    "confidence_level": 0.6,
    "capital_at_risk": 0.02,
}
INSIDE = "2024-03-15T21:00:00Z"  # the 15 March bar: inside the agent's data
OUTSIDE = "2024-09-04T21:00:00Z"  # two months after its last bar
# The typed figures and their OpenAPI types.
TYPED: dict[str, dict[str, Any]] = {
    "currency": {"type": "string"},
    "max_loss_amount": {"type": "number", "minimum": 0.0},
    "suggested_exit_at": {"type": "string", "format": "date-time"},
    "predicted_price_low": {"anyOf": [{"type": "number"}, {"type": "null"}]},
    "predicted_price_high": {"anyOf": [{"type": "number"}, {"type": "null"}]},
    "interval_coverage": {
        "anyOf": [{"type": "number", "minimum": 0.0, "maximum": 1.0}, {"type": "null"}]
    },
    "skill": {"anyOf": [{"$ref": "#/components/schemas/Skill"}, {"type": "null"}]},
    "in_sample": {"type": "boolean"},
}
PLAN = ("currency", "max_loss_amount", "suggested_exit_at")


@pytest.fixture
async def client(app_factory: Callable[[Settings], Any], make_settings: Any) -> AsyncClient:
    """No background outcome job: the test fills outcomes when it wants them."""
    result: AsyncClient = await app_factory(make_settings(outcomes_interval_s=0))
    return result


@pytest.fixture
async def trader(client: AsyncClient) -> tuple[dict[str, Any], dict[str, str]]:
    user, tokens = await user_with_tokens(client, account_equity=35_000)
    return user, bearer(tokens)


def _types(schema: dict[str, Any]) -> dict[str, Any]:
    keep = ("type", "format", "anyOf", "enum", "minimum", "maximum")
    return {k: v for k, v in schema.items() if k in keep}


def test_the_typed_figures_are_in_the_openapi_document(tmp_path: Path) -> None:
    schemas = create_app(Settings(environment="test", var_dir=tmp_path)).openapi()["components"][
        "schemas"
    ]
    for name in ("StockPrediction", "PredictResponse"):
        component = schemas[name]
        for field, expected in TYPED.items():
            assert _types(component["properties"][field]) == expected, (name, field)
            assert field in component["required"], (name, field)
            assert component["properties"][field].get("description"), (name, field)
    trade = schemas["TradeSignalResponse"]
    for field in PLAN:
        assert _types(trade["properties"][field]) == TYPED[field], field
    record = schemas["PredictionRecord"]["properties"]
    assert record["in_sample"]["type"] == "boolean"
    assert _types(record["reference_price"]) == TYPED["predicted_price_low"]
    # The documented example is a valid answer, each stock with every typed figure.
    example = PredictResponse.model_validate(SEED_RESPONSE_EXAMPLE)
    assert example.max_loss_amount == 700 and example.currency == "USD"
    assert example.suggested_exit_at.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M") == (
        example.suggested_exit_time
    )
    for stock in SEED_RESPONSE_EXAMPLE["predictions"]:
        assert set(TYPED) <= set(stock)


def _dollars(text: str) -> float:
    return float(Decimal(text.removeprefix("$").replace(",", "")))


def _assert_typed(stock: dict[str, Any], metrics: dict[str, Any]) -> None:
    assert stock["currency"] == "USD"
    assert stock["max_loss_amount"] == _dollars(stock["risk_metrics"]["max_loss"])
    exit_at = datetime.fromisoformat(stock["suggested_exit_at"])
    assert exit_at.tzinfo is not None
    local = exit_at.astimezone(ZoneInfo("America/New_York"))
    text = stock["suggested_exit_time"]
    if len(text) == 5:  # "HH:MM" on the bar's day
        assert local.strftime("%H:%M") == text
        assert local.date() == datetime.fromisoformat(stock["as_of"]).date()
    else:
        assert datetime.fromisoformat(text) == exit_at
    low, high, coverage = (
        stock["predicted_price_low"],
        stock["predicted_price_high"],
        stock["interval_coverage"],
    )
    if low is None:  # a model saved before intervals: none of the three
        assert high is None and coverage is None
    else:
        assert 0 < low <= high and 0 < coverage < 1
    assert stock["skill"] == skill_of(metrics) and stock["skill"] in ("edge", "no_edge")


async def test_every_answer_carries_the_typed_figures(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
    daily_artifact: Artifact,
) -> None:
    user, headers = trader
    agent_id, _ = await ready_agent(client, user["id"], daily_artifact)
    request = {**DAILY, "as_of": OUTSIDE, "agent_ids": {"AAPL": agent_id}}
    response = await client.post("/api/v1/predict", json=request, headers=headers)
    assert response.status_code == 200, response.text
    answer = response.json()
    stock = answer["predictions"][0]
    _assert_typed(stock, daily_artifact.result["metrics"])
    assert stock["in_sample"] is False
    assert not any(w.startswith("In-sample") for w in stock["warnings"])
    assert {k: answer[k] for k in TYPED} == {k: stock[k] for k in TYPED}  # the top level

    again = await client.post("/api/v1/predict", json=request, headers=headers)
    assert again.json()["cached"] is True
    assert {k: again.json()[k] for k in TYPED} == {k: stock[k] for k in TYPED}

    record = await client.get(f"/api/v1/predictions/{answer['prediction_id']}", headers=headers)
    stored = record.json()
    assert {k: stored["response"][k] for k in TYPED if k != "suggested_exit_at"} == {
        k: stock[k] for k in TYPED if k != "suggested_exit_at"
    }
    exit_at = datetime.fromisoformat(stock["suggested_exit_at"])
    assert datetime.fromisoformat(stored["response"]["suggested_exit_at"]) == exit_at
    assert exit_at.utcoffset() == timedelta(hours=-4)  # in the request's zone (New York)
    assert stored["in_sample"] is False
    # The model forecast from the last close; the default entry is that close on the tick.
    assert tick(stored["reference_price"]) == stock["entry_price"]


async def test_trade_signal_answers_the_plan_typed(
    client: AsyncClient, trader: tuple[dict[str, Any], dict[str, str]]
) -> None:
    _, headers = trader
    body = {
        "symbol": "AAPL",
        "predicted_price": 192.50,
        "confidence": 0.85,
        "entry_price": 185.50,
        "stop_loss": 182.00,
        "user_segment": "short_term_trader",
        "prediction_horizon": "1h",
        "exit_window": {"end": "14:00"},
        "as_of": "2025-06-02T14:15:00Z",
        "account_equity": 35_000,
    }
    signal = (await client.post("/api/v1/trade-signal", json=body, headers=headers)).json()
    assert signal["currency"] == "USD"
    assert signal["max_loss_amount"] == _dollars(signal["risk_metrics"]["max_loss"]) > 0
    assert signal["suggested_exit_time"] == "11:15"
    assert signal["suggested_exit_at"] == "2025-06-02T11:15:00-04:00"
    exit_at = datetime.fromisoformat(signal["suggested_exit_at"])
    assert exit_at == datetime(2025, 6, 2, 15, 15, tzinfo=UTC)


async def test_a_call_inside_the_training_data_is_in_sample_and_never_counts(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
    daily_artifact: Artifact,
) -> None:
    user, headers = trader
    agent_id, _ = await ready_agent(client, user["id"], daily_artifact)
    calls = {}
    for as_of in (INSIDE, OUTSIDE):
        request = {**DAILY, "as_of": as_of, "agent_ids": {"AAPL": agent_id}}
        response = await client.post("/api/v1/predict", json=request, headers=headers)
        assert response.status_code == 200, response.text
        calls[as_of] = response.json()
    inside, outside = calls[INSIDE], calls[OUTSIDE]
    assert inside["in_sample"] is True and outside["in_sample"] is False
    # A version from before spans were recorded: what was fetched for the agent's
    # dates, whose last daily bar (stamped the day after end_date) closes at 16:00 NY.
    assert (
        "In-sample: 2024-03-15 20:00 UTC is inside the data this model was trained and "
        "evaluated on (2020-01-01 00:00 UTC to 2024-07-01 20:00 UTC); this call does not "
        "count in the agent's live track record."
    ) in inside["warnings"]
    assert not any(w.startswith("In-sample") for w in outside["warnings"])

    runtime = runtime_of(client)
    # In services mode the database is the session's: other tests' calls may fill too.
    assert await fill_outcomes(runtime.sessionmaker, runtime.settings, None) >= 2
    records = {}
    for as_of, answer in calls.items():
        url = f"/api/v1/predictions/{answer['prediction_id']}"
        records[as_of] = (await client.get(url, headers=headers)).json()
        assert records[as_of]["correct"] is not None  # an outcome, counted or not
    assert records[INSIDE]["in_sample"] is True and records[OUTSIDE]["in_sample"] is False

    agent = (await client.get(f"/api/v1/agents/{agent_id}", headers=headers)).json()
    right = int(records[OUTSIDE]["correct"])
    assert agent["track_record"]["n_calls"] == 1 and agent["track_record"]["n_right"] == right
    quant = (await client.get("/api/v1/dashboard?segment=quant", headers=headers)).json()
    assert [a["track_record"]["n_calls"] for a in quant["agents"]] == [1]


async def test_the_versions_recorded_span_decides_over_the_agents_dates(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
    daily_artifact: Artifact,
) -> None:
    user, headers = trader
    agent_id, version_id = await ready_agent(client, user["id"], daily_artifact)
    runtime = runtime_of(client)
    async with runtime.sessionmaker() as session:
        version = await session.get(AgentVersion, uuid.UUID(version_id))
        assert version is not None
        version.data_start = datetime(2022, 1, 3, tzinfo=UTC)
        version.data_end = datetime(2024, 3, 15, 20, tzinfo=UTC)  # the 15 March bar's close
        await session.commit()
    seen = {}
    for as_of in ("2021-06-01T21:00:00Z", INSIDE, "2024-03-18T21:00:00Z"):
        request = {**DAILY, "as_of": as_of, "agent_ids": {"AAPL": agent_id}}
        response = await client.post("/api/v1/predict", json=request, headers=headers)
        assert response.status_code == 200, response.text
        seen[as_of[:10]] = response.json()["in_sample"]
    # Before the version's first bar and after its last: out of sample.
    assert seen == {"2021-06-01": False, "2024-03-15": True, "2024-03-18": False}
