"""Pure ASGI middleware: header and body size limits, security headers, request metrics.

Pure ASGI rather than `BaseHTTPMiddleware`: these wrap every request, including
the /predict hot path, and must cost microseconds.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.exception_handlers import error_json
from app.metrics import Metrics

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_NO_STORE = (b"cache-control", b"no-store")


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
                if b"cache-control" not in names and not scope["path"].startswith("/docs"):
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
