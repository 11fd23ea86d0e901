"""The web edge of the error shape: every exception becomes one JSON body.

Services and the database layer raise domain errors or let SQLAlchemy's escape;
only this module knows how FastAPI reports them.
"""

from __future__ import annotations

import logging
import re
from contextlib import nullcontext
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core import request_id
from app.db import DatabaseUnavailable, database_unavailable, describe
from app.errors import DomainError

logger = logging.getLogger("app.errors")


def error_json(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    headers = dict(headers or {})
    headers.setdefault("Cache-Control", "no-store")
    return JSONResponse(
        status_code=status,
        content={"error": {"code": code, "message": message, "details": details}},
        headers=headers,
    )


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    503: "service_unavailable",
}


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Only the path, message and type: echoing `input` could reflect a password.
    return [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]


_OPENAPI_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _allowed_methods(request: Request) -> str | None:
    """Every method the path supports. Starlette's 405 names only the first route's
    (GET and PATCH on /auth/me are two routes); RFC 9110 asks for all of them. The
    schema's path templates are the public view of the routing table."""
    path = request.url.path
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            methods = {m.upper() for m in operations if m in _OPENAPI_METHODS}
            if "GET" in methods:
                methods.add("HEAD")  # Starlette answers HEAD on every GET route
            return ", ".join(sorted(methods))
    return None


def install_error_handlers(app: FastAPI) -> None:
    async def on_domain_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return error_json(exc.status_code, exc.code, exc.message, exc.details, exc.headers)

    async def on_validation_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_json(
            422, "validation_error", "The request is invalid.", _validation_details(exc)
        )

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = _HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        headers = dict(exc.headers or {})
        if exc.status_code == 405 and (allowed := _allowed_methods(request)):
            headers["Allow"] = allowed
        return error_json(exc.status_code, code, message, None, headers)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette runs this outside every middleware: the request id comes from the scope.
        rid = request.scope.get(request_id.SCOPE_KEY)
        with request_id.bound(rid) if rid else nullcontext():
            # The class name and route only: a traceback or message could carry secrets.
            logger.error(
                "unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path
            )
        headers = {request_id.HEADER: rid} if rid else None
        return error_json(500, "internal_error", "An unexpected error occurred.", headers=headers)

    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
    app.add_exception_handler(SQLAlchemyError, _on_database_error)


async def _on_database_error(request: Request, exc: Exception) -> JSONResponse:
    """503 for a database lost outside a request's session (a revocation check, the
    prediction writer); any other SQLAlchemy error stays the generic 500."""
    if not database_unavailable(exc):
        raise exc
    logger.warning(
        "database unavailable on %s %s: %s", request.method, request.url.path, describe(exc)
    )
    unavailable = DatabaseUnavailable()
    return error_json(
        unavailable.status_code, unavailable.code, unavailable.message, headers=unavailable.headers
    )
