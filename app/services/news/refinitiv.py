"""Headlines from the LSEG / Refinitiv news endpoint, as `Headline`s.

News sits with the other headline sources rather than with market data: with the
pricing provider it shares only the platform client (sign-in, retries, error
mapping, RICs, timestamps), nothing about bars. Vendor details:
`docs/vendors/refinitiv.md`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app.services.market_data.base import MarketDataError, check_range
from app.services.market_data.refinitiv.client import RefinitivClient, parse_stamp, to_ric
from app.services.news import Headline

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

    def __init__(self, client: RefinitivClient) -> None:
        self.client = client

    @classmethod
    def from_settings(
        cls, settings: Settings, *, http_client: httpx.AsyncClient | None = None
    ) -> RefinitivNewsClient:
        return cls(RefinitivClient.from_settings(settings, http_client=http_client))

    async def headlines(
        self, symbol: str, start: datetime, end: datetime
    ) -> list[RefinitivHeadline]:
        """English headlines about `symbol` published in [start, end], oldest first.

        At most `MAX_NEWS_PAGES` pages of `NEWS_PAGE_SIZE` are read.
        """
        start_utc, end_utc = check_range(start, end)
        params: dict[str, Any] = {
            "query": f"R:{to_ric(symbol)} AND Language:LEN",
            "limit": NEWS_PAGE_SIZE,
            "dateFrom": start_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "dateTo": end_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "sort": "newToOld",
        }
        found: dict[tuple[str, datetime], RefinitivHeadline] = {}
        for _ in range(MAX_NEWS_PAGES):
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
            # The cursor carries the query; only the page size goes with it.
            params = {"cursor": cursor, "limit": NEWS_PAGE_SIZE}
        return sorted(found.values(), key=lambda h: h.published_at)


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
        found = await self.client.headlines(symbol, start, end)
        return [Headline(h.published_at.astimezone(UTC), h.headline, h.story_id) for h in found]
