"""What an external probe of the running API found, one test per finding
(docs/SECURITY.md, "Probe findings"), in embedded mode and on PostgreSQL + Redis."""

from __future__ import annotations

import asyncio
import os
import signal
import stat
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx import AsyncClient

from app.config import Settings
from app.db import make_engine
from app.errors import Unauthorized
from app.migrate import migrate
from app.security import create_token
from tests.api.test_agents import daily_request
from tests.utils.backends import TEST_SECRET
from tests.utils.client import runtime_of
from tests.utils.errors import assert_error
from tests.utils.servers import free_port
from tests.utils.users import PASSWORD, bearer, login, random_email, register, user_with_tokens

ROOT = Path(__file__).resolve().parents[2]
GENERIC_401 = Unauthorized.message

# --- 1. X-Forwarded-For from an untrusted peer ------------------------------------------


@pytest.fixture
def started_server(settings: Settings, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The API as `./scripts/start` starts it (migrate, then its uvicorn command line),
    on a free loopback port; its dependency check is skipped (the venv is in place)."""
    script = (ROOT / "scripts" / "start").read_text().replace('ensure_venv ""', ":", 1)
    port = free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "ENVIRONMENT": "test",
        "VAR_DIR": str(tmp_path / "server-var"),
        "SECRET_KEY": TEST_SECRET,
        "RATE_LIMIT_LOGIN": "3/60",
        "EMBEDDED_RUNNER": "false",
        "OUTCOMES_INTERVAL_S": "0",
        "REDIS_NAMESPACE": f"{settings.redis_namespace}-server",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "TRUSTED_PROXIES"):
        env.pop(name, None)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        # `bash -c SCRIPT scripts/start`: $0 is the script's path, as when it runs itself.
        process = subprocess.Popen(
            ["bash", "-c", script, "scripts/start"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


async def test_spoofed_forwarded_for_cannot_dodge_the_login_limit_on_a_real_server(
    started_server: tuple[str, Path],
) -> None:
    base, log = started_server
    statuses = []
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        for i in range(6):
            response = await client.post(
                "/api/v1/auth/login",
                data={"username": "probe@example.com", "password": "wrong password!"},
                headers={"X-Forwarded-For": f"203.0.113.{i + 1}", "Forwarded": "for=198.51.100.9"},
            )
            statuses.append(response.status_code)
        assert statuses[:3] == [401, 401, 401] and set(statuses[3:]) == {429}, statuses
        # register and refresh share the limit per (real) address
        refused = await client.post(
            "/api/v1/auth/refresh",
            json={"refresh_token": "x"},
            headers={"X-Forwarded-For": "203.0.113.77"},
        )
        assert refused.status_code == 429
    await asyncio.sleep(0.2)  # the access log line is written after the response
    text = log.read_text()
    assert "/api/v1/auth/login" in text  # the access log is on...
    assert "203.0.113." not in text and "198.51.100.9" not in text  # ...with the real peer


async def test_forwarded_for_is_ignored_without_trusted_proxies(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    client = await app_factory(make_settings(rate_limit_login="2/60"))
    statuses = [
        (
            await client.post(
                "/api/v1/auth/login",
                data={"username": "a@b.co", "password": "x"},
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            )
        ).status_code
        for i in range(4)
    ]
    assert statuses == [401, 401, 429, 429]


# --- 3. the per-user training cap under concurrency -------------------------------------


async def test_concurrent_creations_accept_exactly_the_cap(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    client = await app_factory(
        make_settings(embedded_runner=False, max_active_trainings_per_user=3)
    )
    _, tokens = await user_with_tokens(client)
    responses = await asyncio.gather(
        *(
            client.post("/api/v1/agents", json=daily_request(), headers=bearer(tokens))
            for _ in range(8)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [202] * 3 + [409] * 5, [r.text for r in responses]
    for response in responses:
        if response.status_code == 409:
            assert_error(response, 409, "too_many_trainings")
    listed = (await client.get("/api/v1/agents", headers=bearer(tokens))).json()
    assert len(listed["items"]) == 3


# --- 4. per-account failed-login back-off ------------------------------------------------


async def _login(client: AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/login", data={"username": email, "password": password})


async def test_failed_logins_back_off_per_account_and_reset_on_success(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    client = await app_factory(
        make_settings(
            rate_limit_login="1000/60",
            login_lockout_free_attempts=2,
            login_lockout_base_s=1,
            login_lockout_max_s=2,
        )
    )
    victim = await register(client)
    bystander = await register(client)
    for _ in range(3):  # two free failures, the third imposes a wait
        assert_error(await _login(client, victim["email"], "wrong password!!"), 401)
    throttled = await _login(client, victim["email"], PASSWORD)  # even the right password
    assert_error(throttled, 429, "login_throttled")
    assert 1 <= int(throttled.headers["Retry-After"]) <= 2
    await login(client, bystander["email"])  # other accounts are untouched
    # an unknown e-mail backs off the same way: the answer tells nothing
    unknown = random_email()
    for _ in range(3):
        assert_error(await _login(client, unknown, "wrong password!!"), 401)
    assert_error(await _login(client, unknown, PASSWORD), 429, "login_throttled")
    await asyncio.sleep(1.1)
    await login(client, victim["email"])  # the wait is over; success resets the count
    for _ in range(2):
        assert_error(await _login(client, victim["email"], "wrong password!!"), 401)
    await login(client, victim["email"])


def test_the_back_off_doubles_and_is_capped() -> None:
    from app.services.login_throttle import BackOff

    policy = BackOff(free=5, base_s=1.0, max_s=300.0)
    delays = [policy.delay_s(n) for n in range(1, 16)]
    assert delays[:5] == [0.0] * 5
    assert delays[5:10] == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert max(delays) == 300.0 and policy.delay_s(10_000) == 300.0


# --- 6. request header size ------------------------------------------------------------


async def test_oversized_headers_are_431(client: AsyncClient) -> None:
    response = await client.get(
        "/api/v1/auth/me", headers={"Authorization": "Bearer " + "a" * 200_000}
    )
    assert_error(response, 431, "headers_too_large")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert (await client.get("/healthz", headers={"X-Small": "a" * 1000})).status_code == 200


# --- 7. event streams: logout ends them, and they are capped per user --------------------


async def test_logout_ends_an_open_event_stream(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    client = await app_factory(make_settings(embedded_runner=False, sse_poll_interval_s=0.05))
    _, tokens = await user_with_tokens(client)
    created = await client.post("/api/v1/agents", json=daily_request(), headers=bearer(tokens))
    stream = asyncio.create_task(client.get(created.json()["events_url"], headers=bearer(tokens)))
    await asyncio.sleep(0.3)
    assert not stream.done()  # QUEUED: the stream stays open
    assert (await client.post("/api/v1/auth/logout", headers=bearer(tokens))).status_code == 204
    response = await asyncio.wait_for(stream, timeout=5)
    assert response.status_code == 200 and "event: agent.queued" in response.text


async def test_event_streams_are_capped_per_user(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    client = await app_factory(
        make_settings(embedded_runner=False, sse_poll_interval_s=0.05, sse_max_streams_per_user=1)
    )
    user, tokens = await user_with_tokens(client)
    events_url = (
        await client.post("/api/v1/agents", json=daily_request(), headers=bearer(tokens))
    ).json()["events_url"]
    first = asyncio.create_task(client.get(events_url, headers=bearer(tokens)))
    await asyncio.sleep(0.3)
    second = await asyncio.wait_for(client.get(events_url, headers=bearer(tokens)), timeout=5)
    assert_error(second, 429, "rate_limited")
    assert "Retry-After" in second.headers
    await client.post("/api/v1/auth/logout", headers=bearer(tokens))
    assert (await asyncio.wait_for(first, timeout=5)).status_code == 200
    assert runtime_of(client).streams.open_for(uuid.UUID(user["id"])) == 0  # slot given back


# --- 8. links never come from the Host header ----------------------------------------------


async def test_links_do_not_reflect_the_host_header(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    for base in (None, "https://api.example.com"):
        client = await app_factory(make_settings(embedded_runner=False, public_base_url=base))
        _, tokens = await user_with_tokens(client)
        response = await client.post(
            "/api/v1/agents",
            json=daily_request(),
            headers={**bearer(tokens), "Host": "evil.example", "X-Forwarded-Host": "evil.example"},
        )
        assert response.status_code == 202, response.text
        body = response.json()
        path = f"/api/v1/agents/{body['agent_id']}"
        assert body["status_url"] == (base or "") + path
        assert body["events_url"] == (base or "") + path + "/events"
        assert response.headers["Location"] == body["status_url"]
        assert "evil" not in response.text


# --- 9. /metrics -----------------------------------------------------------------------------


async def test_metrics_are_off_by_default_and_need_the_token(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    assert_error(await (await app_factory(make_settings())).get("/metrics"), 404)
    token = "metrics-token-0123456789-abcdefghijklmnop"
    client = await app_factory(make_settings(metrics_token=token))
    assert_error(await client.get("/metrics"), 401)
    assert_error(await client.get("/metrics", headers={"Authorization": "Bearer nope"}), 401)
    ok = await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and "http_request_duration_seconds" in ok.text


# --- 10 and 13. one 401 message whatever the cause ---------------------------------------


async def test_every_rejected_token_gets_the_same_401_message(client: AsyncClient) -> None:
    user, tokens = await user_with_tokens(client)
    expired, _ = create_token(
        secret=TEST_SECRET,
        subject=user["id"],
        token_type="access",
        family="f",
        ttl=timedelta(seconds=-10),
    )
    ghost, _ = create_token(
        secret=TEST_SECRET,
        subject=str(uuid.uuid4()),
        token_type="access",
        family="f",
        ttl=timedelta(minutes=5),
    )
    revoked = await login(client, user["email"])
    await client.post("/api/v1/auth/logout", headers=bearer(revoked))
    cases = {
        "missing": {},
        "garbage": {"Authorization": "Bearer not-a-jwt"},
        "expired": {"Authorization": f"Bearer {expired}"},
        "unknown account": {"Authorization": f"Bearer {ghost}"},
        "revoked": bearer(revoked),
        "refresh as access": {"Authorization": f"Bearer {tokens['refresh_token']}"},
    }
    messages = {}
    for name, headers in cases.items():
        response = await client.get("/api/v1/auth/me", headers=headers)
        messages[name] = assert_error(response, 401)["message"]
    for name, body in {
        "access as refresh": {"refresh_token": tokens["access_token"]},
        "logged-out refresh": {"refresh_token": revoked["refresh_token"]},
    }.items():
        response = await client.post("/api/v1/auth/refresh", json=body)
        messages[name] = assert_error(response, 401)["message"]
    assert set(messages.values()) == {GENERIC_401}, messages


async def test_no_an_refresh_token_in_answers(client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(client)
    response = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["access_token"]}
    )
    assert_error(response, 401)
    assert "An refresh" not in response.text


# --- 11. unknown account fields are refused ------------------------------------------------


async def test_unknown_account_fields_are_422_naming_the_field(client: AsyncClient) -> None:
    body = {"email": random_email(), "password": PASSWORD, "user_segment": "quant"}
    refused = await client.post("/api/v1/auth/register", json={**body, "is_admin": True})
    error = assert_error(refused, 422, "validation_error")
    assert [d["loc"] for d in error["details"]] == [["body", "is_admin"]]
    user, tokens = await user_with_tokens(client)
    refused = await client.patch(
        "/api/v1/auth/me", headers=bearer(tokens), json={"full_name": "X", "role": "admin"}
    )
    error = assert_error(refused, 422, "validation_error")
    assert [d["loc"] for d in error["details"]] == [["body", "role"]]
    me = (await client.get("/api/v1/auth/me", headers=bearer(tokens))).json()
    assert me["full_name"] == user["full_name"]  # nothing of the refused request applied


# --- 12. the embedded database file is private ---------------------------------------------


async def test_the_sqlite_file_is_created_0600(tmp_path: Path) -> None:
    settings = Settings(environment="test", var_dir=tmp_path / "fresh", secret_key=TEST_SECRET)
    await migrate(settings)
    database = settings.var_dir / "platform.db"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    # an existing file (from before this fix) is tightened when the app opens it
    database.chmod(0o644)
    engine = make_engine(settings)
    try:
        assert stat.S_IMODE(database.stat().st_mode) == 0o600
    finally:
        await engine.dispose()
