"""Domain errors and the one JSON error shape.

Services raise these (never `HTTPException`); one set of handlers turns every
4xx/5xx into `{"error": {"code", "message", "details"}}`. The classes also feed
each route's `responses=` so generated clients know the error shape.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger("app.errors")


class DomainError(Exception):
    """A failure a client can act on; `status_code` and `code` say which."""

    status_code: int = 400
    code: str = "bad_request"
    message: str = "The request could not be processed."
    # Side effects of the failed request that must survive it (an audit row for a
    # failed login, a revoked token family) are committed, not rolled back.
    commit_session: bool = False

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.details = details
        self.headers = headers or {}
        super().__init__(self.message)


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"
    message = "Missing, invalid, expired or revoked credentials."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.headers.setdefault("WWW-Authenticate", "Bearer")


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    message = "Not found."


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    message = "The request conflicts with the current state."


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"
    message = "The request body is too large."


class Unprocessable(DomainError):
    """A semantically invalid request; `details` lists `{loc, msg, type}` per field."""

    status_code = 422
    code = "validation_error"
    message = "The request is invalid."

    @classmethod
    def field(cls, loc: list[str | int], msg: str, type_: str = "value_error") -> Unprocessable:
        return cls(msg, details=[{"loc": loc, "msg": msg, "type": type_}])


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limited"
    message = "Too many requests."


class ServiceUnavailable(DomainError):
    status_code = 503
    code = "service_unavailable"
    message = "A backing service is unavailable; retry shortly."

    def __init__(self, message: str | None = None, *, retry_after: int = 5, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.headers.setdefault("Retry-After", str(retry_after))


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorResponse(BaseModel):
    """The one error shape of every 4xx/5xx answer."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"error": {
        "code": "validation_error", "message": "The request is invalid.",
        "details": [{"loc": ["body", "stocks", 0], "msg": "'A$' is not a ticker (e.g. AAPL, "
                     "BRK.B)", "type": "value_error"}]}}]})

    error: ErrorBody


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status it can return, in the error shape."""
    return {status: {"model": ErrorResponse} for status in statuses}


def error_json(
    status: int, code: str, message: str, details: Any = None,
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
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 409: "conflict",
    413: "payload_too_large", 415: "unsupported_media_type", 422: "validation_error",
    429: "rate_limited", 503: "service_unavailable",
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
        return error_json(422, "validation_error", "The request is invalid.",
                          _validation_details(exc))

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = _HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        headers = dict(exc.headers or {})
        if exc.status_code == 405 and (allowed := _allowed_methods(request)):
            headers["Allow"] = allowed
        return error_json(exc.status_code, code, message, None, headers)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The class name and route only: a traceback or message could carry secrets.
        logger.error("unhandled %s on %s %s", type(exc).__name__, request.method,
                     request.url.path)
        return error_json(500, "internal_error", "An unexpected error occurred.")

    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
