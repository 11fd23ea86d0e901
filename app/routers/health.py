"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
import hmac
from typing import Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text

from app.db import database_revision, schema_revisions
from app.deps import RuntimeDep
from app.errors import ErrorBody, ErrorResponse, NotFound, Unauthorized, error_responses

router = APIRouter(tags=["health"])

# For the document only (its own scheme, not a user's token): `metrics` compares the
# header itself, in constant time.
_metrics_bearer = HTTPBearer(
    scheme_name="MetricsToken",
    description="`Authorization: Bearer <METRICS_TOKEN>`, the operator's token for `/metrics`.",
    auto_error=False,
)
# Any request whose headers exceed `MAX_HEADER_BYTES` (the middleware answers it).
_HEADERS_TOO_LARGE = error_responses(431)


class Liveness(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    checks: dict[str, str] = Field(
        description='Each backing service: "ok" or "error: <kind>"; the database may also '
        'be "not migrated" (its schema is behind this code: run `python -m app.migrate`).',
        examples=[{"database": "ok", "redis": "ok"}],
    )


class NotReady(ErrorResponse):
    """The one error shape, with the probe's own fields beside it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "code": "service_unavailable",
                        "message": "Not ready: redis unavailable.",
                        "details": {"database": "ok", "redis": "error: ConnectionError"},
                    },
                    "status": "not_ready",
                    "checks": {"database": "ok", "redis": "error: ConnectionError"},
                }
            ]
        }
    )

    status: Literal["not_ready"] = "not_ready"
    checks: dict[str, str] = Field(examples=[{"database": "ok", "redis": "error: ConnectionError"}])


@router.get(
    "/healthz",
    operation_id="healthz",
    summary="Liveness probe",
    response_model=Liveness,
    responses=_HEADERS_TOO_LARGE,
)
async def healthz() -> Liveness:
    """The process is alive and its event loop answers: 200 `{"status": "ok"}`. It checks
    no backing service (that is `/readyz`), so a restart is the only cure when it fails.
    Public."""
    return Liveness()


@router.get(
    "/readyz",
    operation_id="readyz",
    summary="Readiness probe",
    response_model=Readiness,
    responses={
        **_HEADERS_TOO_LARGE,
        503: {
            "model": NotReady,
            "description": "A backing service is down, or the database is not migrated",
        },
    },
)
async def readyz(runtime: RuntimeDep) -> Readiness | JSONResponse:
    """Ready when the database (and Redis, when configured) answer within a second and
    the database's schema is at this code's head. Public; route traffic only to a
    replica that answers 200.

    Errors: 503 `service_unavailable` naming the services down in `checks`, or
    `not_migrated` when the schema is behind (run `python -m app.migrate`), with
    `Retry-After`."""
    checks: dict[str, str] = {}
    revisions = schema_revisions()
    revision: tuple[str, ...] = ()
    try:
        async with asyncio.timeout(1.0), runtime.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            revision = await database_revision(conn)
        behind = revisions.state(revision) == "behind"
        checks["database"] = "not migrated" if behind else "ok"
    except Exception as exc:  # any failure means "not ready", whatever its kind
        checks["database"] = f"error: {type(exc).__name__}"
    if runtime.redis is not None:
        try:
            async with asyncio.timeout(1.0):
                await runtime.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
    if all(value == "ok" for value in checks.values()):
        return Readiness(checks=checks)
    down = ", ".join(name for name, value in checks.items() if value.startswith("error"))
    if checks["database"] == "not migrated":
        error = ErrorBody(
            code="not_migrated",
            message=f"Not ready: the database schema is at {', '.join(revision) or 'nothing'}, "
            f"this code needs {revisions.head}; run `python -m app.migrate`."
            + (f" Unavailable: {down}." if down else ""),
            details=checks,
        )
    else:
        error = ErrorBody(
            code="service_unavailable", message=f"Not ready: {down} unavailable.", details=checks
        )
    body = NotReady(checks=checks, error=error)
    return JSONResponse(
        body.model_dump(),
        status_code=503,
        headers={"Retry-After": "5", "Cache-Control": "no-store"},
    )


_METRICS_MEDIA_TYPE = CONTENT_TYPE_LATEST.split(";")[0]


@router.get(
    "/metrics",
    operation_id="metrics",
    summary="Prometheus metrics",
    response_class=Response,
    dependencies=[Depends(_metrics_bearer)],
    responses={
        200: {
            "description": "Prometheus text exposition format",
            "content": {_METRICS_MEDIA_TYPE: {"schema": {"type": "string"}}},
        },
        **error_responses(401, 404),
    },
)
async def metrics(request: Request, runtime: RuntimeDep) -> Response:
    """Prometheus metrics for the operator's scraper: request latency by route and
    status (failed logins show as 401s), predictions and cache hits, training job
    state changes.

    Errors: 401 without `Authorization: Bearer <METRICS_TOKEN>`; 404 while
    `METRICS_TOKEN` is unset, so an unconfigured deployment does not show them."""
    token = runtime.settings.metrics_token
    if token is None:
        raise NotFound()
    given = request.headers.get("authorization", "").encode()
    if not hmac.compare_digest(given, f"Bearer {token.get_secret_value()}".encode()):
        raise Unauthorized()
    return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)
