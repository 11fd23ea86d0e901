"""LSEG / Refinitiv adapter against recorded-format fixtures via httpx.MockTransport."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import polars as pl
import pytest

from app.config import Settings
from app.services.market_data.base import (
    BAR_SCHEMA,
    DataSourceNotConfigured,
    MarketDataError,
    MarketDataUnavailable,
)
from app.services.market_data.refinitiv import (
    RefinitivClient,
    RefinitivCredentials,
    RefinitivNewsClient,
    RefinitivProvider,
    RetryPolicy,
    to_ric,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "refinitiv"
BASE = "https://refinitiv.test"
V1 = RefinitivCredentials("password", "app-key-123", username="trader@example.com",
                          password="s3cret")
V2 = RefinitivCredentials("client_credentials", "client-id-9", client_secret="shh-secret")


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

    def __init__(self, respond: Callable[[httpx.Request, Vendor], httpx.Response]) -> None:
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


def make(
    vendor: Vendor, credentials: RefinitivCredentials = V1, *, max_retries: int = 3,
    clock: Clock | None = None, sleeps: list[float] | None = None,
) -> RefinitivClient:
    async def sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)

    http = httpx.AsyncClient(transport=httpx.MockTransport(vendor.handler))
    retry = RetryPolicy(max_retries=max_retries, sleep=sleep, jitter=lambda: 0.5)
    return RefinitivClient(credentials, BASE, http_client=http, retry=retry,
                           clock=clock or Clock())


def daily_pages(request: httpx.Request, vendor: Vendor) -> httpx.Response:
    if request.url.path.startswith("/auth/"):
        return token_answer(request, vendor)
    end = request.url.params["end"]
    if end >= "2024-01-08":
        return httpx.Response(200, json=fixture("interday_page1.json"))
    return httpx.Response(200, json=fixture("interday_page2.json"))


# -- authentication ---------------------------------------------------------------------------


async def test_v1_password_grant_form_and_bearer_header() -> None:
    vendor = Vendor(daily_pages)
    provider = RefinitivProvider(make(vendor))
    await provider.fetch_bars("AAPL", "1d", utc(2024, 1, 2), utc(2024, 1, 12))
    token_request = vendor.requests[0]
    assert (token_request.method, token_request.url.path) == ("POST", "/auth/oauth2/v1/token")
    assert vendor.token_forms[0] == {
        "grant_type": "password", "username": "trader@example.com", "password": "s3cret",
        "client_id": "app-key-123", "scope": "trapi", "takeExclusiveSignOnControl": "true",
    }
    assert all(r.headers["Authorization"] == "Bearer access-v1-first"
               for r in vendor.data_requests())
    assert len(vendor.token_forms) == 1  # cached across pages


async def test_v2_client_credentials_grant() -> None:
    vendor = Vendor(daily_pages)
    provider = RefinitivProvider(make(vendor, V2))
    await provider.fetch_bars("AAPL", "1d", utc(2024, 1, 2), utc(2024, 1, 12))
    assert vendor.requests[0].url.path == "/auth/oauth2/v2/token"
    assert vendor.token_forms[0] == {"grant_type": "client_credentials",
                                     "client_id": "client-id-9", "client_secret": "shh-secret",
                                     "scope": "trapi"}
    assert vendor.data_requests()[0].headers["Authorization"] == "Bearer access-v2"


async def test_token_is_cached_then_refreshed_30s_before_expiry() -> None:
    clock = Clock()
    vendor = Vendor(lambda request, v: token_answer(request, v))
    client = make(vendor, clock=clock)
    assert await client.token() == "access-v1-first"
    clock.now += 600 - 31  # expires_in "600" is a string; still 31 s to go
    assert await client.token() == "access-v1-first"
    clock.now += 2  # within the 30 s margin
    assert await client.token() == "access-v1-refreshed"
    assert [f["grant_type"] for f in vendor.token_forms] == ["password", "refresh_token"]
    assert vendor.token_forms[1]["refresh_token"] == "refresh-v1-first"
    assert vendor.token_forms[1]["client_id"] == "app-key-123"


async def test_refused_refresh_token_falls_back_to_signing_in() -> None:
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        if vendor.token_forms[-1]["grant_type"] == "refresh_token":
            return httpx.Response(400, json=fixture("token_error.json"))
        return token_answer(request, vendor)

    clock = Clock()
    vendor = Vendor(answer)
    client = make(vendor, clock=clock)
    await client.token()
    clock.now += 1000
    assert await client.token() == "access-v1-first"
    assert [f["grant_type"] for f in vendor.token_forms] == [
        "password", "refresh_token", "password"
    ]


async def test_refused_credentials_are_a_not_configured_422() -> None:
    vendor = Vendor(lambda request, v: httpx.Response(401, json=fixture("token_error.json")))
    provider = RefinitivProvider(make(vendor))
    with pytest.raises(DataSourceNotConfigured) as caught:
        await provider.fetch_bars("AAPL", "1d", utc(2024, 1, 2), utc(2024, 1, 12))
    assert caught.value.status_code == 422
    assert "invalid_grant: Invalid username or password." in caught.value.message
    assert "REFINITIV_USERNAME" in caught.value.message


async def test_401_on_data_renews_the_token_once() -> None:
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        if request.url.path.startswith("/auth/"):
            return token_answer(request, vendor)
        if len(vendor.data_requests()) == 1:
            return httpx.Response(401, json={"error": {"id": "x", "code": "401",
                                                       "message": "token expired",
                                                       "status": "Unauthorized"}})
        return daily_pages(request, vendor)

    vendor = Vendor(answer)
    provider = RefinitivProvider(make(vendor))
    bars = await provider.fetch_bars("AAPL", "1d", utc(2024, 1, 8), utc(2024, 1, 12))
    assert bars.height == 5
    assert len(vendor.token_forms) == 2


# -- bars, paging and mapping -----------------------------------------------------------------


async def test_interday_paging_and_mapping() -> None:
    vendor = Vendor(daily_pages)
    provider = RefinitivProvider(make(vendor))
    bars = await provider.fetch_bars("AAPL", "1d", utc(2024, 1, 2), utc(2024, 1, 12))
    calls = vendor.data_requests()
    assert calls[0].url.path == "/data/historical-pricing/v1/views/interday-summaries/AAPL.O"
    first = calls[0].url.params
    assert (first["interval"], first["start"], first["end"], first["count"]) == (
        "P1D", "2024-01-02", "2024-01-12", "10000"
    )
    assert first["fields"] == "OPEN_PRC,HIGH_1,LOW_1,TRDPRC_1,ACVOL_UNS"
    # page 2 ends just before the oldest row of page 1 (2024-01-07, a volume-only row)
    assert calls[1].url.params["end"] == "2024-01-06"
    assert len(calls) == 2  # page 2 reached the start
    assert bars.schema == pl.Schema(BAR_SCHEMA)
    assert bars["timestamp"].to_list() == [
        utc(2024, 1, d) for d in (2, 3, 4, 5, 8, 9, 10, 11, 12)
    ]  # sorted, the row without prices dropped
    assert bars.row(0) == (utc(2024, 1, 2), 187.15, 188.44, 183.89, 185.64, 82488674.0)


async def test_intraday_stamps_are_shifted_to_bar_starts_and_paging_stops_on_empty() -> None:
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        if request.url.path.startswith("/auth/"):
            return token_answer(request, vendor)
        if len(vendor.data_requests()) == 1:
            return httpx.Response(200, json=fixture("intraday_1min.json"))
        return httpx.Response(200, json=fixture("intraday_empty.json"))

    vendor = Vendor(answer)
    provider = RefinitivProvider(make(vendor))
    bars = await provider.fetch_bars("AAPL.O", "1min", utc(2024, 1, 2, 14, 30),
                                     utc(2024, 1, 2, 14, 34))
    first, second = vendor.data_requests()
    assert first.url.path.endswith("/intraday-summaries/AAPL.O")
    assert first.url.params["interval"] == "PT1M"
    assert first.url.params["sessions"] == "normal"
    assert first.url.params["start"] == "2024-01-02T14:30:00.000000000Z"
    assert first.url.params["end"] == "2024-01-02T14:35:00.000000000Z"  # one bar further
    assert second.url.params["end"] == "2024-01-02T14:30:59.999999000Z"
    # endPeriod labels 14:31..14:35 are bars starting 14:30..14:34; 14:32 had no prices
    assert [t.strftime("%H:%M") for t in bars["timestamp"]] == ["14:30", "14:31", "14:33",
                                                                "14:34"]
    assert bars.row(0)[1:] == (187.15, 187.70, 187.05, 187.30, 1006112.0)


def intraday_answer(interval: str, minutes: int, bars: int, label: str) -> Any:
    body = copy.deepcopy(fixture("intraday_1min.json"))
    element = body[0]
    element["interval"] = interval
    element["summaryTimestampLabel"] = label
    start = datetime(2024, 1, 2, 14, 30)
    rows = []
    for i in range(bars):
        stamp = start + timedelta(minutes=minutes * (i + 1 if label == "endPeriod" else i))
        price = 100.0 + i
        rows.append([stamp.strftime("%Y-%m-%dT%H:%M:%S.000000000Z"), price + 0.5, price - 0.5,
                     price, price + 0.25, 1000 + i])
    element["data"] = rows[::-1]  # newest first
    return body


@pytest.mark.parametrize(
    ("frequency", "interval", "minutes", "expected"),
    [("15min", "PT5M", 5, ["14:30", "14:45", "15:00", "15:15"]),
     ("1h", "PT30M", 30, ["14:30", "15:30"])],
)
async def test_frequencies_the_vendor_lacks_are_resampled_on_the_session_grid(
    frequency: str, interval: str, minutes: int, expected: list[str]
) -> None:
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        if request.url.path.startswith("/auth/"):
            return token_answer(request, vendor)
        if len(vendor.data_requests()) > 1:
            return httpx.Response(200, json=fixture("intraday_empty.json"))
        return httpx.Response(200, json=intraday_answer(interval, minutes, 12 if minutes == 5
                                                        else 4, "startPeriod"))

    vendor = Vendor(answer)
    provider = RefinitivProvider(make(vendor))
    bars = await provider.fetch_bars("AAPL", frequency, utc(2024, 1, 2, 14, 30),
                                     utc(2024, 1, 2, 16, 0))
    assert vendor.data_requests()[0].url.params["interval"] == interval
    assert [t.strftime("%H:%M") for t in bars["timestamp"]] == expected
    first = bars.row(0, named=True)
    group = 3 if minutes == 5 else 2
    assert first["open"] == 100.0 and first["close"] == 100.0 + group - 1 + 0.25
    assert first["high"] == 100.0 + group - 1 + 0.5 and first["low"] == 99.5
    assert first["volume"] == sum(1000 + i for i in range(group))


def test_symbols_map_to_rics() -> None:
    assert to_ric("aapl") == "AAPL.O"
    assert to_ric("IBM.N") == "IBM.N"
    assert to_ric("vod.l") == "VOD.L"


# -- failures ----------------------------------------------------------------------------------


async def test_429_then_200_honours_retry_after() -> None:
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        if request.url.path.startswith("/auth/"):
            return token_answer(request, vendor)
        if len(vendor.data_requests()) == 1:
            return httpx.Response(429, headers={"Retry-After": "2"},
                                  json={"error": {"id": "r", "code": "429",
                                                  "message": "Too many requests",
                                                  "status": "Too Many Requests"}})
        return daily_pages(request, vendor)

    sleeps: list[float] = []
    vendor = Vendor(answer)
    provider = RefinitivProvider(make(vendor, sleeps=sleeps))
    bars = await provider.fetch_bars("AAPL", "1d", utc(2024, 1, 8), utc(2024, 1, 12))
    assert bars.height == 5
    assert sleeps == [2.0]


async def test_503_until_retries_run_out_is_unavailable() -> None:
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        if request.url.path.startswith("/auth/"):
            return token_answer(request, vendor)
        return httpx.Response(503, json=fixture("error_503.json"))

    sleeps: list[float] = []
    vendor = Vendor(answer)
    provider = RefinitivProvider(make(vendor, max_retries=3, sleeps=sleeps))
    with pytest.raises(MarketDataUnavailable) as caught:
        await provider.fetch_bars("AAPL", "1d", utc(2024, 1, 8), utc(2024, 1, 12))
    assert caught.value.status_code == 503
    assert "503" in caught.value.message and "Service Unavailable" in caught.value.message
    assert len(vendor.data_requests()) == 4
    # exponential back-off (jitter fixed at the middle of its range)
    assert sleeps == [0.375, 0.75, 1.5]


async def test_transport_errors_are_retried() -> None:
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        if request.url.path.startswith("/auth/"):
            return token_answer(request, vendor)
        if len(vendor.data_requests()) == 1:
            raise httpx.ConnectTimeout("timed out", request=request)
        return daily_pages(request, vendor)

    sleeps: list[float] = []
    provider = RefinitivProvider(make(Vendor(answer), sleeps=sleeps))
    bars = await provider.fetch_bars("AAPL", "1d", utc(2024, 1, 8), utc(2024, 1, 12))
    assert bars.height == 5 and len(sleeps) == 1


async def test_vendor_error_body_is_mapped_to_a_clear_message() -> None:
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        if request.url.path.startswith("/auth/"):
            return token_answer(request, vendor)
        return httpx.Response(400, json=fixture("error_400.json"))

    provider = RefinitivProvider(make(Vendor(answer)))
    with pytest.raises(MarketDataError) as caught:
        await provider.fetch_bars("AAPL", "1d", utc(2024, 1, 8), utc(2024, 1, 12))
    assert not isinstance(caught.value, DataSourceNotConfigured)
    assert "answered 400" in caught.value.message
    assert "'interval' must be one of" in caught.value.message
    assert "(code 400)" in caught.value.message


async def test_unknown_instrument_element_says_which_ric_and_how_to_fix() -> None:
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        if request.url.path.startswith("/auth/"):
            return token_answer(request, vendor)
        return httpx.Response(200, json=fixture("universe_not_found.json"))

    provider = RefinitivProvider(make(Vendor(answer)))
    with pytest.raises(MarketDataError) as caught:
        await provider.fetch_bars("NOPE", "1d", utc(2024, 1, 8), utc(2024, 1, 12))
    message = caught.value.message
    assert "NOPE.O: The universe is not found." in message
    assert "TS.Interday.UserRequestError.70005" in message and "full RIC" in message


def test_credentials_come_from_settings() -> None:
    v1 = RefinitivCredentials.from_settings(Settings(
        _env_file=None, refinitiv_app_key="k", refinitiv_username="u", refinitiv_password="p",
    ))
    assert (v1.grant, v1.client_id, v1.username, v1.password) == ("password", "k", "u", "p")
    v2 = RefinitivCredentials.from_settings(Settings(
        _env_file=None, refinitiv_client_id="c", refinitiv_client_secret="top-secret",
    ))
    assert (v2.grant, v2.client_id, v2.client_secret) == ("client_credentials", "c", "top-secret")
    assert "top-secret" not in repr(v2) and "'p'" not in repr(v1)


# -- news headlines ---------------------------------------------------------------------------


async def test_news_headlines_query_and_cursor_paging() -> None:
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        if request.url.path.startswith("/auth/"):
            return token_answer(request, vendor)
        if "cursor" in request.url.params:
            return httpx.Response(200, json=fixture("news_page2.json"))
        return httpx.Response(200, json=fixture("news_page1.json"))

    vendor = Vendor(answer)
    news = RefinitivNewsClient(make(vendor))
    found = await news.headlines("AAPL", utc(2024, 1, 1), utc(2024, 1, 4))
    first, second = vendor.data_requests()
    assert first.url.path == "/data/news/v1/headlines"
    assert first.url.params["query"] == "R:AAPL.O AND Language:LEN"
    assert first.url.params["dateFrom"] == "2024-01-01T00:00:00Z"
    assert first.url.params["dateTo"] == "2024-01-04T00:00:00Z"
    assert second.url.params["cursor"] == "H4sIAAAAAAAA_cursor_page_2"
    assert [h.headline for h in found] == [
        "Apple to hold annual shareholder meeting in February",
        "Apple beats holiday-quarter forecasts as services revenue surges",
        "Apple shares slump after analyst downgrade",
    ]
    assert found[1].published_at == datetime(2024, 1, 2, 21, 42, 30, tzinfo=UTC)
    assert found[0].story_id == "urn:newsml:reuters.com:20240102:nL1N3DS0AA:1"
