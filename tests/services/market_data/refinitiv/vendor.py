"""A scripted LSEG / Refinitiv platform: recorded-format fixtures via httpx.MockTransport.

Shared by the client, pricing and news tests: the vendor that records every
request, the sign-in answers, and the standard fetch of AAPL's daily bars.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import polars as pl

from app.services.market_data.refinitiv import (
    RefinitivClient,
    RefinitivCredentials,
    RefinitivProvider,
    RetryPolicy,
)

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "refinitiv"
BASE = "https://refinitiv.test"
V1 = RefinitivCredentials(
    "password", "app-key-123", username="trader@example.com", password="s3cret"
)
V2 = RefinitivCredentials("client_credentials", "client-id-9", client_secret="shh-secret")

Responder = Callable[[httpx.Request, "Vendor"], httpx.Response]


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Vendor:
    """A scripted platform: records every request, answers with `respond`."""

    def __init__(self, respond: Responder) -> None:
        self.respond = respond
        self.requests: list[httpx.Request] = []
        self.token_forms: list[dict[str, str]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.startswith("/auth/"):
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            self.token_forms.append(form)
        return self.respond(request, self)

    def data_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.startswith("/data/")]


def token_answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
    form = vendor.token_forms[-1]
    if form["grant_type"] == "client_credentials":
        return httpx.Response(200, json=fixture("token_v2.json"))
    if form["grant_type"] == "refresh_token":
        return httpx.Response(200, json=fixture("token_v1_refreshed.json"))
    return httpx.Response(200, json=fixture("token_v1.json"))


def signed_in(data: Responder) -> Responder:
    """Answers sign-ins with the recorded tokens and every other request with `data`."""

    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        if request.url.path.startswith("/auth/"):
            return token_answer(request, vendor)
        return data(request, vendor)

    return answer


def make(
    vendor: Vendor,
    credentials: RefinitivCredentials = V1,
    *,
    max_retries: int = 3,
    clock: Clock | None = None,
    sleeps: list[float] | None = None,
) -> RefinitivClient:
    async def sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)

    http = httpx.AsyncClient(transport=httpx.MockTransport(vendor.handler))
    retry = RetryPolicy(max_retries=max_retries, sleep=sleep, jitter=lambda: 0.5)
    return RefinitivClient(credentials, BASE, http_client=http, retry=retry, clock=clock or Clock())


@signed_in
def daily_pages(request: httpx.Request, vendor: Vendor) -> httpx.Response:
    """AAPL's recorded daily bars: 2024-01-07..12 on page 1, the days before on page 2."""
    end = request.url.params["end"]
    if end >= "2024-01-08":
        return httpx.Response(200, json=fixture("interday_page1.json"))
    return httpx.Response(200, json=fixture("interday_page2.json"))


async def fetch_daily(
    vendor: Vendor,
    first_day: int = 2,
    *,
    symbol: str = "AAPL",
    credentials: RefinitivCredentials = V1,
    **options: Any,
) -> pl.DataFrame:
    """`symbol`'s daily bars from 2024-01-`first_day` to 2024-01-12, from a provider on
    `vendor` (`options`: those of `make`)."""
    provider = RefinitivProvider(make(vendor, credentials, **options))
    return await provider.fetch_bars(symbol, "1d", utc(2024, 1, first_day), utc(2024, 1, 12))
