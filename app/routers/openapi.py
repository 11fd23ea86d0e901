"""The OpenAPI document's cross-cutting parts, added once after FastAPI builds it.

Headers that every operation of a kind sends (`Retry-After` on 429 and 503,
`WWW-Authenticate` on 401, the rate-limit pair wherever the limiter runs) and the
explicit `security: []` of public operations follow a rule, not a route: stating
them here keeps forty `responses=` entries from drifting apart. Headers particular
to one route (`Location`, `Idempotent-Replayed`) stay on that route.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from app.config import Settings

_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

HEADERS: dict[str, dict[str, Any]] = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    },
    "WWW-Authenticate": {
        "description": "`Bearer`: send a valid access token as `Authorization: Bearer <token>`.",
        "required": True,
        "schema": {"type": "string"},
    },
    "RateLimit-Policy": {
        "description": 'This route class\'s quota, `"<policy>";q=<requests>;w=<window seconds>` '
        "(IETF draft-ietf-httpapi-ratelimit-headers). Sent while rate limits are enabled "
        "(the default); on a 429 only when the quota, not the login back-off or the "
        "open-stream cap, refused the request.",
        "schema": {"type": "string", "examples": ['"default";q=600;w=60']},
    },
    "RateLimit": {
        "description": 'What is left of the quota, `"<policy>";r=<remaining>;t=<seconds until '
        "it is whole again>`. Sent with `RateLimit-Policy`.",
        "schema": {"type": "string", "examples": ['"default";r=599;t=1']},
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        operation
        for item in schema.get("paths", {}).values()
        for method, operation in item.items()
        if method in _HTTP_METHODS
    ]


def add_rule_headers(schema: dict[str, Any]) -> None:
    """Declare, by status, the headers every answer of that status carries.

    An operation that documents a 429 is one the limiter guards (each of them
    depends on it; tests/test_openapi_lint.py checks the two stay in step), so its
    successes and its 429 carry the rate-limit pair."""
    for operation in _operations(schema):
        responses = operation.get("responses", {})
        limited = "429" in responses
        for code, response in responses.items():
            headers = response.setdefault("headers", {})
            if code == "401":
                headers["WWW-Authenticate"] = _ref("WWW-Authenticate")
            if code in ("429", "503"):
                headers["Retry-After"] = _ref("Retry-After")
            if limited and (code.startswith("2") or code == "429"):
                headers["RateLimit-Policy"] = _ref("RateLimit-Policy")
                headers["RateLimit"] = _ref("RateLimit")
    schema.setdefault("components", {}).setdefault("headers", {}).update(HEADERS)


def mark_public_operations(schema: dict[str, Any]) -> None:
    """`security: []` on operations without a security requirement: they are public
    (register, login, the refresh routes, health), and saying so tells a reader, and
    a generated client, not to send a token there."""
    for operation in _operations(schema):
        operation.setdefault("security", [])


def servers(settings: Settings) -> list[dict[str, str]]:
    """`PUBLIC_BASE_URL` when set (the links the API returns start with it), else the
    server the document was read from."""
    if settings.public_base_url:
        return [{"url": settings.public_base_url.rstrip("/"), "description": "This deployment"}]
    return [{"url": "/", "description": "The server this document was read from"}]


def document_operations(app: FastAPI) -> None:
    """Post-process the generated document once, when it is first built."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            add_rule_headers(schema)
            mark_public_operations(schema)
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]
