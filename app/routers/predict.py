"""Predictions over HTTP (SPEC §6): /predict, /trade-signal and the history."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query

from app.core.vocabulary import TradeSignal
from app.deps import Caller, CurrentUser, DefaultRateLimit, RuntimeDep, SessionDep, quota_caller
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
# The caller, its session and client, counted against the `predict` quota; committed
# before the response is sent, as `SessionDep`.
PredictCaller = Annotated[Caller, Depends(quota_caller("predict"), scope="function")]
CacheControl = Annotated[str | None, Header(alias="Cache-Control", max_length=200)]


@router.post(
    "/predict",
    response_model=PredictResponse,
    operation_id="predict",
    summary="Predict: price, confidence, signal and trade plan per stock",
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
    caller: PredictCaller,
    runtime: RuntimeDep,
    cache_control: CacheControl = None,
) -> dict[str, Any]:
    """Forecast, signal and trade plan for each stock, from your READY agents: the
    predicted price with its interval, a calibrated confidence (0.5 is a coin flip),
    Enter/Exit/Hold, Long/Short, a suggested exit time, a position size, a sentence and
    risk figures. `warnings` says why a call is Hold or why to distrust it.

    The same request for the same bar is answered from a cache (`cached: true`);
    `Cache-Control: no-cache` skips it for this call (the answer is still stored).

    Errors: 409 `no_ready_agent` when no READY agent matches a symbol, frequency and
    horizon: `details.create_agent_request` is the body to `POST /agents`; 409
    `agent_not_ready`, `model_unavailable` or `not_enough_bars` for an agent that cannot
    answer yet; 404 for an `agent_ids` entry that is not yours; 422 for invalid input
    (each field in `details`); 429 past the `predict` quota; 503 when market data or
    the database is unavailable."""
    use_cache = "no-cache" not in (cache_control or "").lower()
    return await runtime.predictions.predict(
        caller.session, caller.user, body, caller.client, use_cache=use_cache
    )


@router.post(
    "/trade-signal",
    response_model=TradeSignalResponse,
    operation_id="trade_signal",
    summary="Run the signal engine on a forecast you bring",
    responses=error_responses(400, 401, 413, 422, 429, 503),
)
async def trade_signal(
    body: TradeSignalRequest, caller: PredictCaller, runtime: RuntimeDep
) -> dict[str, Any]:
    """The signal engine alone: give a current and a predicted price, a confidence and
    your risk settings; get back the Enter/Exit/Hold and Long/Short call, the position
    size, exit time and risk figures that `/predict` would derive from them, with the
    same rule and warnings. No model is run and nothing is stored.

    Errors: 422 for invalid input, such as a stop-loss on the wrong side (each field in
    `details`); 429 past the `predict` quota."""
    return signal_engine.trade_signal(body, caller.user, runtime.settings)


def _record(row: Prediction) -> PredictionRecord:
    return PredictionRecord.model_validate(row, from_attributes=True)


@router.get(
    "/predictions",
    response_model=PredictionPage,
    operation_id="list_predictions",
    summary="List your past predictions",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 422, 429, 503),
)
async def list_predictions(
    session: SessionDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[
        str | None,
        Query(max_length=200, description="`next_cursor` of the previous page; opaque."),
    ] = None,
    symbol: Annotated[NulFreeStr | None, Query(max_length=32)] = None,
    agent_id: uuid.UUID | None = None,
    signal: Annotated[TradeSignal | None, Query()] = None,
    since: Annotated[Instant | None, Query(alias="from")] = None,
    until: Annotated[Instant | None, Query(alias="to")] = None,
) -> PredictionPage:
    """Every prediction you were answered, newest first, a page at a time (`cursor` from
    `next_cursor`), with its outcome once its horizon has passed. Filter by symbol
    (an instrument in any form: `AAPL`, `AAPL.O` and `AAPL US Equity` find the same
    calls), agent, signal and a `from`/`to` time range.

    Errors: 422 for a `limit` outside 1-100, an instant without a time zone, a
    `cursor` this API did not issue or a `symbol` no source can resolve."""
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
    summary="Get one past prediction",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 404, 422, 429, 503),
)
async def get_prediction(
    prediction_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> PredictionRecord:
    """One prediction of yours, as answered, with its outcome once settled.

    Errors: 404 `prediction_not_found` for an id that is not one of yours."""
    return _record(await history.get_owned(session, user, prediction_id))
