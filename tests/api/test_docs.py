"""/docs and /redoc name no other host: their assets are the app's own (offline)."""

from __future__ import annotations

import re

from httpx import AsyncClient

from app.routers.docs import STATIC_PREFIX

ASSET_URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


async def _page(client: AsyncClient, path: str) -> str:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    return response.text


def _external(html: str) -> list[str]:
    """Every http(s) URL in the page that is not this server's."""
    urls = re.findall(r"https?://[^\s\"'<>)]+", html)
    return [url for url in urls if not url.startswith("http://testserver/")]


async def test_swagger_ui_is_served_from_local_assets(client: AsyncClient) -> None:
    html = await _page(client, "/docs")
    assert _external(html) == []
    assets = ASSET_URL.findall(html)
    assert f"{STATIC_PREFIX}/swagger-ui-bundle.js" in assets
    assert f"{STATIC_PREFIX}/swagger-ui.css" in assets
    assert all(asset.startswith(STATIC_PREFIX) for asset in assets), assets
    assert "'/openapi.json'" in html or '"/openapi.json"' in html
    assert "oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect'" in html
    assert '"validatorUrl": null' in html  # no badge asking swagger.io about our schema
    for asset in assets:
        response = await client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 1000, asset


async def test_redoc_is_served_from_local_assets(client: AsyncClient) -> None:
    html = await _page(client, "/redoc")
    assert _external(html) == []
    assets = ASSET_URL.findall(html)
    assert f"{STATIC_PREFIX}/redoc.standalone.js" in assets
    assert all(asset.startswith(STATIC_PREFIX) for asset in assets), assets
    bundle = await client.get(f"{STATIC_PREFIX}/redoc.standalone.js")
    assert bundle.status_code == 200 and bundle.headers["content-type"].startswith(
        "text/javascript"
    )
    assert "cache-control" not in bundle.headers  # the same for everyone: cacheable


async def test_the_oauth2_redirect_page_is_served(client: AsyncClient) -> None:
    response = await client.get("/docs/oauth2-redirect")
    assert response.status_code == 200
    assert "oauth2" in response.text.lower()
    assert _external(response.text) == []
