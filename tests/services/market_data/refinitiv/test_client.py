"""The Refinitiv platform client: sign-in, tokens, retries and error mapping."""

from __future__ import annotations

import httpx
import pytest

from app.config import Settings
from app.services.market_data.base import (
    DataSourceNotConfigured,
    MarketDataError,
    MarketDataUnavailable,
)
from app.services.market_data.refinitiv import RefinitivCredentials, to_ric
from tests.services.market_data.refinitiv.vendor import (
    V2,
    Clock,
    Vendor,
    daily_pages,
    fetch_daily,
    fixture,
    make,
    signed_in,
    token_answer,
)

# -- authentication ---------------------------------------------------------------------------


async def test_v1_password_grant_form_and_bearer_header() -> None:
    vendor = Vendor(daily_pages)
    await fetch_daily(vendor)
    token_request = vendor.requests[0]
    assert (token_request.method, token_request.url.path) == ("POST", "/auth/oauth2/v1/token")
    assert vendor.token_forms[0] == {
        "grant_type": "password",
        "username": "trader@example.com",
        "password": "s3cret",
        "client_id": "app-key-123",
        "scope": "trapi",
        "takeExclusiveSignOnControl": "true",
    }
    assert all(
        r.headers["Authorization"] == "Bearer access-v1-first" for r in vendor.data_requests()
    )
    assert len(vendor.token_forms) == 1  # cached across pages


async def test_v2_client_credentials_grant() -> None:
    vendor = Vendor(daily_pages)
    await fetch_daily(vendor, credentials=V2)
    assert vendor.requests[0].url.path == "/auth/oauth2/v2/token"
    assert vendor.token_forms[0] == {
        "grant_type": "client_credentials",
        "client_id": "client-id-9",
        "client_secret": "shh-secret",
        "scope": "trapi",
    }
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
        "password",
        "refresh_token",
        "password",
    ]


async def test_refused_credentials_are_a_not_configured_422() -> None:
    vendor = Vendor(lambda request, v: httpx.Response(401, json=fixture("token_error.json")))
    with pytest.raises(DataSourceNotConfigured) as caught:
        await fetch_daily(vendor)
    assert caught.value.status_code == 422
    assert "invalid_grant: Invalid username or password." in caught.value.message
    assert "REFINITIV_USERNAME" in caught.value.message


async def test_401_on_data_renews_the_token_once() -> None:
    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        if len(vendor.data_requests()) == 1:
            return httpx.Response(
                401,
                json={
                    "error": {
                        "id": "x",
                        "code": "401",
                        "message": "token expired",
                        "status": "Unauthorized",
                    }
                },
            )
        return daily_pages(request, vendor)

    vendor = Vendor(answer)
    bars = await fetch_daily(vendor, 8)
    assert bars.height == 5
    assert len(vendor.token_forms) == 2


def test_symbols_map_to_rics() -> None:
    assert to_ric("aapl") == "AAPL.O"
    assert to_ric("IBM.N") == "IBM.N"
    assert to_ric("vod.l") == "VOD.L"


# -- failures ----------------------------------------------------------------------------------


async def test_429_then_200_honours_retry_after() -> None:
    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        if len(vendor.data_requests()) == 1:
            return httpx.Response(
                429,
                headers={"Retry-After": "2"},
                json={
                    "error": {
                        "id": "r",
                        "code": "429",
                        "message": "Too many requests",
                        "status": "Too Many Requests",
                    }
                },
            )
        return daily_pages(request, vendor)

    sleeps: list[float] = []
    bars = await fetch_daily(Vendor(answer), 8, sleeps=sleeps)
    assert bars.height == 5
    assert sleeps == [2.0]


async def test_503_until_retries_run_out_is_unavailable() -> None:
    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        return httpx.Response(503, json=fixture("error_503.json"))

    sleeps: list[float] = []
    vendor = Vendor(answer)
    with pytest.raises(MarketDataUnavailable) as caught:
        await fetch_daily(vendor, 8, max_retries=3, sleeps=sleeps)
    assert caught.value.status_code == 503
    assert "503" in caught.value.message and "Service Unavailable" in caught.value.message
    assert len(vendor.data_requests()) == 4
    # exponential back-off (jitter fixed at the middle of its range)
    assert sleeps == [0.375, 0.75, 1.5]


async def test_transport_errors_are_retried() -> None:
    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        if len(vendor.data_requests()) == 1:
            raise httpx.ConnectTimeout("timed out", request=request)
        return daily_pages(request, vendor)

    sleeps: list[float] = []
    bars = await fetch_daily(Vendor(answer), 8, sleeps=sleeps)
    assert bars.height == 5 and len(sleeps) == 1


async def test_vendor_error_body_is_mapped_to_a_clear_message() -> None:
    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        return httpx.Response(400, json=fixture("error_400.json"))

    with pytest.raises(MarketDataError) as caught:
        await fetch_daily(Vendor(answer), 8)
    assert not isinstance(caught.value, DataSourceNotConfigured)
    assert "answered 400" in caught.value.message
    assert "'interval' must be one of" in caught.value.message
    assert "(code 400)" in caught.value.message


def test_credentials_come_from_settings() -> None:
    v1 = RefinitivCredentials.from_settings(
        Settings(
            _env_file=None,
            refinitiv_app_key="k",
            refinitiv_username="u",
            refinitiv_password="p",
        )
    )
    assert (v1.grant, v1.client_id, v1.username, v1.password) == ("password", "k", "u", "p")
    v2 = RefinitivCredentials.from_settings(
        Settings(
            _env_file=None,
            refinitiv_client_id="c",
            refinitiv_client_secret="top-secret",
        )
    )
    assert (v2.grant, v2.client_id, v2.client_secret) == ("client_credentials", "c", "top-secret")
    assert "top-secret" not in repr(v2) and "'p'" not in repr(v1)
