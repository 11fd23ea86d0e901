"""`app.services.predictions.history`: the caller's saved calls, newest first, and no one else's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.errors import Unprocessable
from app.models import Prediction, User
from app.services.predictions import history
from app.services.predictions.history import PredictionNotFound
from tests.utils.agents import agent_rows
from tests.utils.db import add_all
from tests.utils.predictions import prediction_row
from tests.utils.users import user_row

Sessions = async_sessionmaker[AsyncSession]
T0 = datetime(2025, 3, 3, 15, tzinfo=UTC)


async def saved(sessionmaker: Sessions, user: User) -> tuple[list[Prediction], Prediction]:
    """Five calls of `user` a minute apart (the last two at one instant) and a stranger's."""
    agent, version = agent_rows(user.id, symbol="MSFT")
    assert version is not None
    specs = [
        ("AAPL", "Enter", None, 0),
        ("MSFT", "Hold", agent.id, 1),
        ("AAPL", "Exit", None, 2),
        ("MSFT", "Enter", agent.id, 3),
        ("AAPL", "Enter", None, 3),
    ]
    mine = [
        prediction_row(
            user.id,
            symbol=symbol,
            trade_signal=signal,
            agent_id=agent_id,
            created_at=T0 + timedelta(minutes=minute),
        )
        for symbol, signal, agent_id, minute in specs
    ]
    stranger = user_row()
    theirs = prediction_row(stranger.id, created_at=T0 + timedelta(minutes=2))
    async with sessionmaker() as session:
        await add_all(session, agent, version, stranger, theirs, *mine)
        await session.commit()
    return mine, theirs


async def test_pages_are_newest_first_and_only_the_callers(
    sessionmaker: Sessions,
    user: User,
) -> None:
    mine, theirs = await saved(sessionmaker, user)
    expected = [p.id for p in sorted(mine, key=lambda p: (p.created_at, p.id), reverse=True)]
    async with sessionmaker() as session:
        first, cursor = await history.page(session, user, limit=3)
        assert cursor is not None
        rest, last = await history.page(session, user, limit=3, cursor=cursor)
        assert last is None
        assert [p.id for p in first + rest] == expected
        assert theirs.id not in expected


async def test_page_filters(sessionmaker: Sessions, user: User) -> None:
    mine, _ = await saved(sessionmaker, user)
    async with sessionmaker() as session:

        async def ids(**filters: Any) -> list[uuid.UUID]:
            rows, _ = await history.page(session, user, limit=10, **filters)
            return [p.id for p in rows]

        assert await ids(symbol=" msft ") == [mine[3].id, mine[1].id]
        assert await ids(agent_id=mine[1].agent_id) == [mine[3].id, mine[1].id]
        assert await ids(trade_signal="Exit") == [mine[2].id]
        assert set(await ids(since=T0 + timedelta(minutes=2))) == {
            mine[2].id,
            mine[3].id,
            mine[4].id,
        }
        assert await ids(until=T0 + timedelta(minutes=1)) == [mine[0].id]


async def test_the_symbol_filter_matches_the_instrument_under_every_code(
    sessionmaker: Sessions, user: User
) -> None:
    """A call keeps its agent's vendor code; the filter finds it by any form of the
    instrument, and keeps case-distinct RICs (BRKb.N is class B, BRKB.N is not) apart."""
    codes = ["AAPL", "AAPL.O", "AAPL UW Equity", "BRKb.N", "BRKB.N", "MSFT"]
    rows = [
        prediction_row(user.id, symbol=code, created_at=T0 + timedelta(minutes=minute))
        for minute, code in enumerate(codes)
    ]
    async with sessionmaker() as session:
        await add_all(session, *rows)
        await session.commit()

        async def symbols(symbol: str) -> list[str]:
            found, _ = await history.page(session, user, limit=10, symbol=symbol)
            return sorted(p.symbol for p in found)

        aapl = ["AAPL", "AAPL UW Equity", "AAPL.O"]
        for form in ("AAPL", "aapl.o", "AAPL.N", "AAPL US Equity", "aapl uq equity"):
            assert await symbols(form) == aapl, form
        for form in ("BRKb.N", "BRK.B", "BRK-B", "BRK/B US Equity"):
            assert await symbols(form) == ["BRKb.N"], form
        assert await symbols("BRKB.N") == await symbols("BRKB") == ["BRKB.N"]
        with pytest.raises(Unprocessable) as raised:
            await history.page(session, user, limit=10, symbol="AAPL XX Equity")
        [detail] = raised.value.details
        assert detail["loc"] == ["query", "symbol"]
        assert "not a symbol the platform can resolve" in detail["msg"]


async def test_get_owned_hides_other_users_calls_like_missing_ones(
    sessionmaker: Sessions,
    user: User,
) -> None:
    mine, theirs = await saved(sessionmaker, user)
    async with sessionmaker() as session:
        own = await history.get_owned(session, user, mine[2].id)
        assert (own.id, own.trade_signal) == (mine[2].id, "Exit")
        with pytest.raises(PredictionNotFound) as stranger:
            await history.get_owned(session, user, theirs.id)
        with pytest.raises(PredictionNotFound) as missing:
            await history.get_owned(session, user, uuid.uuid4())
    answer = ("prediction_not_found", "No such prediction.")
    assert (stranger.value.code, stranger.value.message) == answer
    assert (missing.value.code, missing.value.message) == answer
