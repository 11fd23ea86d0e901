"""Domain errors and the one JSON error shape.

Services raise these (never `HTTPException`); `app.exception_handlers` turns every
4xx/5xx into `{"error": {"code", "message", "details"}}`. The classes also feed
each route's `responses=` so generated clients know the error shape. Nothing here
knows the web framework, so every layer may raise them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, with_config
from typing_extensions import TypedDict


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


class ErrorCode(StrEnum):
    """Every `error.code` an answer can carry: a client switches on these, so each
    domain error's `code` and each code the web edge writes is listed here (a test
    checks that none is missing)."""

    bad_request = "bad_request"
    invalid_request = "invalid_request"
    unsupported_grant_type = "unsupported_grant_type"
    unauthorized = "unauthorized"
    invalid_credentials = "invalid_credentials"
    refresh_token_reused = "refresh_token_reused"  # noqa: S105 (a code, not a secret)
    forbidden = "forbidden"
    not_found = "not_found"
    agent_not_found = "agent_not_found"
    version_not_found = "version_not_found"
    backtest_not_found = "backtest_not_found"
    prediction_not_found = "prediction_not_found"
    method_not_allowed = "method_not_allowed"
    not_acceptable = "not_acceptable"
    conflict = "conflict"
    email_taken = "email_taken"
    no_ready_agent = "no_ready_agent"
    agent_not_ready = "agent_not_ready"
    not_enough_bars = "not_enough_bars"
    model_unavailable = "model_unavailable"
    too_many_trainings = "too_many_trainings"
    payload_too_large = "payload_too_large"
    unsupported_media_type = "unsupported_media_type"
    validation_error = "validation_error"
    idempotency_key_reused = "idempotency_key_reused"
    market_data_error = "market_data_error"
    data_source_not_configured = "data_source_not_configured"
    rate_limited = "rate_limited"
    login_throttled = "login_throttled"
    headers_too_large = "headers_too_large"
    internal_error = "internal_error"
    service_unavailable = "service_unavailable"
    market_data_unavailable = "market_data_unavailable"
    not_migrated = "not_migrated"
    error = "error"  # an HTTP status the edge has no name for


class FieldError(TypedDict):
    """One field at fault in a 422 (and a 404 naming the field that points nowhere)."""

    loc: Annotated[
        list[str | int],
        Field(description='The request part, then the path, e.g. ["body", "stocks", 0].'),
    ]
    msg: str
    type: str


def _no_required(schema: dict[str, Any]) -> None:
    schema.pop("required", None)  # every key is optional, even inside an answer


@with_config(ConfigDict(extra="allow", json_schema_extra=_no_required))
class ErrorContext(TypedDict, total=False):
    """What a non-field error tells about itself; which keys depend on `code`."""

    symbol: str
    create_agent_request: dict[str, Any]
    agent_id: str
    columns: list[str]
    reasons: list[str]
    grant_type: str | None
    missing: str
    database: str
    redis: str


def _details_one_of(schema: dict[str, Any]) -> None:
    """`details` is exactly one of an array, an object or null (disjoint JSON types):
    `oneOf` says so, where pydantic writes `anyOf` for every union."""
    details = schema.get("properties", {}).get("details", {})
    if "anyOf" in details:
        details["oneOf"] = details.pop("anyOf")


class ErrorBody(BaseModel):
    model_config = ConfigDict(
        json_schema_serialization_defaults_required=True, json_schema_extra=_details_one_of
    )

    code: ErrorCode = Field(description="Stable and machine-readable: switch on it.")
    message: str = Field(description="For people; may change.")
    details: list[FieldError] | ErrorContext | None = Field(
        default=None,
        description="A list of `{loc, msg, type}` for field errors (422), an object with "
        "the error's context (e.g. `create_agent_request` in a 409 `no_ready_agent`), or null.",
    )


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
