"""Headlines from the LSEG / Refinitiv news endpoint, as `Headline`s.

News sits with the other headline sources rather than with market data: with the
pricing provider it shares only the platform client (sign-in, retries, error
mapping, RICs, timestamps), nothing about bars. Vendor details:
`docs/vendors/refinitiv.md`.

The endpoint pages newest first and we stop after `MAX_NEWS_PAGES`: for a liquid name
that is a few weeks, not the years a model trains on. The fetch therefore reports
how far back it got (the oldest headline read when the limit cut it short), so the
sentiment feature can mark older bars as without news instead of neutral.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app.services.market_data.base import MarketDataError, check_range
from app.services.market_data.refinitiv.client import RefinitivClient, parse_stamp, to_ric
from app.services.news import FetchedNews, Headline

if TYPE_CHECKING:
    import httpx

    from app.config import Settings

MAX_NEWS_PAGES = 50
NEWS_PAGE_SIZE = 100


@dataclass(frozen=True)
class RefinitivHeadline:
    published_at: datetime
    headline: str
    story_id: str | None


class RefinitivNewsClient:
    """Headlines for one instrument from `/data/news/v1/headlines`, cursor-paged."""

    def __init__(self, client: RefinitivClient, *, max_pages: int = MAX_NEWS_PAGES) -> None:
        self.client = client
        self.max_pages = max_pages

    @classmethod
    def from_settings(
        cls, settings: Settings, *, http_client: httpx.AsyncClient | None = None
    ) -> RefinitivNewsClient:
        return cls(RefinitivClient.from_settings(settings, http_client=http_client))

    async def headlines(
        self, symbol: str, start: datetime, end: datetime
    ) -> list[RefinitivHeadline]:
        """English headlines about `symbol` published in [start, end], oldest first.

        At most `max_pages` pages of `NEWS_PAGE_SIZE` are read.
        """
        return (await self.fetch(symbol, start, end))[0]

    async def fetch(
        self, symbol: str, start: datetime, end: datetime
    ) -> tuple[list[RefinitivHeadline], datetime]:
        """`headlines`, and the instant from which they are complete: `start` when the
        last page was reached, else the oldest headline read before the page limit
        (`end` if none could be read)."""
        start_utc, end_utc = check_range(start, end)
        params: dict[str, Any] = {
            "query": f"R:{to_ric(symbol)} AND Language:LEN",
            "limit": NEWS_PAGE_SIZE,
            "dateFrom": start_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "dateTo": end_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "sort": "newToOld",
        }
        found: dict[tuple[str, datetime], RefinitivHeadline] = {}
        covers_from = start_utc
        for page in range(self.max_pages):
            body = await self.client.get_json("/data/news/v1/headlines", params)
            if not isinstance(body, dict):
                raise MarketDataError("refinitiv sent an unexpected news answer (not an object)")
            for item in body.get("data") or []:
                headline = _parse_headline(item)
                if headline and start_utc <= headline.published_at <= end_utc:
                    found[(headline.headline, headline.published_at)] = headline
            cursor = (body.get("meta") or {}).get("next")
            if not cursor:
                break
            if page == self.max_pages - 1:  # more news exists than we read
                oldest = min((h.published_at for h in found.values()), default=end_utc)
                covers_from = max(oldest, start_utc)
                break
            # The cursor carries the query; only the page size goes with it.
            params = {"cursor": cursor, "limit": NEWS_PAGE_SIZE}
        return sorted(found.values(), key=lambda h: h.published_at), covers_from


def _parse_headline(item: Any) -> RefinitivHeadline | None:
    try:
        meta = item["newsItem"]["itemMeta"]
        title = meta["title"][0]["$"]
        published = parse_stamp(meta["versionCreated"]["$"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if not str(title).strip():
        return None
    return RefinitivHeadline(published, str(title).strip(), item.get("storyId"))


class RefinitivNewsSource:
    name = "refinitiv"

    def __init__(self, client: RefinitivNewsClient) -> None:
        self.client = client

    async def headlines(self, symbol: str, start: datetime, end: datetime) -> list[Headline]:
        return (await self.fetch(symbol, start, end)).headlines

    async def fetch(self, symbol: str, start: datetime, end: datetime) -> FetchedNews:
        found, covers_from = await self.client.fetch(symbol, start, end)
        headlines = [
            Headline(h.published_at.astimezone(UTC), h.headline, h.story_id) for h in found
        ]
        return FetchedNews(headlines, covers_from.astimezone(UTC))
