"""Backtests over HTTP: ask for one (a worker job), then read it."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response, status

from app.config import Settings
from app.deps import ClientDep, CurrentUser, DefaultRateLimit, RuntimeDep, SessionDep
from app.errors import error_responses
from app.models import Backtest
from app.routers.links import link
from app.schemas.backtests import BacktestPage, BacktestPublic, BacktestRequest, BacktestSummary
from app.services import backtests

router = APIRouter(tags=["agents"])

_LOCATION = {
    "Location": {
        "description": "The backtest's URL (`GET /agents/{agent_id}/backtests/{backtest_id}`, "
        "the body's `status_url`).",
        "required": True,
        "schema": {"type": "string"},
    }
}


def _summary(request: Request, settings: Settings, row: Backtest) -> dict[str, Any]:
    return {
        "id": row.id,
        "agent_id": row.agent_id,
        "version_id": row.version_id,
        "status": row.state,
        "status_url": link(
            request, settings, "get_backtest", agent_id=row.agent_id, backtest_id=row.id
        ),
        "progress": row.progress,
        "attempts": row.attempts,
        "error": row.error,
        "created_at": row.created_at,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "request": row.request,
    }


def _public(request: Request, settings: Settings, row: Backtest) -> BacktestPublic:
    result = row.result or {}
    return BacktestPublic.model_validate(
        {
            **_summary(request, settings, row),
            "first_bar": result.get("first_bar"),
            "last_bar": result.get("last_bar"),
            "metrics": result.get("metrics"),
            "signals": result.get("signals"),
            "trades": result.get("trades", []),
            "equity_curve": result.get("equity_curve", []),
            "warnings": result.get("warnings", []),
        }
    )


@router.post(
    "/agents/{agent_id}/backtest",
    response_model=BacktestPublic,
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="backtest_agent",
    summary="Backtest an agent's calls over a period after its data",
    dependencies=[DefaultRateLimit],
    responses={
        202: {"description": "Accepted: the backtest is queued", "headers": _LOCATION},
        **error_responses(400, 401, 404, 409, 413, 422, 429, 503),
    },
)
async def backtest_agent(
    agent_id: uuid.UUID,
    request: Request,
    response: Response,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    client: ClientDep,
    body: BacktestRequest | None = None,
) -> BacktestPublic:
    """Replay the agent's calls bar by bar over a period that starts after the data its
    version was trained, validated and tested on: each bar's forecast goes through the
    same rule as `/predict` and `/trade-signal` (confidence level, minimum edge, entry
    window, the stop `/predict` places, position size from the equity at that bar),
    with commissions and slippage, one position at a time (docs/BACKTESTS.md). Runs as
    a worker job: answers 202 with the backtest's URL in `Location`; poll it until
    `status` is `SUCCEEDED` (metrics, trades, equity curve beside buy-and-hold) or
    `FAILED` (`error` says why).

    Errors: 404 `agent_not_found` or `version_not_found`; 409 `agent_not_ready`
    when the version is not READY; 422 for a period that starts inside the version's
    data, ends in the future or before it starts."""
    row = await backtests.create(
        session, runtime.queue, runtime.settings, user, agent_id, body or BacktestRequest(), client
    )
    answer = _public(request, runtime.settings, row)
    response.headers["Location"] = answer.status_url
    return answer


@router.get(
    "/agents/{agent_id}/backtests/{backtest_id}",
    response_model=BacktestPublic,
    operation_id="get_backtest",
    summary="A backtest: its status, and when done its metrics, trades and equity curve",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 404, 422, 429, 503),
)
async def get_backtest(
    agent_id: uuid.UUID,
    backtest_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
) -> BacktestPublic:
    """The backtest as it stands. `request` is what the job runs, every default filled
    in. Until `status` is `SUCCEEDED`, `metrics` and `signals` are null and the lists
    empty. Errors: 404 `agent_not_found` or `backtest_not_found`."""
    row = await backtests.get(session, user, agent_id, backtest_id)
    return _public(request, runtime.settings, row)


@router.get(
    "/agents/{agent_id}/backtests",
    response_model=BacktestPage,
    operation_id="list_backtests",
    summary="The agent's recent backtests",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 404, 422, 429, 503),
)
async def list_backtests(
    agent_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
) -> BacktestPage:
    """The agent's 50 most recent backtests, newest first, without their trades and
    curves (read one for those). Errors: 404 `agent_not_found`."""
    rows = await backtests.recent(session, user, agent_id)
    return BacktestPage(
        items=[
            BacktestSummary.model_validate(_summary(request, runtime.settings, row)) for row in rows
        ]
    )
