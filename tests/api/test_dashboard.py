"""GET /api/v1/dashboard: each segment's view, built from the caller's stored rows only,
and the live track record on the agents routes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from httpx import AsyncClient

from app.config import Settings
from app.models import Prediction
from tests.utils.agents import agent_rows
from tests.utils.db import insert
from tests.utils.errors import assert_error
from tests.utils.predictions import prediction_row
from tests.utils.users import bearer, user_with_tokens

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def quiet_settings(make_settings: Callable[..., Settings]) -> Settings:
    """No background loops: the rows stay exactly as the test wrote them."""
    return make_settings(outcomes_interval_s=0, embedded_runner=False)


@pytest.fixture
async def client(app_factory: Callable[[Settings], Any], quiet_settings: Settings) -> AsyncClient:
    result: AsyncClient = await app_factory(quiet_settings)
    return result


async def member(client: AsyncClient, segment: str, **extra: Any) -> tuple[str, dict[str, str]]:
    user, tokens = await user_with_tokens(client, user_segment=segment, **extra)
    return user["id"], bearer(tokens)


async def dashboard(client: AsyncClient, headers: dict[str, str], **params: str) -> Any:
    response = await client.get("/api/v1/dashboard", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def morning_zone(now: datetime) -> str:
    """A fixed-offset zone where it is now between 02:00 and 09:59, so that windows
    ending at 23:59 are open and one ending at 00:30 is over, whatever the hour."""
    for hours in range(-12, 15):
        if 2 <= (now + timedelta(hours=hours)).hour <= 9:
            return f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"
    raise AssertionError("some offset is always in the morning")


def ids(items: list[dict[str, Any]], key: str = "prediction_id") -> list[str]:
    return [item[key] for item in items]


def resolved(
    user_id: str, agent: Any, version: Any, day: int, correct: bool, **overrides: Any
) -> Prediction:
    as_of = datetime(2024, 3, 1, 21, tzinfo=UTC) + timedelta(days=day)
    return prediction_row(
        user_id,
        agent_id=agent.id,
        agent_version_id=version.id,
        symbol=agent.symbol,
        data_source="synthetic",
        data_frequency="1d",
        prediction_horizon="1d",
        as_of=as_of,
        target_time=as_of + timedelta(days=1),
        realised_price=100.0,
        correct=correct,
        realised_at=as_of + timedelta(days=1),
        **{"created_at": as_of + timedelta(hours=1), **overrides},
    )


async def test_the_dashboard_needs_a_token(client: AsyncClient) -> None:
    assert_error(await client.get("/api/v1/dashboard"), 401, "unauthorized")


async def test_short_term_trader_sees_todays_signals_and_open_entry_windows(
    client: AsyncClient,
    quiet_settings: Settings,
) -> None:
    me, headers = await member(client, "short_term_trader")
    other, _ = await member(client, "short_term_trader")
    now = datetime.now(UTC)
    zone = morning_zone(now)
    start_of_day = datetime.combine(now.astimezone(NEW_YORK).date(), time.min, NEW_YORK)

    def call(
        symbol: str,
        seconds_ago: int,
        window: dict[str, str] | None = None,
        user: str = me,
        **request: Any,
    ) -> Prediction:
        if window is not None:
            request.update(entry_window=window, timezone=zone)
        return prediction_row(
            user,
            symbol=symbol,
            request=request,
            created_at=now - timedelta(seconds=seconds_ago),
            response={
                "suggested_exit_time": "14:00",
                "suggestion_text": f"Entering LONG on {symbol}.",
            },
        )

    all_day = {"start": "00:00", "end": "23:59"}
    open_aapl = call("AAPL", 1, all_day)
    ended = call("MSFT", 2, {"end": "00:30"})
    older_aapl = call("AAPL", 3, all_day)
    what_if = call("TSLA", 4, all_day, as_of="2024-01-02T15:00:00Z")
    later = call("NVDA", 5, {"start": "23:00", "end": "23:59"})
    yesterday = prediction_row(me, symbol="AMD", created_at=start_of_day - timedelta(hours=1))
    theirs = call("AAPL", 0, all_day, user=other)
    await insert(quiet_settings, open_aapl, ended, older_aapl, what_if, later, yesterday, theirs)

    body = await dashboard(client, headers)
    assert body["segment"] == "short_term_trader"
    assert body["trading_date"] == now.astimezone(NEW_YORK).date().isoformat()
    assert ids(body["todays_signals"]) == [
        str(p.id) for p in (open_aapl, ended, older_aapl, what_if, later)
    ]
    first = body["todays_signals"][0]
    assert first["symbol"] == "AAPL" and first["trade_signal"] == "Enter"
    assert first["suggestion_text"] == "Entering LONG on AAPL." and first["outcome"] == "pending"
    windows = {w["call"]["symbol"]: w for w in body["open_entry_windows"]}
    assert set(windows) == {"AAPL", "NVDA"}  # MSFT's ended; TSLA's is a what-if
    assert windows["AAPL"]["call"]["prediction_id"] == str(open_aapl.id)
    assert windows["AAPL"]["open_now"] is True and windows["NVDA"]["open_now"] is False
    assert windows["AAPL"]["timezone"] == zone
    local_end = datetime.fromisoformat(windows["AAPL"]["ends_at"]).astimezone(ZoneInfo(zone))
    assert local_end.time() == time(23, 59) and local_end > now


async def test_investor_sees_the_latest_long_horizon_call_per_holding(
    client: AsyncClient,
    quiet_settings: Settings,
) -> None:
    me, headers = await member(client, "investor")
    other, _ = await member(client, "investor")
    now = datetime.now(UTC)
    agent, version = agent_rows(me)
    assert version is not None
    track = [resolved(me, agent, version, 0, True), resolved(me, agent, version, 1, False)]

    def call(
        symbol: str, horizon: str, ago: timedelta, user: str = me, **overrides: Any
    ) -> Prediction:
        return prediction_row(
            user,
            symbol=symbol,
            prediction_horizon=horizon,
            data_frequency="1d",
            created_at=now - ago,
            **overrides,
        )

    old = call("AAPL", "1d", timedelta(days=3), agent_id=agent.id, agent_version_id=version.id)
    latest = call("AAPL", "1d", timedelta(days=1), agent_id=agent.id, agent_version_id=version.id)
    intraday = call("MSFT", "1h", timedelta(hours=1))
    weekly = call("TSLA", "1wk", timedelta(hours=2))
    theirs = call("AAPL", "1d", timedelta(0), user=other)
    await insert(quiet_settings, agent, version, *track, old, latest, intraday, weekly, theirs)

    body = await dashboard(client, headers)
    assert body["segment"] == "investor"
    holdings = {h["symbol"]: h for h in body["holdings"]}
    assert list(holdings) == ["AAPL", "TSLA"]
    assert holdings["AAPL"]["latest_call"]["prediction_id"] == str(latest.id)
    assert holdings["AAPL"]["track_record"] == {"n_calls": 2, "n_right": 1, "hit_rate": 0.5}
    assert holdings["TSLA"]["latest_call"]["prediction_id"] == str(weekly.id)
    assert holdings["TSLA"]["track_record"] == {"n_calls": 0, "n_right": 0, "hit_rate": None}


async def test_manager_sees_exposure_capital_at_risk_and_signals(
    client: AsyncClient,
    quiet_settings: Settings,
) -> None:
    me, headers = await member(client, "manager", account_equity=50_000)
    other, _ = await member(client, "manager")
    now = datetime.now(UTC)

    def call(
        symbol: str, signal: str, hours_ago: int, user: str = me, **overrides: Any
    ) -> Prediction:
        return prediction_row(
            user,
            symbol=symbol,
            trade_signal=signal,
            created_at=now - timedelta(hours=hours_ago),
            **overrides,
        )

    rows = [
        call("AAPL", "Enter", 3, position_size=100, entry_price=50.0, max_loss=200.0),
        call("AAPL", "Hold", 1, position_size=0, max_loss=0.0),  # a Hold changes nothing
        call(
            "TSLA",
            "Enter",
            2,
            direction="Short",
            position_size=10,
            entry_price=200.0,
            max_loss=100.0,
        ),
        call("NFLX", "Enter", 3, position_size=5, entry_price=400.0, max_loss=50.0),
        call("NFLX", "Exit", 1, position_size=0, max_loss=0.0),  # closed by a later Exit
        call(
            "MSFT", "Enter", 1, user=other, position_size=1000, entry_price=100.0, max_loss=5000.0
        ),
    ]
    await insert(quiet_settings, *rows)

    body = await dashboard(client, headers)
    assert body["segment"] == "manager" and body["account_equity"] == 50_000
    positions = {p["symbol"]: p for p in body["positions"]}
    assert set(positions) == {"AAPL", "TSLA"}
    assert positions["AAPL"]["exposure"] == 5000.0 and positions["AAPL"]["direction"] == "Long"
    assert positions["AAPL"]["prediction_id"] == str(rows[0].id)
    assert positions["TSLA"]["exposure"] == 2000.0 and positions["TSLA"]["direction"] == "Short"
    assert body["exposure"] == {"long": 5000.0, "short": 2000.0, "gross": 7000.0, "net": 3000.0}
    assert body["capital_at_risk"] == 300.0
    assert body["capital_at_risk_fraction"] == pytest.approx(0.006)
    signals = {s["symbol"]: s["trade_signal"] for s in body["signals"]}
    assert signals == {"AAPL": "Hold", "NFLX": "Exit", "TSLA": "Enter"}


async def test_quant_sees_agents_with_metrics_loss_curves_and_track_records(
    client: AsyncClient,
    quiet_settings: Settings,
) -> None:
    me, headers = await member(client, "quant")
    other, _ = await member(client, "quant")
    now = datetime.now(UTC)
    ready, version = agent_rows(me, name="ready", created_at=now - timedelta(days=2))
    queued, _ = agent_rows(
        me, serving=False, name="queued", symbol="MSFT", created_at=now - timedelta(days=1)
    )
    theirs, their_version = agent_rows(other, name="theirs")
    assert version is not None and their_version is not None
    track = [
        resolved(me, ready, version, day, correct)
        for day, correct in enumerate([True, True, False, True])
    ]
    await insert(
        quiet_settings,
        ready,
        version,
        queued,
        theirs,
        their_version,
        *track,
        resolved(other, theirs, their_version, 0, True),
    )

    body = await dashboard(client, headers)
    assert body["segment"] == "quant"
    assert ids(body["agents"], "agent_id") == [str(queued.id), str(ready.id)]
    listed = {a["name"]: a for a in body["agents"]}
    assert listed["ready"]["serving_version_id"] == str(version.id)
    assert listed["ready"]["serving_version_number"] == 1
    assert listed["ready"]["metrics"] == version.metrics
    assert listed["ready"]["loss_curve"] == version.loss_curve
    assert listed["ready"]["track_record"] == {"n_calls": 4, "n_right": 3, "hit_rate": 0.75}
    assert listed["queued"]["metrics"] is None and listed["queued"]["loss_curve"] == []
    assert listed["queued"]["track_record"]["n_calls"] == 0


async def test_any_view_of_your_own_data_and_nothing_else(
    client: AsyncClient,
    quiet_settings: Settings,
) -> None:
    me, headers = await member(client, "short_term_trader")
    _, other_headers = await member(client, "manager")
    mine = prediction_row(me, symbol="AAPL", position_size=10, entry_price=100.0)
    await insert(quiet_settings, mine)

    body = await dashboard(client, headers, segment="manager")
    assert body["segment"] == "manager"
    assert [p["prediction_id"] for p in body["positions"]] == [str(mine.id)]
    assert (await dashboard(client, headers, segment="quant"))["agents"] == []
    theirs = await dashboard(client, other_headers)
    assert theirs["segment"] == "manager" and theirs["positions"] == []
    assert theirs["signals"] == [] and theirs["capital_at_risk"] == 0
    bad = await client.get("/api/v1/dashboard", headers=headers, params={"segment": "boss"})
    assert assert_error(bad, 422, "validation_error")["details"][0]["loc"] == ["query", "segment"]


async def test_agents_carry_their_live_track_record(
    client: AsyncClient,
    quiet_settings: Settings,
) -> None:
    me, headers = await member(client, "quant")
    agent, version = agent_rows(me)
    idle, idle_version = agent_rows(me, symbol="MSFT")
    assert version is not None
    await insert(
        quiet_settings,
        agent,
        version,
        idle,
        idle_version,
        resolved(me, agent, version, 0, True),
        resolved(me, agent, version, 1, False),
        resolved(me, agent, version, 2, True),
        resolved(me, agent, version, 2, True, cached=True),
    )

    detail = (await client.get(f"/api/v1/agents/{agent.id}", headers=headers)).json()
    assert detail["track_record"] == {"n_calls": 3, "n_right": 2, "hit_rate": 0.6667}
    page = (await client.get("/api/v1/agents", headers=headers)).json()
    records = {item["id"]: item["track_record"] for item in page["items"]}
    assert records == {
        str(agent.id): detail["track_record"],
        str(idle.id): {"n_calls": 0, "n_right": 0, "hit_rate": None},
    }
    assert uuid.UUID(detail["id"]) == agent.id
