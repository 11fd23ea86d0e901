"""Swagger UI (`/docs`) and ReDoc (`/redoc`) from assets the app serves itself.

FastAPI's own pages load their JavaScript and CSS from a CDN, so on a machine
without internet they stay blank. The assets here (Swagger UI 5 and ReDoc 2) come
from the `fastapi-offline` package and are served under `STATIC_PREFIX`; the pages
name no other host, and their Content-Security-Policy lets them reach none: ReDoc's
bundle would fetch its vendor's logo from a CDN (it hides the image when that
fails), and Swagger UI's validator badge would send the schema's URL to swagger.io
(it is switched off).
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_PREFIX = "/static/docs"
ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
REDOC_URL = "/redoc"

# The pages' own inline start-up script and styles, everything else from this origin
# only; `blob:` workers for ReDoc's search.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

router = APIRouter(include_in_schema=False)


def static_files() -> StaticFiles:
    """The assets, to mount at `STATIC_PREFIX`; fails at start if the package lacks them."""
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png"):
        if not (ASSETS / name).is_file():
            raise RuntimeError(f"{ASSETS / name} is missing: reinstall fastapi-offline")
    return StaticFiles(directory=ASSETS)


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


@router.get(DOCS_URL)
async def swagger_ui(request: Request) -> HTMLResponse:
    root, app = _root(request), request.app
    page = get_swagger_ui_html(
        openapi_url=f"{root}{app.openapi_url}",
        title=f"{app.title} - Swagger UI",
        swagger_js_url=f"{root}{STATIC_PREFIX}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{STATIC_PREFIX}/swagger-ui.css",
        swagger_favicon_url=f"{root}{STATIC_PREFIX}/favicon.png",
        oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_URL}",
        init_oauth=app.swagger_ui_init_oauth,
        swagger_ui_parameters={"validatorUrl": None, **(app.swagger_ui_parameters or {})},
    )
    page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return page


@router.get(OAUTH2_REDIRECT_URL)
async def swagger_ui_oauth2_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get(REDOC_URL)
async def redoc(request: Request) -> HTMLResponse:
    root, app = _root(request), request.app
    page = get_redoc_html(
        openapi_url=f"{root}{app.openapi_url}",
        title=f"{app.title} - ReDoc",
        redoc_js_url=f"{root}{STATIC_PREFIX}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{STATIC_PREFIX}/favicon.png",
        with_google_fonts=False,
    )
    page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return page
