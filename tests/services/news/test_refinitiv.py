"""The Refinitiv headlines client: query, cursor paging and parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import polars as pl

from app.services.news.refinitiv import RefinitivNewsClient, RefinitivNewsSource
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


def story(moment: datetime, title: str) -> dict[str, Any]:
    """One headline in the endpoint's recorded shape (tests/fixtures/refinitiv/news_*)."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "storyId": f"urn:newsml:reuters.com:{moment:%Y%m%d%H%M}:nTEST:1",
        "newsItem": {
            "_version": 1,
            "contentMeta": {"language": [{"_tag": "en"}]},
            "itemMeta": {
                "firstCreated": {"$": stamp},
                "versionCreated": {"$": stamp},
                "title": [{"$": title}],
            },
        },
    }


def deep_archive(every: timedelta, since: datetime, until: datetime, per_page: int) -> Vendor:
    """A platform holding a story every `every` from `since` to `until`, served newest
    first `per_page` at a time, with a cursor for as long as older stories remain."""
    stamps = []
    moment = until
    while moment >= since:
        stamps.append(moment)
        moment -= every
    stories = [story(s, "Apple shares surge on record services sales") for s in stamps]

    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        offset = int(request.url.params.get("cursor", "page-0").removeprefix("page-"))
        page = stories[offset : offset + per_page]
        rest = offset + per_page < len(stories)
        meta = {"count": len(page), "next": f"page-{offset + per_page}" if rest else None}
        return httpx.Response(200, json={"data": page, "meta": meta})

    return Vendor(answer)


async def test_the_page_limit_sets_the_depth_covered() -> None:
    start, end = utc(2024, 1, 1), utc(2024, 3, 31)
    vendor = deep_archive(timedelta(hours=6), start, end, per_page=10)
    news = RefinitivNewsClient(make(vendor), max_pages=3)
    found, covers_from = await news.fetch("AAPL", start, end)
    assert len(vendor.data_requests()) == 3 and len(found) == 30
    assert covers_from == found[0].published_at == end - 29 * timedelta(hours=6)
    # Enough pages to reach the start: the whole range is covered.
    complete = RefinitivNewsClient(make(deep_archive(timedelta(days=1), start, end, 10)))
    found, covers_from = await complete.fetch("AAPL", start, end)
    assert covers_from == start and len(found) == 91


async def test_bars_before_the_depth_fetched_are_flagged_without_news() -> None:
    """The issue's case: the vendor's newest-first pages reach only the last days of a
    quarter; those bars have scores, the earlier ones the flag 0 and a note says so."""
    from app.services.sentiment import COVERAGE_COLUMN, SENTIMENT_COLUMN, add_sentiment

    first, last = utc(2024, 1, 2), utc(2024, 3, 29)
    stamps = pl.datetime_range(first, last, "1d", time_zone="UTC", eager=True)
    bars = pl.DataFrame({"timestamp": stamps, "close": [100.0] * len(stamps)})
    vendor = deep_archive(timedelta(hours=6), utc(2023, 12, 1), last, per_page=10)
    source = RefinitivNewsSource(RefinitivNewsClient(make(vendor), max_pages=3))
    out, warnings = await add_sentiment(bars, "AAPL", source, coverage_of="training bars")
    covers_from = last - 29 * timedelta(hours=6)  # 2024-03-21 18:00, the oldest read
    covered = out[COVERAGE_COLUMN] == 1.0
    assert (out["timestamp"] - timedelta(days=1) >= covers_from).to_list() == covered.to_list()
    assert out.filter(~covered)[SENTIMENT_COLUMN].to_list() == [0.0] * int((~covered).sum())
    assert out.filter(covered)[SENTIMENT_COLUMN].min() > 0.3  # type: ignore[operator]
    assert covered.sum() == 7  # 2024-03-23 .. 03-29 of 88 daily bars
    assert warnings == [
        "News about AAPL (refinitiv) covers 2024-03-21 18:00 UTC onwards: 8 % of the "
        "training bars; earlier bars are marked as without news."
    ]
