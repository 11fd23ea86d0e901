"""The Refinitiv headlines client: query, cursor paging and parsing."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from app.services.news.refinitiv import RefinitivNewsClient
from tests.services.market_data.refinitiv.vendor import (
    Vendor,
    fixture,
    make,
    signed_in,
    utc,
)


async def test_news_headlines_query_and_cursor_paging() -> None:
    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
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
