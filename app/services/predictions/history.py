"""The caller's saved predictions: one by id, or a page, newest first.

Another user's prediction answers 404 exactly like a missing one, so ids reveal nothing.
The `symbol` filter names an instrument, in any form the resolver reads
(`app.core.instruments`): `AAPL`, `AAPL.O` and `AAPL US Equity` find the same calls,
whichever source their agent used.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.core.instruments import UnknownInstrument, resolve
from app.core.pagination import keyset, page_of
from app.errors import NotFound, Unprocessable
from app.models import Prediction, User


class PredictionNotFound(NotFound):
    code = "prediction_not_found"
    message = "No such prediction."


async def get_owned(session: AsyncSession, user: User, prediction_id: uuid.UUID) -> Prediction:
    prediction = await session.get(Prediction, prediction_id)
    if prediction is None or prediction.user_id != user.id:
        raise PredictionNotFound()
    return prediction


def instrument_codes(symbol: str) -> list[str]:
    """Every code a call on `symbol`'s instrument is stored under (a call keeps its
    agent's vendor code: AAPL, AAPL.O, AAPL US Equity); a 422 on the `symbol` query
    field, with the resolver's message, for a symbol no source can resolve."""
    try:
        return sorted(resolve(symbol).aliases)
    except UnknownInstrument as exc:
        raise Unprocessable.field(["query", "symbol"], str(exc)) from None


async def page(
    session: AsyncSession,
    user: User,
    *,
    limit: int,
    cursor: str | None = None,
    symbol: str | None = None,
    agent_id: uuid.UUID | None = None,
    trade_signal: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[list[Prediction], str | None]:
    """Newest first, keyset-paginated on (created_at, id); `symbol` matches every call
    on its instrument (`instrument_codes`)."""
    query = select(Prediction).where(col(Prediction.user_id) == user.id)
    if symbol:
        query = query.where(col(Prediction.symbol).in_(instrument_codes(symbol)))
    if agent_id:
        query = query.where(col(Prediction.agent_id) == agent_id)
    if trade_signal:
        query = query.where(col(Prediction.trade_signal) == trade_signal)
    if since:
        query = query.where(col(Prediction.created_at) >= since)
    if until:
        query = query.where(col(Prediction.created_at) < until)
    query = keyset(query, col(Prediction.created_at), col(Prediction.id), cursor, limit)
    return page_of((await session.scalars(query)).all(), limit)
