"""Links to our own routes, for `Location` headers and the URLs in answers."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from app.config import Settings


def link(request: Request, settings: Settings, name: str, **path_params: Any) -> str:
    """The route's URL from `PUBLIC_BASE_URL` (or a relative path): never from the
    request's Host header, which the client chooses."""
    path = str(request.app.url_path_for(name, **path_params))
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/") + path
    return path
