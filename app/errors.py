"""Domain errors and the one JSON error shape.

Services raise these (never `HTTPException`); `app.exception_handlers` turns every
4xx/5xx into `{"error": {"code", "message", "details"}}`. The classes also feed
each route's `responses=` so generated clients know the error shape. Nothing here
knows the web framework, so every layer may raise them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


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


class UnsupportedGrantType(DomainError):
    """OAuth2's `unsupported_grant_type` (RFC 6749 §5.2), in the project's shape."""

    status_code = 400
    code = "unsupported_grant_type"
    message = "Only grant_type=refresh_token is supported here."


class InvalidRequest(DomainError):
    """OAuth2's `invalid_request` (RFC 6749 §5.2): a required parameter is missing."""

    status_code = 400
    code = "invalid_request"
    message = "The request is missing a required parameter."


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

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "code": "validation_error",
                        "message": "The request is invalid.",
                        "details": [
                            {
                                "loc": ["body", "stocks", 0],
                                "msg": "'A$' is not a ticker (e.g. AAPL, BRK.B)",
                                "type": "value_error",
                            }
                        ],
                    }
                }
            ]
        }
    )

    error: ErrorBody


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status it can return, in the error shape."""
    return {status: {"model": ErrorResponse} for status in statuses}
