"""Predictions over HTTP (SPEC §6): /predict, /trade-signal and the history."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, Query

from app.deps import ClientDep, CurrentUser, DefaultRateLimit, RuntimeDep, SessionDep, rate_limit
from app.errors import error_responses
from app.models import Prediction
from app.models.base import NulFreeStr
from app.schemas.predictions import (
    SEED_EXAMPLE,
    SEED_RESPONSE_EXAMPLE,
    Instant,
    PredictionPage,
    PredictionRecord,
    PredictRequest,
    PredictResponse,
    TradeSignalRequest,
    TradeSignalResponse,
)
from app.services import trade_signal as signal_engine
from app.services.predictions import history

router = APIRouter(tags=["predictions"])
PredictRateLimit = Depends(rate_limit("predict"))
CacheControl = Annotated[str | None, Header(alias="Cache-Control", max_length=200)]


@router.post(
    "/predict",
    response_model=PredictResponse,
    operation_id="predict",
    dependencies=[PredictRateLimit],
    responses={
        200: {"content": {"application/json": {"example": SEED_RESPONSE_EXAMPLE}}},
        **error_responses(400, 401, 404, 409, 413, 422, 429, 503),
    },
)
async def predict(
    body: Annotated[
        PredictRequest,
        Body(
            openapi_examples={
                "seed": {"summary": "The seed's configuration", "value": SEED_EXAMPLE}
            }
        ),
    ],
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    client: ClientDep,
    cache_control: CacheControl = None,
) -> dict[str, Any]:
    """Forecast, signal and trade plan for each stock, from your READY agents.

    `Cache-Control: no-cache` skips the prediction cache for this call (the answer
    is still stored for the next one).
    """
    use_cache = "no-cache" not in (cache_control or "").lower()
    return await runtime.predictions.predict(session, user, body, client, use_cache=use_cache)


@router.post(
    "/trade-signal",
    response_model=TradeSignalResponse,
    operation_id="trade_signal",
    dependencies=[PredictRateLimit],
    responses=error_responses(400, 401, 413, 422, 429, 503),
)
async def trade_signal(
    body: TradeSignalRequest, runtime: RuntimeDep, user: CurrentUser
) -> dict[str, Any]:
    """The signal engine alone, for a forecast you bring."""
    return signal_engine.trade_signal(body, user, runtime.settings)


def _record(row: Prediction) -> PredictionRecord:
    return PredictionRecord.model_validate(row, from_attributes=True)


@router.get(
    "/predictions",
    response_model=PredictionPage,
    operation_id="list_predictions",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 422, 429, 503),
)
async def list_predictions(
    session: SessionDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    symbol: Annotated[NulFreeStr | None, Query(max_length=32)] = None,
    agent_id: uuid.UUID | None = None,
    signal: Annotated[Literal["Enter", "Exit", "Hold"] | None, Query()] = None,
    since: Annotated[Instant | None, Query(alias="from")] = None,
    until: Annotated[Instant | None, Query(alias="to")] = None,
) -> PredictionPage:
    rows, next_cursor = await history.page(
        session,
        user,
        limit=limit,
        cursor=cursor,
        symbol=symbol,
        agent_id=agent_id,
        trade_signal=signal,
        since=since,
        until=until,
    )
    return PredictionPage(items=[_record(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/predictions/{prediction_id}",
    response_model=PredictionRecord,
    operation_id="get_prediction",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 404, 422, 429, 503),
)
async def get_prediction(
    prediction_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> PredictionRecord:
    return _record(await history.get_owned(session, user, prediction_id))
