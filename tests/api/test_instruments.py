"""Symbols as traders type them, through the API: agents store their instrument,
/predict finds an agent by any form of its symbol, and answers name its currency."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from httpx import AsyncClient

from app.config import Settings
from app.core.instruments import ACCEPTED_FORMS, resolve
from app.models import Agent
from app.schemas.agents import SEED_AGENT_EXAMPLE
from tests.utils.errors import assert_error
from tests.utils.serving import Artifact, ready_agent
from tests.utils.users import bearer, user_with_tokens

DAILY_AGENT = {
    **SEED_AGENT_EXAMPLE,
    "name": "daily",
    "data_frequency": "1d",
    "prediction_horizon": "1d",
    "start_date": "2019-01-01",
    "end_date": "2024-12-31",
}
DAILY_CALL = {
    "user_segment": "short_term_trader",
    "stocks": ["AAPL"],
    "data_frequency": "1d",
    "prediction_horizon": "1d",
    "account_equity": 35_000,
}


@pytest.fixture
async def quiet_client(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> AsyncClient:
    """An app whose jobs stay QUEUED: no embedded runner, no worker."""
    client: AsyncClient = await app_factory(make_settings(embedded_runner=False))
    return client


def _runtime(client: AsyncClient) -> Any:
    return client._transport.app.state.runtime  # type: ignore[attr-defined]


async def _create(client: AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/agents", json={**DAILY_AGENT, **body}, headers=headers)
    assert response.status_code == 202, response.text
    detail = await client.get(response.json()["status_url"], headers=headers)
    return dict(detail.json())


async def test_a_london_agent_from_a_csv_file_is_in_pence(quiet_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    folder = _runtime(quiet_client).settings.data_dir / "1d"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "VOD.L.csv").write_text(
        "Date,Open,High,Low,Close,Volume\n2024-01-02,70,71,69,70.5,1000\n"
    )
    agent = await _create(quiet_client, bearer(tokens), symbol="VOD LN Equity", data_source="csv")
    assert agent["symbol"] == "VOD.L"  # the file the csv source reads: 1d/VOD.L.csv
    instrument = agent["instrument"]
    assert instrument["symbol"] == "VOD.L" and instrument["entered"] == "VOD LN Equity"
    assert (instrument["currency"], instrument["amount_currency"]) == ("GBX", "GBP")
    assert instrument["price_divisor"] == 100
    assert (instrument["mic"], instrument["timezone"], instrument["calendar"]) == (
        "XLON",
        "Europe/London",
        "XLON",
    )
    assert instrument["vendor_codes"]["bloomberg"] == "VOD LN Equity"
    assert instrument["vendor_codes"]["refinitiv"] == "VOD.L"


async def test_a_ric_keeps_its_case_and_the_source_gets_its_own_code(
    quiet_client: AsyncClient,
) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    agent = await _create(quiet_client, bearer(tokens), symbol="BRKb.N")
    assert agent["symbol"] == "BRK.B"  # synthetic: the plain ticker
    assert agent["instrument"]["entered"] == "BRKb.N"
    assert agent["instrument"]["vendor_codes"]["refinitiv"] == "BRKb.N"
    assert agent["instrument"]["mic"] == "XNYS"
    seed = await _create(quiet_client, bearer(tokens))
    assert seed["symbol"] == "AAPL" and seed["instrument"]["currency"] == "USD"


@pytest.mark.parametrize("symbol", ["IBM US Govt", "FOO Index", "Brk.N", "AAPL.TOOLONG", "USD="])
async def test_an_unresolvable_symbol_is_422_on_the_field_with_the_accepted_forms(
    quiet_client: AsyncClient, symbol: str
) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    response = await quiet_client.post(
        "/api/v1/agents", json={**DAILY_AGENT, "symbol": symbol}, headers=bearer(tokens)
    )
    error = assert_error(response, 422)
    (detail,) = [d for d in error["details"] if d["loc"][-1] == "symbol"]
    assert detail["loc"] == ["body", "symbol"]
    assert ACCEPTED_FORMS in detail["msg"]
    listed = await quiet_client.get("/api/v1/agents", headers=bearer(tokens))
    assert listed.json()["items"] == []


async def test_the_list_filter_finds_an_agent_by_any_form(quiet_client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(quiet_client)
    created = await _create(quiet_client, bearer(tokens), symbol="aapl")
    for form in ("AAPL", "AAPL.O", "AAPL US Equity"):
        listed = await quiet_client.get(
            "/api/v1/agents", params={"symbol": form}, headers=bearer(tokens)
        )
        assert [a["id"] for a in listed.json()["items"]] == [created["id"]], form


async def _set_instrument(client: AsyncClient, agent_id: str, typed: str) -> None:
    async with _runtime(client).sessionmaker() as session:
        agent = await session.get(Agent, uuid.UUID(agent_id))
        agent.instrument = resolve(typed).to_json()
        session.add(agent)
        await session.commit()


async def test_predict_finds_an_agent_by_another_form_of_its_symbol(
    client: AsyncClient, daily_artifact: Artifact
) -> None:
    user, tokens = await user_with_tokens(client, account_equity=35_000)
    headers = bearer(tokens)
    agent_id, _ = await ready_agent(client, user["id"], daily_artifact, "AAPL")
    answers = []
    for form in ("AAPL", "AAPL.O", "AAPL US Equity", "aapl uw equity"):
        response = await client.post(
            "/api/v1/predict", json={**DAILY_CALL, "stocks": [form]}, headers=headers
        )
        assert response.status_code == 200, (form, response.text)
        stock = response.json()["predictions"][0]
        assert (stock["agent_id"], stock["symbol"], stock["currency"]) == (
            agent_id,
            "AAPL",
            "USD",
        )
        assert stock["risk_metrics"]["max_loss"].startswith("$")
        answers.append({k: v for k, v in stock.items() if k != "prediction_id"})
    assert all(a == answers[0] for a in answers)  # the same call, whatever the spelling
    chosen = await client.post(
        "/api/v1/predict",
        json={**DAILY_CALL, "stocks": ["AAPL.O"], "agent_ids": {"AAPL.O": agent_id}},
        headers=headers,
    )
    assert chosen.status_code == 200, chosen.text
    twice = await client.post(
        "/api/v1/predict", json={**DAILY_CALL, "stocks": ["AAPL", "AAPL.O"]}, headers=headers
    )
    assert_error(twice, 422)
    assert "AAPL.O is listed twice (as AAPL)" in twice.text


async def test_a_london_agent_answers_in_pence_and_pounds(
    client: AsyncClient, daily_artifact: Artifact
) -> None:
    user, tokens = await user_with_tokens(client, account_equity=35_000)
    agent_id, _ = await ready_agent(client, user["id"], daily_artifact, "VOD.L")
    await _set_instrument(client, agent_id, "VOD.L")
    response = await client.post(
        "/api/v1/predict",
        json={**DAILY_CALL, "stocks": ["VOD LN Equity"]},
        headers=bearer(tokens),
    )
    assert response.status_code == 200, response.text
    stock = response.json()["predictions"][0]
    assert (stock["agent_id"], stock["symbol"], stock["currency"]) == (agent_id, "VOD.L", "GBX")
    assert stock["risk_metrics"]["max_loss"].startswith("£")
    assert "$" not in stock["suggestion_text"]
    assert "p" in stock["suggestion_text"].split("Confidence")[0]


async def test_trade_signal_takes_any_form_and_names_its_currency(client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(client, account_equity=35_000)
    trade = {
        "symbol": "vod ln equity",
        "predicted_price": 72.5,
        "confidence": 0.85,
        "entry_price": 70.0,
        "stop_loss": 68.6,
        "user_segment": "short_term_trader",
        "account_equity": 35_000,
    }
    response = await client.post("/api/v1/trade-signal", json=trade, headers=bearer(tokens))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["symbol"], body["currency"]) == ("VOD LN Equity", "GBX")
    assert body["risk_metrics"]["max_loss"] == "£700" and body["max_loss_amount"] == 700.0
    refused = await client.post(
        "/api/v1/trade-signal", json={**trade, "symbol": "IBM US Govt"}, headers=bearer(tokens)
    )
    assert ACCEPTED_FORMS in refused.text
