"""One Refinitiv session per process: one token for concurrent requests, one renewal
when they are refused together, and a cap on requests in flight."""

from __future__ import annotations

import asyncio

from app.services.market_data.refinitiv import RefinitivClient, RetryPolicy
from tests.services.market_data.refinitiv.platform import Platform
from tests.services.market_data.refinitiv.vendor import BASE, V1, Clock

PATH = "/data/historical-pricing/v1/views/interday-summaries/AAPL.O"
PARAMS = {"interval": "P1D", "start": "2024-01-02", "end": "2024-01-12", "count": 10}


def client_on(platform: Platform, clock: Clock | None = None, limit: int = 4) -> RefinitivClient:
    return RefinitivClient(
        V1,
        BASE,
        http_client=platform.client(),
        retry=RetryPolicy(max_retries=0),
        clock=clock or Clock(),
        max_concurrency=limit,
    )


async def test_concurrent_requests_sign_in_once() -> None:
    platform = Platform(delay_s=0.02)
    client = client_on(platform)
    await asyncio.gather(*(client.get_json(PATH, PARAMS) for _ in range(8)))
    assert platform.sign_ins == 1
    assert len(platform.data) == 8


async def test_a_401_on_concurrent_requests_renews_the_token_once() -> None:
    platform = Platform(delay_s=0.02, refuse_token="access-v1-first")
    client = client_on(platform, limit=8)
    await asyncio.gather(*(client.get_json(PATH, PARAMS) for _ in range(8)))
    # The sign-in, then one refresh for the eight refused requests.
    assert [form["grant_type"] for form in platform.token_forms] == ["password", "refresh_token"]
    assert len(platform.data) == 8  # each retried once with the new token


async def test_an_expired_token_is_renewed_once_under_concurrency() -> None:
    platform = Platform(delay_s=0.02)
    clock = Clock()
    client = client_on(platform, clock)
    await client.get_json(PATH, PARAMS)
    clock.now += 600  # past expires_in
    await asyncio.gather(*(client.get_json(PATH, PARAMS) for _ in range(8)))
    assert [form["grant_type"] for form in platform.token_forms] == ["password", "refresh_token"]


async def test_requests_in_flight_are_capped() -> None:
    platform = Platform(delay_s=0.02)
    client = client_on(platform, limit=2)
    await asyncio.gather(*(client.get_json(PATH, PARAMS) for _ in range(10)))
    assert len(platform.data) == 10
    assert platform.max_in_flight == 2
