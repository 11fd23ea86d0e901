"""The dashboard's views are per instrument, and the agents list filters on one: agents
on `AAPL` and `AAPL.O` are one share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.segments import UserSegment
from app.errors import Unprocessable
from app.models import Prediction, User
from app.schemas.dashboard import (
    InvestorDashboard,
    ManagerDashboard,
    QuantDashboard,
    ShortTermTraderDashboard,
)
from app.services import agents, dashboard
from tests.utils.agents import agent_rows
from tests.utils.db import add_all
from tests.utils.predictions import prediction_row

Sessions = async_sessionmaker[AsyncSession]


def _morning_zone(now: datetime) -> str:
    """A fixed-offset zone where it is now between 04:00 and 09:59: calls of the last
    three hours were made today there, and a window ending at 23:59 is still open."""
    for hours in range(-12, 15):
        if 4 <= (now + timedelta(hours=hours)).hour <= 9:
            return f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"
    raise AssertionError("some offset is always in the morning")


async def _two_listings(sessionmaker: Sessions, user: User, now: datetime) -> list[Prediction]:
    """Agents on AAPL and AAPL.O (and MSFT), each with a daily call; AAPL.O's is the
    newer of the two AAPL calls."""
    zone = _morning_zone(now)
    plain, plain_version = agent_rows(user.id, symbol="AAPL", name="plain")
    ric, ric_version = agent_rows(user.id, symbol="AAPL.O", data_source="refinitiv", name="ric")
    msft, msft_version = agent_rows(user.id, symbol="MSFT", name="msft")
    calls = []
    for agent, version, hours_ago in (
        (plain, plain_version, 3),
        (ric, ric_version, 1),
        (msft, msft_version, 2),
    ):
        assert version is not None
        calls.append(
            prediction_row(
                user.id,
                agent_id=agent.id,
                agent_version_id=version.id,
                symbol=agent.symbol,
                data_frequency="1d",
                prediction_horizon="1d",
                created_at=now - timedelta(hours=hours_ago),
                request={"entry_window": {"end": "23:59"}, "timezone": zone},
            )
        )
    async with sessionmaker() as session:
        await add_all(session, plain, plain_version, ric, ric_version, msft, msft_version, *calls)
        await session.commit()
    return calls


async def test_the_dashboard_groups_aapl_and_aapl_o_as_one_instrument(
    sessionmaker: Sessions, user: User
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    plain, ric, msft = await _two_listings(sessionmaker, user, now)
    async with sessionmaker() as session:
        manager = await dashboard.build(session, user, UserSegment.manager, now=now)
        investor = await dashboard.build(session, user, UserSegment.investor, now=now)
        quant = await dashboard.build(session, user, UserSegment.quant, now=now)
        trader = await dashboard.build(session, user, UserSegment.short_term_trader, now=now)
    assert isinstance(manager, ManagerDashboard)
    assert [(s.symbol, s.prediction_id) for s in manager.signals] == [
        ("AAPL.O", ric.id),
        ("MSFT", msft.id),
    ]
    assert [(p.symbol, p.prediction_id) for p in manager.positions] == [
        ("AAPL", ric.id),
        ("MSFT", msft.id),
    ]
    assert isinstance(investor, InvestorDashboard)
    assert [(h.symbol, h.latest_call.prediction_id) for h in investor.holdings] == [
        ("AAPL", ric.id),
        ("MSFT", msft.id),
    ]
    assert isinstance(trader, ShortTermTraderDashboard)
    windows = sorted(w.call.prediction_id for w in trader.open_entry_windows)
    assert windows == sorted([ric.id, msft.id])
    assert plain.id not in windows
    assert isinstance(quant, QuantDashboard)
    assert sorted(a.symbol for a in quant.agents) == ["AAPL", "AAPL.O", "MSFT"]  # per agent


async def test_the_agents_list_filters_on_the_instrument(
    sessionmaker: Sessions, user: User
) -> None:
    await _two_listings(sessionmaker, user, datetime.now(UTC))
    async with sessionmaker() as session:
        for form in ("AAPL", "aapl", "AAPL.N", "AAPL US Equity"):
            found, _ = await agents.list_page(session, user, limit=10, symbol=form)
            assert sorted(a.symbol for a in found) == ["AAPL", "AAPL.O"], form
        with pytest.raises(Unprocessable) as raised:
            await agents.list_page(session, user, limit=10, symbol="AAPL XX Equity")
    [detail] = raised.value.details
    assert detail["loc"] == ["query", "symbol"]
    assert "not a symbol the platform can resolve" in detail["msg"]
