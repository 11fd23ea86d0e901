"""Swagger UI as a person meets it: a real browser, a real server, no internet.

`uvicorn app.main:app` is started on a fresh embedded directory (it migrates
itself); the system Chromium (Debian's `chromium`), driven by Playwright, opens
`/docs`, authorizes through the OAuth2 password flow, runs `POST /api/v1/predict`
with its pre-filled seed example and reads the answer on the page. Every request
the page makes to another host is refused and recorded: the page must need none.

Skipped, with the reason, without Chromium or the `playwright` package; a failure
instead when `REQUIRE_SERVICES=1` (CI, where `.ci/run` installs Chromium).
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.main import create_app
from app.schemas.predictions import SEED_EXAMPLE
from tests.utils.backends import REQUIRE_SERVICES, TEST_SECRET
from tests.utils.client import open_client
from tests.utils.live_server import LiveServer, live_server
from tests.utils.serving import Artifact, ready_agent
from tests.utils.users import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
STEP_TIMEOUT_MS = 120_000  # the first /predict loads TensorFlow and the model


def chromium_or_skip() -> None:
    missing = []
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        missing.append("the `playwright` package (the `test` extra)")
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"{CHROMIUM} (Debian's `chromium` package; or set CHROMIUM)")
    if not missing:
        return
    reason = f"{' and '.join(missing)} not found: the browser test drives a real Chromium"
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES is set but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def seed_artifact(minute_artifact: Artifact) -> Artifact:
    """1-minute bars, 1h horizon, as the seed example asks (the session's tiny model)."""
    chromium_or_skip()
    return minute_artifact


async def _trader_with_seed_agents(server: LiveServer, workdir: Path, artifact: Artifact) -> str:
    """Register through the server's API, then give the user READY AAPL and MSFT agents
    (rows and files as a finished training leaves them, in the server's database)."""
    email = f"browser-{uuid.uuid4().hex[:10]}@example.com"
    async with httpx.AsyncClient(base_url=server.url) as api:
        response = await api.post(
            "/api/v1/auth/register",
            json={
                "email": email,
                "password": PASSWORD,
                "user_segment": "short_term_trader",
                "account_equity": 35_000,
            },
        )
    assert response.status_code == 201, response.text
    settings = Settings(
        environment="test",
        var_dir=workdir / "var",
        data_dir=workdir / "data",
        secret_key=TEST_SECRET,
        embedded_runner=False,
        outcomes_interval_s=0,
    )
    client, lifespan = await open_client(create_app(settings))
    try:
        for symbol in SEED_EXAMPLE["stocks"]:
            await ready_agent(client, response.json()["id"], artifact, symbol)
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)
    return email


async def test_swagger_ui_offline_authorize_and_predict(
    tmp_path: Path, seed_artifact: Artifact
) -> None:
    chromium_or_skip()
    from playwright.async_api import Route, async_playwright

    with live_server(tmp_path) as server:
        email = await _trader_with_seed_agents(server, tmp_path, seed_artifact)
        elsewhere: list[str] = []
        page_errors: list[str] = []
        console_errors: list[str] = []

        async def only_this_server(route: Route) -> None:
            if route.request.url.startswith(f"{server.url}/"):
                await route.continue_()
            else:
                elsewhere.append(route.request.url)
                await route.abort()

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM)
            try:
                page = await browser.new_page()
                page.set_default_timeout(30_000)
                page.on("pageerror", lambda error: page_errors.append(str(error)))
                page.on(
                    "console",
                    lambda m: m.type == "error" and console_errors.append(f"{page.url}: {m.text}"),
                )
                await page.route("**/*", only_this_server)

                await page.goto(f"{server.url}/docs")
                await page.locator(".swagger-ui .info .title").wait_for()

                # Authorize: the OAuth2 password flow, against /api/v1/auth/login.
                await page.locator(".scheme-container button.authorize").click()
                await page.locator("#oauth_username").fill(email)
                await page.locator("#oauth_password").fill(PASSWORD)
                # The dialog also lists the stream and metrics tokens; this is OAuth2's.
                await page.get_by_role("button", name="Apply given OAuth2 credentials").click()
                await page.locator(".auth-btn-wrapper button", has_text="Logout").wait_for()
                await page.locator(".auth-btn-wrapper button.btn-done").first.click()

                # POST /api/v1/predict with the pre-filled seed example.
                operation = page.locator("#operations-predictions-predict")
                await operation.locator(".opblock-summary").first.click()
                await operation.locator("button.try-out__btn").click()
                body = await operation.locator("textarea.body-param__text").input_value()
                assert json.loads(body) == SEED_EXAMPLE
                await operation.locator("button.execute").click()
                live = operation.locator(".live-responses-table tbody .response")
                status = live.locator(".response-col_status")
                await status.wait_for(timeout=STEP_TIMEOUT_MS)
                answer_text = await live.locator(
                    ".response-col_description .highlight-code pre"
                ).first.inner_text()
                status_text = (await status.inner_text()).strip()
                curl = await operation.locator(".curl-command").inner_text()

                # ReDoc renders too, from the same local assets.
                await page.goto(f"{server.url}/redoc")
                await page.locator(".api-info h1").wait_for()
                redoc_title = await page.locator(".api-info h1").inner_text()
            finally:
                await browser.close()

    assert elsewhere == [], f"the docs pages asked other hosts for {elsewhere}"
    assert page_errors == [], page_errors
    # The one thing the pages try and the policy blocks: ReDoc's vendor logo.
    assert [e for e in console_errors if "logo-mini.svg" not in e] == [], console_errors
    assert "Authorization: Bearer " in curl, curl
    answer: dict[str, Any] = json.loads(answer_text)
    assert status_text == "200", answer
    assert [p["symbol"] for p in answer["predictions"]] == SEED_EXAMPLE["stocks"]
    assert answer["trade_signal"] in ("Enter", "Exit", "Hold")
    assert answer["data_source"] == "synthetic"
    assert redoc_title.startswith("AI Trading Platform")
