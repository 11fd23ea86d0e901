"""An app instance with its lifespan, the ASGI client that talks to it, its runtime."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from app.runtime import Runtime


async def open_client(app: FastAPI) -> tuple[AsyncClient, Any]:
    """Enter `app`'s lifespan; the caller closes the client, then exits the lifespan."""
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    client = AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver")
    return client, lifespan


def runtime_of(client: AsyncClient) -> Runtime:
    """What the app behind `client` holds: settings, sessionmaker, caches, queue."""
    runtime: Runtime = client._transport.app.state.runtime  # type: ignore[attr-defined]
    return runtime
