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
from app.errors import Unprocessable
from app.services import notifications
from app.services.notifications import (
    SIGNATURE_HEADER,
    check_callback_url,
    deliver,
    sign,
    verify,
)
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


def _answers_in_turn(*answers: list[str]) -> tuple[Callable[[str, int], Any], list[str]]:
    """A resolver that gives each answer in turn (the last one from then on)."""
    asked: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return answers[min(len(asked), len(answers)) - 1]

    return resolve, asked


async def test_dns_rebinding_never_reaches_the_loopback_listener(
    receiver: tuple[Receiver, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name passes the check with a public answer, then resolves to 127.0.0.1 (where
    the listener is): the connection goes to the vetted address, and the retry's fresh
    check refuses the loopback answer."""
    state, url = receiver
    resolve, asked = _answers_in_turn(["93.184.216.34"], ["127.0.0.1"])
    monkeypatch.setattr(notifications, "_resolve", resolve)
    rebinding_url = url.replace("127.0.0.1", "localhost")
    async with httpx.AsyncClient(timeout=0.5) as client:
        ok = await deliver(
            client, rebinding_url, "k", {}, allow_private=False, max_attempts=3, sleep=_no_sleep
        )
    assert not ok
    assert state.calls == []  # the loopback listener received nothing
    assert asked == ["localhost", "localhost"]  # checked again before the retry


async def test_delivery_connects_to_the_vetted_address_with_the_names_host_and_sni(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503 if len(seen) == 1 else 204)

    resolve, asked = _answers_in_turn(["93.184.216.34"], ["93.184.216.35"])
    monkeypatch.setattr(notifications, "_resolve", resolve)
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        ok = await deliver(
            client,
            "https://Hooks.Example.com:8443/hook?x=1",
            "k",
            {"status": "READY"},
            allow_private=False,
            max_attempts=3,
            sleep=_no_sleep,
        )
    assert ok and len(asked) == 2
    assert [r.url.host for r in seen] == ["93.184.216.34", "93.184.216.35"]
    for request in seen:
        assert str(request.url).endswith(":8443/hook?x=1")
        assert request.headers["Host"] == "hooks.example.com:8443"
        assert request.extensions["sni_hostname"] == "hooks.example.com"


async def test_a_name_with_any_internal_answer_is_refused(
    receiver: tuple[Receiver, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state, url = receiver
    resolve, _ = _answers_in_turn(["93.184.216.34", "127.0.0.1"])
    monkeypatch.setattr(notifications, "_resolve", resolve)
    async with httpx.AsyncClient(timeout=0.5) as client:
        ok = await deliver(
            client,
            url.replace("127.0.0.1", "localhost"),
            "k",
            {},
            allow_private=False,
            max_attempts=2,
            sleep=_no_sleep,
        )
    assert not ok and state.calls == []


@pytest.mark.parametrize(
    "url",
    [
        "http://[64:ff9b::7f00:1]/hook",  # NAT64 of 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of 169.254.169.254
        "http://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
        "http://[::7f00:1]/hook",  # IPv4-compatible 127.0.0.1
        "http://[::ffff:10.0.0.1]/hook",  # IPv4-mapped private
        "http://localhost./hook",
        "http://LOCALHOST./hook",
        "http://api.localhost./hook",
    ],
)
def test_internal_callback_urls_are_refused_at_creation(url: str) -> None:
    with pytest.raises(Unprocessable) as refused:
        check_callback_url(url, allow_private=False)
    assert "ALLOW_PRIVATE_CALLBACKS" in refused.value.message  # the setting that allows it
    check_callback_url(url, allow_private=True)  # unless explicitly allowed


def test_public_callback_urls_pass_the_creation_check() -> None:
    for url in ("https://hooks.example.com/x", "http://[2001:4860:4860::8888]/", "http://8.8.8.8/"):
        check_callback_url(url, allow_private=False)
