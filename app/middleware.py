"""Pure ASGI middleware: request ids, header and body size limits, security headers,
request metrics.

Pure ASGI rather than `BaseHTTPMiddleware`: these wrap every request, including
the /predict hot path, and must cost microseconds.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import request_id
from app.exception_handlers import error_json
from app.metrics import Metrics

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_NO_STORE = (b"cache-control", b"no-store")
# The same for everyone (the docs pages and their assets): caches may keep them.
_PUBLIC_PAGES = ("/docs", "/redoc", "/static/")


_REQUEST_ID_HEADER = request_id.HEADER.lower().encode()


class RequestIdMiddleware:
    """`X-Request-ID`: the client's when valid (1-128 of `[A-Za-z0-9._:-]`), else a
    generated uuid4 hex; bound for the request (logs, audit rows), kept in the scope
    (the 500 handler runs outside this middleware) and set on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(scope["headers"]).get(_REQUEST_ID_HEADER)
        rid = request_id.accept(sent.decode("latin-1") if sent is not None else None)
        scope[request_id.SCOPE_KEY] = rid
        encoded = rid.encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != _REQUEST_ID_HEADER
                ]
                headers.append((_REQUEST_ID_HEADER, encoded))
                message["headers"] = headers
            await send(message)

        with request_id.bound(rid):
            await self.app(scope, receive, send_with_id)


class BodySizeLimitMiddleware:
    """413 for a body over `max_bytes`, declared in Content-Length or streamed; 431 for
    request headers over `max_header_bytes` (names and values together).

    The server has read the headers by then (uvicorn's httptools parser has no limit
    of its own), but nothing here parses, stores or logs an oversized one.

    A declared length is checked up front (the server enforces it). A chunked
    body is read here up to the limit and replayed: FastAPI turns errors raised
    while it reads a body into a 400, so the check cannot live inside `receive`.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, max_header_bytes: int = 16_384) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if sum(len(name) + len(value) for name, value in scope["headers"]) > self.max_header_bytes:
            response = error_json(
                431,
                "headers_too_large",
                f"The request headers exceed {self.max_header_bytes} bytes.",
            )
            await response(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > self.max_bytes:
                await self._reject(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body.extend(message.get("body", b""))
            if len(body) > self.max_bytes:
                await self._reject(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_json(
            413, "payload_too_large", f"The request body exceeds {self.max_bytes} bytes."
        )
        await response(scope, receive, send)


class SecurityHeadersAndMetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers: list[Any] = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers.extend(h for h in _SECURITY_HEADERS if h[0] not in names)
                # Answers are per user: no shared cache may keep them.
                if b"cache-control" not in names and not scope["path"].startswith(_PUBLIC_PAGES):
                    headers.append(_NO_STORE)
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            route = scope.get("route")
            self.metrics.request_latency.labels(
                scope["method"],
                getattr(route, "path", "unmatched"),
                str(status),
            ).observe(time.perf_counter() - start)


def document_request_id(app: FastAPI) -> None:
    """Declare the `X-Request-ID` header on every response of every operation (defined
    once under `components.headers`)."""
    build = app.openapi
    header = {
        "description": "This request's id: the client's `X-Request-ID` when it is 1-128 "
        "characters of `[A-Za-z0-9._:-]`, else a generated one (uuid4 hex). It is in "
        "every log line and audit row of the request.",
        "required": True,
        "schema": {"type": "string", "maxLength": 128},
    }

    ref = {"$ref": f"#/components/headers/{request_id.HEADER}"}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    for response in operation.get("responses", {}).values():
                        response.setdefault("headers", {})[request_id.HEADER] = dict(ref)
            schema.setdefault("components", {}).setdefault("headers", {})[request_id.HEADER] = (
                header
            )
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]


class QuietStartupRefusal:
    """A start refused with one of `refusals` (an explained one, such as an unmigrated
    database, already logged in one line by the lifespan) is reported to the server
    without Starlette's traceback: uvicorn logs a non-empty failure message verbatim."""

    def __init__(self, app: ASGIApp, refusals: tuple[type[BaseException], ...]) -> None:
        self.app = app
        self.refusals = refusals

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def hold_startup_failure(message: Message) -> None:
            if message["type"] == "lifespan.startup.failed":
                held.append(message)  # sent once the exception says what it was
                return
            await send(message)

        try:
            await self.app(scope, receive, hold_startup_failure)
        except self.refusals:
            if held:
                await send({**held[0], "message": ""})
            raise
        except BaseException:
            if held:
                await send(held[0])
            raise
        if held:
            await send(held[0])
