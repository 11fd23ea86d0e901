"""The one JSON error shape of every 4xx/5xx answer (`app.errors.ErrorResponse`)."""

from __future__ import annotations

from typing import Any


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """`response` is `status` in the error shape (with `code`, when given); its error."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"} and {"code", "message", "details"} <= set(body["error"])
    if code:
        assert body["error"]["code"] == code
    return body["error"]
