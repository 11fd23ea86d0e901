"""/predict, /trade-signal and the prediction history (SPEC §6), in both modes."""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient

from app.config import Settings
from app.core.money import tick
from app.schemas.predictions import SEED_EXAMPLE
from app.services.market_data.base import data_warnings
from app.services.market_data.synthetic import synthetic_bars
from app.services.signals import FAR_ENTRY_ATRS
from tests.utils.predictions import EIGHT
from tests.utils.serving import Artifact, ready_agent, serve_new_version
from tests.utils.users import bearer, user_with_tokens

DAILY = {
    "user_segment": "short_term_trader",
    "stocks": ["AAPL"],
    "data_frequency": "1d",
    "prediction_horizon": "1d",
    "confidence_level": 0.6,
    "capital_at_risk": 0.02,
}


@pytest.fixture
async def trader(client: AsyncClient) -> tuple[dict[str, Any], dict[str, str]]:
    user, tokens = await user_with_tokens(client, account_equity=35_000)
    return user, bearer(tokens)


async def test_the_seeds_request_verbatim(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
    minute_artifact: Artifact,
) -> None:
    user, headers = trader
    aapl, _ = await ready_agent(client, user["id"], minute_artifact, "AAPL")
    msft, _ = await ready_agent(client, user["id"], minute_artifact, "MSFT")
    response = await client.post("/api/v1/predict", json=SEED_EXAMPLE, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    for name in EIGHT:
        assert name in body, name
    assert isinstance(body["predicted_price"], float) and body["predicted_price"] > 0
    assert 0.5 <= body["confidence"] <= 1
    assert body["trade_signal"] in ("Enter", "Exit", "Hold")
    assert body["direction"] in ("Long", "Short")
    assert isinstance(body["position_size"], int) and body["position_size"] >= 0
    assert body["risk_metrics"]["max_loss"].startswith("$")
    assert isinstance(body["risk_metrics"]["risk_reward_ratio"], float)
    assert isinstance(body["suggested_exit_time"], str) and body["suggestion_text"]
    assert body["symbol"] == "AAPL" and body["agent_id"] == aapl
    assert body["data_source"] == "synthetic" and body["cached"] is False
    assert [p["symbol"] for p in body["predictions"]] == ["AAPL", "MSFT"]
    assert body["predictions"][1]["agent_id"] == msft
    first = body["predictions"][0]
    assert first["entry_price"] == 185.50 and first["stop_loss"] == 182.00
    assert {k: first[k] for k in EIGHT} == {k: body[k] for k in EIGHT}
    # The other stock keeps the first one's stop distance (3.5 / 185.5 ≈ 1.89 %).
    other = body["predictions"][1]
    distance = abs(other["entry_price"] - other["stop_loss"]) / other["entry_price"]
    assert distance == pytest.approx(3.5 / 185.5, abs=1e-3)
    # The seed's request has sentiment on; these agents were trained without it.
    assert any("entiment" in w for w in body["warnings"])
    # Both agents are on synthetic data, and each stock says so (the top level is AAPL's).
    for stock, warnings in (("AAPL", body["warnings"]), ("MSFT", other["warnings"])):
        synthetic = [w for w in warnings if w.startswith("Synthetic data: ")]
        assert synthetic == data_warnings("synthetic", stock), warnings
        assert f"{stock}'s bars" in synthetic[0] and "not real market prices" in synthetic[0]
    assert body["warnings"] == first["warnings"]
    stored = await client.get(f"/api/v1/predictions/{body['prediction_id']}", headers=headers)
    assert stored.status_code == 200
    assert stored.json()["response"]["predicted_price"] == body["predicted_price"]
    assert stored.json()["latency_ms"] > 0


async def test_an_entry_far_from_the_last_close_is_warned_about(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
    minute_artifact: Artifact,
) -> None:
    """The seed's entry of $185.50 against a synthetic AAPL trading far from it."""
    user, headers = trader
    await ready_agent(client, user["id"], minute_artifact, "AAPL")
    await ready_agent(client, user["id"], minute_artifact, "MSFT")
    request = {**SEED_EXAMPLE, "as_of": "2025-06-02T14:45:00Z"}  # pinned: one last close
    response = await client.post("/api/v1/predict", json=request, headers=headers)
    assert response.status_code == 200, response.text
    first, other = response.json()["predictions"]
    bar_start = datetime.fromisoformat(first["as_of"]) - timedelta(minutes=1)
    bar = synthetic_bars("AAPL", "1min", bar_start, bar_start)
    close = Decimal(repr(tick(bar["close"][0])))  # the close as quoted, on the tick
    assert abs(close - Decimal("185.50")) / close > Decimal("0.05")  # far by any measure
    side = "below" if close > Decimal("185.50") else "above"
    percent = abs(close - Decimal("185.50")) / close * 100
    far = [w for w in first["warnings"] if w.startswith("Your entry $185.50 is ")]
    assert len(far) == 1, first["warnings"]
    match = re.fullmatch(
        r"Your entry \$185\.50 is (\d+\.\d)% \((\d+\.\d) ATRs\) (below|above) the last "
        r"close (\S+): the forecast and risk/reward are measured from your entry, not from "
        r"the market\.",
        far[0],
    )
    assert match, far[0]
    assert Decimal(match[1]) == percent.quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert float(match[2]) > FAR_ENTRY_ATRS
    assert match[3] == side
    assert match[4] == f"${close:,.2f}"
    # the other stock enters at its own last close: nothing to warn about
    assert not any("last close" in w for w in other["warnings"])


async def test_sizing_follows_the_rule_when_the_signal_is_enter(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
    daily_artifact: Artifact,
) -> None:
    user, headers = trader
    await ready_agent(client, user["id"], daily_artifact)
    body = (
        await client.post(
            "/api/v1/predict", json={**DAILY, "confidence_level": 0.5}, headers=headers
        )
    ).json()
    first = body["predictions"][0]
    entry, stop = first["entry_price"], first["stop_loss"]
    assert stop != entry  # default stop: two ATRs away
    if body["trade_signal"] == "Enter":
        expected = min(int(35_000 * 0.02 / abs(entry - stop)), int(35_000 // entry))
        assert body["position_size"] == expected
    else:
        assert body["position_size"] == 0


async def test_as_of_is_reproducible_and_never_sees_a_later_bar(
    app_factory: Callable[[Settings], Any],
    settings: Settings,
    daily_artifact: Artifact,
) -> None:
    """On CSV data: changing every bar after `as_of` changes nothing."""
    folder = Path(settings.data_dir) / "1d"
    folder.mkdir(parents=True, exist_ok=True)
    bars = await _synthetic_daily_rows()
    (folder / "AAPL.csv").write_text(_csv(bars))
    as_of = "2024-03-15T21:00:00Z"
    request = {**DAILY, "as_of": as_of}

    async def predict_with_fresh_app() -> dict[str, Any]:
        client = await app_factory(settings)
        user, tokens = await user_with_tokens(client)
        agent_id, _ = await ready_agent(client, user["id"], daily_artifact)
        await _use_csv(client, agent_id)
        response = await client.post("/api/v1/predict", json=request, headers=bearer(tokens))
        assert response.status_code == 200, response.text
        return dict(response.json())

    before = await predict_with_fresh_app()
    again = await predict_with_fresh_app()
    assert again["predicted_price"] == before["predicted_price"]
    assert datetime.fromisoformat(before["as_of"]) <= datetime.fromisoformat(as_of)
    assert before["as_of"].startswith("2024-03-15")
    changed = [
        (d, o * 1.5, h * 1.5, lo * 1.5, c * 1.5, v)
        if d > date(2024, 3, 15)
        else (d, o, h, lo, c, v)
        for d, o, h, lo, c, v in bars
    ]
    (folder / "AAPL.csv").write_text(_csv(changed))
    after = await predict_with_fresh_app()
    assert after["predicted_price"] == before["predicted_price"]
    assert not any(w.startswith("Synthetic data") for w in after["warnings"])  # CSV: real
    assert after["confidence"] == before["confidence"]


async def test_now_on_a_file_that_ends_in_the_past_answers_from_its_last_bar(
    client: AsyncClient, settings: Settings, daily_artifact: Artifact
) -> None:
    """A CSV file ends on 2024-06-28: "now" is its last bar, said in the answer."""
    folder = Path(settings.data_dir) / "1d"
    folder.mkdir(parents=True, exist_ok=True)
    bars = await _synthetic_daily_rows()
    (folder / "AAPL.csv").write_text(_csv(bars))
    user, tokens = await user_with_tokens(client)
    agent_id, _ = await ready_agent(client, user["id"], daily_artifact)
    await _use_csv(client, agent_id)
    response = await client.post("/api/v1/predict", json=DAILY, headers=bearer(tokens))
    assert response.status_code == 200, response.text
    body = response.json()
    last = bars[-1][0]
    assert body["as_of"].startswith(last.isoformat())
    assert any(
        f"csv data of AAPL end at {last.isoformat()}" in w and "not now" in w
        for w in body["warnings"]
    ), body["warnings"]
    # The same with as_of named explicitly: the same forecast, without the note.
    named = await client.post(
        "/api/v1/predict", json={**DAILY, "as_of": body["as_of"]}, headers=bearer(tokens)
    )
    assert named.json()["predicted_price"] == body["predicted_price"]
    assert not any("not now" in w for w in named.json()["warnings"])


async def test_repeated_request_is_cached_and_a_retrain_misses(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
    daily_artifact: Artifact,
) -> None:
    user, headers = trader
    agent_id, _ = await ready_agent(client, user["id"], daily_artifact)
    first = (await client.post("/api/v1/predict", json=DAILY, headers=headers)).json()
    second = (await client.post("/api/v1/predict", json=DAILY, headers=headers)).json()
    assert first["cached"] is False and second["cached"] is True
    assert second["predicted_price"] == first["predicted_price"]
    assert second["prediction_id"] != first["prediction_id"]  # each answer is stored
    bypass = await client.post(
        "/api/v1/predict", json=DAILY, headers={**headers, "Cache-Control": "no-cache"}
    )
    assert bypass.json()["cached"] is False
    version = await serve_new_version(client, agent_id, daily_artifact)
    retrained = (await client.post("/api/v1/predict", json=DAILY, headers=headers)).json()
    assert retrained["cached"] is False
    assert retrained["predictions"][0]["agent_version_id"] == version


async def test_no_ready_agent_is_409_with_the_request_that_makes_one(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
) -> None:
    _, headers = trader
    response = await client.post("/api/v1/predict", json=SEED_EXAMPLE, headers=headers)
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "no_ready_agent"
    creation = error["details"]["create_agent_request"]
    assert creation["symbol"] == "AAPL" and creation["data_frequency"] == "1min"
    assert creation["model_preferences"]["architecture"] == "LSTM"
    created = await client.post("/api/v1/agents", json=creation, headers=headers)
    assert created.status_code == 202, created.text


async def test_another_users_agent_and_prediction_are_404(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
    daily_artifact: Artifact,
) -> None:
    user, headers = trader
    agent_id, _ = await ready_agent(client, user["id"], daily_artifact)
    mine = (await client.post("/api/v1/predict", json=DAILY, headers=headers)).json()
    _, other_tokens = await user_with_tokens(client)
    other = bearer(other_tokens)
    stolen = await client.post(
        "/api/v1/predict", json={**DAILY, "agent_ids": {"AAPL": agent_id}}, headers=other
    )
    assert stolen.status_code == 404, stolen.text
    peek = await client.get(f"/api/v1/predictions/{mine['prediction_id']}", headers=other)
    assert peek.status_code == 404
    assert (await client.get("/api/v1/predictions", headers=other)).json()["items"] == []


async def test_predict_is_rate_limited(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    daily_artifact: Artifact,
) -> None:
    client = await app_factory(make_settings(rate_limit_predict="2/60"))
    user, tokens = await user_with_tokens(client)
    await ready_agent(client, user["id"], daily_artifact)
    statuses = [
        (await client.post("/api/v1/predict", json=DAILY, headers=bearer(tokens))) for _ in range(3)
    ]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert int(statuses[2].headers["Retry-After"]) > 0
    assert statuses[2].json()["error"]["code"] == "rate_limited"


async def test_corrupt_weights_are_409_and_flag_the_agent(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
    daily_artifact: Artifact,
) -> None:
    user, headers = trader
    agent_id, version_id = await ready_agent(client, user["id"], daily_artifact)
    folder = client._transport.app.state.runtime.settings.models_path / agent_id / version_id  # type: ignore[attr-defined]
    for weights in folder.glob("*.keras"):
        weights.write_bytes(weights.read_bytes()[:100])
    response = await client.post("/api/v1/predict", json=DAILY, headers=headers)
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "model_unavailable"
    agent = (await client.get(f"/api/v1/agents/{agent_id}", headers=headers)).json()
    assert agent["needs_retraining"] is True
    assert (await client.get("/api/v1/predictions", headers=headers)).json()["items"] == []


def _seed(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(SEED_EXAMPLE)
    for key, value in changes.items():
        if value is _DROP:
            body.pop(key)
        else:
            body[key] = value
    return body


_DROP = object()
BAD_PREDICTS = [
    ("empty stocks", _seed(stocks=[]), ["stocks"]),
    ("duplicate stocks", _seed(stocks=["AAPL", "aapl"]), ["stocks"]),
    ("bad ticker", _seed(stocks=["AAPL", "not a ticker"]), ["stocks"]),
    ("unknown frequency", _seed(data_frequency="2min"), ["data_frequency"]),
    ("unknown horizon", _seed(prediction_horizon="soon"), ["prediction_horizon"]),
    (
        "horizon not whole bars",
        _seed(data_frequency="1h", prediction_horizon="90min"),
        ["prediction_horizon"],
    ),
    ("confidence_level 1", _seed(confidence_level=1.0), ["confidence_level"]),
    ("confidence_level below 0.5", _seed(confidence_level=0.4), ["confidence_level"]),
    ("capital_at_risk zero", _seed(capital_at_risk=0), ["capital_at_risk"]),
    ("capital_at_risk too high", _seed(capital_at_risk=0.3), ["capital_at_risk"]),
    (
        "bad window time",
        _seed(entry_window={"start": "25:00", "end": "11:30"}),
        ["entry_window", "start"],
    ),
    ("inverted window", _seed(entry_window={"start": "11:30", "end": "10:00"}), ["entry_window"]),
    ("unknown feature", _seed(features=["SMA", "ICHIMOKU"]), ["features"]),
    (
        "unknown architecture",
        _seed(model_preferences={"architecture": "GPT"}),
        ["model_preferences", "architecture"],
    ),
    ("negative entry", _seed(entry_price=-185.5), ["entry_price"]),
    ("zero stop", _seed(stop_loss=0), ["stop_loss"]),
    ("stop at entry", _seed(stop_loss=185.5), ["stop_loss"]),
    ("unknown segment", _seed(user_segment="whale"), ["user_segment"]),
    ("future as_of", _seed(as_of="2999-01-01T00:00:00Z"), ["as_of"]),
    ("unknown time zone", _seed(timezone="Mars/Olympus"), ["timezone"]),
    (
        "agent for a stock not asked",
        _seed(agent_ids={"TSLA": "00000000-0000-0000-0000-000000000000"}),
        ["agent_ids", "TSLA"],
    ),
    ("missing field", _seed(stocks=_DROP), ["stocks"]),
    ("unknown field", _seed(leverage=10), ["leverage"]),
]


@pytest.mark.parametrize(("case", "body", "loc"), BAD_PREDICTS, ids=[c[0] for c in BAD_PREDICTS])
async def test_bad_predict_is_422_with_the_field_and_writes_nothing(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
    case: str,
    body: dict[str, Any],
    loc: list[str],
) -> None:
    _, headers = trader
    response = await client.post("/api/v1/predict", json=body, headers=headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert any(d["loc"][1 : len(loc) + 1] == loc for d in error["details"]), error
    assert (await client.get("/api/v1/predictions", headers=headers)).json()["items"] == []


async def test_trade_signal_applies_the_rule(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
) -> None:
    _, headers = trader
    body = {
        "symbol": "aapl",
        "predicted_price": 192.50,
        "confidence": 0.85,
        "entry_price": 185.50,
        "stop_loss": 182.00,
        "capital_at_risk": 0.02,
        "confidence_level": 0.7,
        "user_segment": "short_term_trader",
        "prediction_horizon": "1h",
        "entry_window": {"start": "10:00", "end": "11:30"},
        "exit_window": {"end": "14:00"},
        "as_of": "2025-06-02T14:15:00Z",
        "account_equity": 35_000,
    }
    response = await client.post("/api/v1/trade-signal", json=body, headers=headers)
    assert response.status_code == 200, response.text
    signal = response.json()
    assert (signal["trade_signal"], signal["direction"]) == ("Enter", "Long")
    # ⌊35,000 × 0.02 ÷ 3.50⌋ = 200 shares, capped at ⌊35,000 ÷ 185.50⌋ = 188 (cash account).
    assert signal["position_size"] == 188 and signal["risk_metrics"]["max_loss"] == "$658"
    assert signal["risk_metrics"]["risk_reward_ratio"] == 2.0
    assert signal["suggested_exit_time"] == "11:15"
    assert signal["suggestion_text"] == (
        "Entering LONG on AAPL at $185.50 with stop-loss $182.00. Trade size: 188 shares. "
        "Confidence: 0.85."
    )
    investor = await client.post(
        "/api/v1/trade-signal",
        headers=headers,
        json={**body, "predicted_price": 180.0, "user_segment": "investor"},
    )
    assert (investor.json()["trade_signal"], investor.json()["direction"]) == ("Exit", "Long")
    bad = await client.post(
        "/api/v1/trade-signal", headers=headers, json={**body, "capital_at_risk": 0.5}
    )
    assert bad.status_code == 422


async def test_history_filters_and_pages(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
    daily_artifact: Artifact,
) -> None:
    user, headers = trader
    agent_id, _ = await ready_agent(client, user["id"], daily_artifact)
    ids = []
    for _ in range(3):
        response = await client.post(
            "/api/v1/predict", json=DAILY, headers={**headers, "Cache-Control": "no-cache"}
        )
        ids.append(response.json()["prediction_id"])
    page = (await client.get("/api/v1/predictions?limit=2", headers=headers)).json()
    assert [p["id"] for p in page["items"]] == ids[::-1][:2]
    rest = (
        await client.get(
            f"/api/v1/predictions?limit=2&cursor={page['next_cursor']}", headers=headers
        )
    ).json()
    assert [p["id"] for p in rest["items"]] == ids[:1] and rest["next_cursor"] is None
    by_agent = (
        await client.get(f"/api/v1/predictions?agent_id={agent_id}&symbol=aapl", headers=headers)
    ).json()
    assert len(by_agent["items"]) == 3
    signal = by_agent["items"][0]["trade_signal"]
    other = "Hold" if signal != "Hold" else "Enter"
    assert (await client.get(f"/api/v1/predictions?signal={other}", headers=headers)).json()[
        "items"
    ] == []
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert (
        await client.get(f"/api/v1/predictions?from={tomorrow}T00:00:00Z", headers=headers)
    ).json()["items"] == []
    bad = await client.get("/api/v1/predictions?cursor=nonsense", headers=headers)
    assert bad.status_code == 422


async def test_history_finds_an_instrument_in_any_form(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
    daily_artifact: Artifact,
) -> None:
    """The `symbol` filter names an instrument: a RIC or a Bloomberg security finds the
    calls of the agent stored under the ticker; a symbol no source resolves is 422."""
    user, headers = trader
    await ready_agent(client, user["id"], daily_artifact, "AAPL")
    await ready_agent(client, user["id"], daily_artifact, "MSFT")
    response = await client.post(
        "/api/v1/predict", json={**DAILY, "stocks": ["AAPL", "MSFT"]}, headers=headers
    )
    assert response.status_code == 200, response.text

    async def symbols(form: str) -> list[str]:
        page = await client.get("/api/v1/predictions", params={"symbol": form}, headers=headers)
        assert page.status_code == 200, page.text
        return [p["symbol"] for p in page.json()["items"]]

    for form in ("AAPL", "aapl", "AAPL.O", "AAPL.N", "AAPL US Equity", "aapl uw equity"):
        assert await symbols(form) == ["AAPL"], form
    assert await symbols("MSFT UN Equity") == ["MSFT"]
    assert await symbols("VOD.L") == []
    bad = await client.get(
        "/api/v1/predictions", params={"symbol": "AAPL XX Equity"}, headers=headers
    )
    assert bad.status_code == 422, bad.text
    [detail] = bad.json()["error"]["details"]
    assert detail["loc"] == ["query", "symbol"]
    assert "not a symbol the platform can resolve" in detail["msg"]
    assert "XX is not an exchange code" in detail["msg"]


# --- CSV helpers ----------------------------------------------------------------------

Row = tuple[date, float, float, float, float, float]


async def _synthetic_daily_rows() -> list[Row]:
    from app.services.market_data.synthetic import SyntheticProvider

    frame = await SyntheticProvider().fetch_bars(
        "AAPL", "1d", datetime(2022, 1, 1, tzinfo=UTC), datetime(2024, 6, 30, tzinfo=UTC)
    )
    return [
        (r["timestamp"].date(), r["open"], r["high"], r["low"], r["close"], r["volume"])
        for r in frame.iter_rows(named=True)
    ]


def _csv(rows: list[Row]) -> str:
    lines = ["Date,Open,High,Low,Close,Volume"]
    lines += [f"{d},{o:.6f},{h:.6f},{lo:.6f},{c:.6f},{v:.0f}" for d, o, h, lo, c, v in rows]
    return "\n".join(lines) + "\n"


async def _use_csv(client: AsyncClient, agent_id: str) -> None:
    import uuid

    from app.models import Agent

    runtime = client._transport.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.sessionmaker() as session:
        agent = await session.get(Agent, uuid.UUID(agent_id))
        agent.data_source = "csv"
        session.add(agent)
        await session.commit()


# --- found by schema fuzzing (tests/test_schema_fuzz.py) -------------------------------

TRADE = {
    "symbol": "AAPL",
    "predicted_price": 192.50,
    "confidence": 0.85,
    "entry_price": 185.50,
    "stop_loss": 182.00,
    "user_segment": "short_term_trader",
    "account_equity": 35_000,
}


async def test_trade_signal_echoes_a_confidence_below_one_half(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
) -> None:
    """The caller's confidence may be anything in [0, 1]; the answer's model required
    ≥ 0.5 (a calibrated model's floor), so 0.2 failed response validation (a 500)."""
    _, headers = trader
    response = await client.post(
        "/api/v1/trade-signal", json={**TRADE, "confidence": 0.2}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["confidence"] == 0.2 and body["trade_signal"] == "Hold"
    assert body["position_size"] == 0 and body["warnings"]


@pytest.mark.parametrize("field", ["predicted_price", "entry_price", "stop_loss"])
@pytest.mark.parametrize("price", [1e26, 1e-9])
async def test_trade_signal_prices_outside_the_engine_range_are_422(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
    field: str,
    price: float,
) -> None:
    """A stop of 1e26 overflowed the engine's 28-digit decimals (a 500)."""
    _, headers = trader
    response = await client.post(
        "/api/v1/trade-signal", json={**TRADE, field: price}, headers=headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["loc"] == ["body", field]


@pytest.mark.parametrize(
    "as_of", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"]
)
async def test_an_as_of_near_year_1_or_9999_is_422(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
    as_of: str,
) -> None:
    """Moving such an instant to New York time (or adding a horizon) overflowed (a 500)."""
    _, headers = trader
    response = await client.post(
        "/api/v1/trade-signal", json={**TRADE, "as_of": as_of}, headers=headers
    )
    assert response.status_code == 422, response.text
    response = await client.post("/api/v1/predict", json={**DAILY, "as_of": as_of}, headers=headers)
    assert response.status_code == 422, response.text
    response = await client.get("/api/v1/predictions", params={"from": as_of}, headers=headers)
    assert response.status_code == 422, response.text


async def test_history_reads_a_date_filter_without_offset_as_utc(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
) -> None:
    """The database refuses naive instants: `from=2025-01-01T00:00:00` was a 500."""
    _, headers = trader
    for name in ("from", "to"):
        response = await client.get(
            "/api/v1/predictions", params={name: "2025-01-01T00:00:00"}, headers=headers
        )
        assert response.status_code == 200, response.text
    response = await client.get(
        "/api/v1/predictions", params={"symbol": "AAPL\x00"}, headers=headers
    )
    assert response.status_code == 422, response.text


async def test_history_cursor_without_a_time_zone_is_422(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
) -> None:
    import base64
    import uuid

    _, headers = trader
    cursor = base64.urlsafe_b64encode(f"2025-01-01T00:00:00|{uuid.uuid4()}".encode()).decode()
    response = await client.get("/api/v1/predictions", params={"cursor": cursor}, headers=headers)
    assert response.status_code == 422, response.text


async def test_an_entry_too_close_to_zero_for_the_default_stop_is_422(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
    daily_artifact: Artifact,
) -> None:
    """Entry $1 and no stop: the default stop, two ATRs below, is not a price."""
    user, headers = trader
    agent_id, _ = await ready_agent(client, user["id"], daily_artifact)
    response = await client.post(
        "/api/v1/predict",
        headers=headers,
        json={**DAILY, "entry_price": 1.0, "agent_ids": {"AAPL": agent_id}},
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["loc"] == ["body", "stop_loss"]


async def test_a_position_beyond_two_billion_shares_is_stored(
    client: AsyncClient,
    daily_artifact: Artifact,
) -> None:
    """$1e12 of equity and a one-cent stop: ~4.5e9 shares overflowed PostgreSQL's 32-bit
    `position_size` (a 500 after the answer was computed)."""
    user, tokens = await user_with_tokens(client, user_segment="quant", account_equity=1e12)
    headers = {**bearer(tokens), "Cache-Control": "no-cache"}
    agent_id, _ = await ready_agent(client, user["id"], daily_artifact)
    request = {
        **DAILY,
        "user_segment": "quant",
        "confidence_level": 0.5,
        "capital_at_risk": 0.25,
        "agent_ids": {"AAPL": agent_id},
    }
    first = await client.post("/api/v1/predict", json=request, headers=headers)
    entry = round(first.json()["predicted_price"] * 0.99, 2)  # a Long call, 1 % below
    response = await client.post(
        "/api/v1/predict",
        headers=headers,
        json={**request, "entry_price": entry, "stop_loss": round(entry - 0.01, 2)},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["trade_signal"] == "Enter" and body["position_size"] > 2**31
    stored = await client.get(f"/api/v1/predictions/{body['prediction_id']}", headers=headers)
    assert stored.json()["position_size"] == body["position_size"]


@pytest.mark.parametrize("backend", ["services"], indirect=True)
async def test_more_concurrent_calls_than_pooled_connections(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    daily_artifact: Artifact,
) -> None:
    """Each call's reads and its saved rows use one pooled connection at a time: a
    call that kept its read connection while waiting for the group writer's left
    the writer none once calls outnumbered connections (503s after the pool timeout)."""
    import asyncio

    client = await app_factory(
        make_settings(db_pool_size=1, db_pool_timeout_s=3.0, rate_limits_enabled=False)
    )
    user, tokens = await user_with_tokens(client, account_equity=35_000)
    agent_id, _ = await ready_agent(client, user["id"], daily_artifact)
    headers = {**bearer(tokens), "Cache-Control": "no-cache"}
    body = {**DAILY, "agent_ids": {"AAPL": agent_id}}
    responses = await asyncio.gather(
        *(client.post("/api/v1/predict", json=body, headers=headers) for _ in range(12))
    )
    assert [r.status_code for r in responses] == [200] * 12, responses[0].text
    history = await client.get("/api/v1/predictions", params={"limit": 50}, headers=headers)
    assert len(history.json()["items"]) == 12


@pytest.mark.parametrize(
    ("verdict", "warned"),
    [
        ({"skill": "no_edge", "beats_naive_baseline": False}, True),
        ({"skill": "edge", "beats_naive_baseline": True}, False),
        ({"beats_naive_baseline": False}, True),  # a version from before `skill`
        ({"beats_naive_baseline": True}, False),
    ],
)
async def test_a_model_without_an_edge_says_so_on_every_call(
    client: AsyncClient,
    trader: tuple[dict[str, Any], dict[str, str]],
    daily_artifact: Artifact,
    verdict: dict[str, Any],
    warned: bool,
) -> None:
    user, headers = trader
    metrics = {k: v for k, v in daily_artifact.result["metrics"].items() if k != "skill"}
    result = {**daily_artifact.result, "metrics": {**metrics, **verdict}}
    artifact = dataclasses.replace(daily_artifact, result=result)
    agent_id, _ = await ready_agent(client, user["id"], artifact)
    body = {**DAILY, "agent_ids": {"AAPL": agent_id}}
    response = await client.post("/api/v1/predict", json=body, headers=headers)
    assert response.status_code == 200, response.text
    no_edge = [w for w in response.json()["warnings"] if w.startswith("This model shows no edge")]
    assert len(no_edge) == (1 if warned else 0), response.json()["warnings"]
