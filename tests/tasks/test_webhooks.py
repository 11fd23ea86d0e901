"""Webhooks: signed, retried with back-off, refused for private targets by default.

The receiver is a real HTTP server on loopback (allowed by configuration here)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.services.notifications import SIGNATURE_HEADER, deliver, sign, verify
from tests.utils.jobs import tiny_agent, wait_for
from tests.utils.users import bearer, user_with_tokens


class Receiver:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[tuple[bytes, dict[str, str]]] = []


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver(failures=2)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.calls.append((body, dict(self.headers)))
            failing = len(state.calls) <= state.failures
            self.send_response(503 if failing else 204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


async def _no_sleep(_: float) -> None:
    return None


async def test_delivery_is_signed_and_retried(receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    delays: list[float] = []

    async def record(delay: float) -> None:
        delays.append(delay)

    async with httpx.AsyncClient() as client:
        ok = await deliver(
            client,
            url,
            "s3cret",
            {"status": "READY"},
            allow_private=True,
            max_attempts=5,
            sleep=record,
        )
    assert ok and len(state.calls) == 3
    assert delays == [1.0, 2.0]  # exponential back-off between the attempts
    body, headers = state.calls[-1]
    assert json.loads(body) == {"status": "READY"}
    assert verify("s3cret", body, headers[SIGNATURE_HEADER])
    assert not verify("other-secret", body, headers[SIGNATURE_HEADER])
    assert not verify("s3cret", body + b" ", headers[SIGNATURE_HEADER])


async def test_stale_signatures_are_rejected() -> None:
    header = sign("k", b"{}", timestamp=1_000_000)
    assert not verify("k", b"{}", header)


async def test_loopback_target_refused_by_default(receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    async with httpx.AsyncClient() as client:
        ok = await deliver(
            client, url, "k", {}, allow_private=False, max_attempts=3, sleep=_no_sleep
        )
    assert not ok and state.calls == []


# The worker delivers through the same Notifier; one mode is enough here.
@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
async def test_agent_state_changes_reach_the_callback(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    receiver: tuple[Receiver, str],
) -> None:
    state, url = receiver
    state.failures = 0
    client = await app_factory(make_settings(allow_private_callbacks=True))
    _, tokens = await user_with_tokens(client, user_segment="quant")
    secret = (await client.get("/api/v1/auth/me/webhook-secret", headers=bearer(tokens))).json()[
        "webhook_secret"
    ]
    created = await client.post(
        "/api/v1/agents", json=tiny_agent("CNN", callback_url=url), headers=bearer(tokens)
    )
    assert created.status_code == 202, created.text
    await wait_for(client, tokens, created.json()["agent_id"], {"READY"})
    for _ in range(50):
        if any(json.loads(body).get("status") == "READY" for body, _ in state.calls):
            break
        await asyncio.sleep(0.1)
    statuses = [json.loads(body)["status"] for body, _ in state.calls]
    assert statuses[0] == "QUEUED" and "READY" in statuses
    assert all(verify(secret, body, headers[SIGNATURE_HEADER]) for body, headers in state.calls)
