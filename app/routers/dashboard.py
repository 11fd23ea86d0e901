"""The dashboard over HTTP (SPEC §6): the caller's segment view of their own data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.core.segments import UserSegment
from app.deps import CurrentUser, DefaultRateLimit, SessionDep
from app.errors import error_responses
from app.schemas.dashboard import Dashboard
from app.services import dashboard

router = APIRouter(tags=["dashboard"])


@router.get(
    "/dashboard",
    response_model=Dashboard,
    operation_id="get_dashboard",
    summary="Get your dashboard",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 422, 429, 503),
)
async def get_dashboard(
    session: SessionDep,
    user: CurrentUser,
    segment: Annotated[
        UserSegment | None,
        Query(
            description="Another segment's view of your own data; default: your segment.",
        ),
    ] = None,
) -> Dashboard:
    """Short-term trader: today's signals and open entry windows. Investor: the latest
    long-horizon call per holding with its agent's track record. Manager: exposure,
    capital at risk and per-symbol signals. Quant: agents with metrics, loss curves and
    track records. `segment` tells the four shapes apart.

    Errors: 422 for an unknown `segment`."""
    return await dashboard.build(session, user, segment)
