"""News headlines for the sentiment feature, from the configured `NEWS_SOURCE`.

* `none` (default): no source; `get_news_source` returns None and the sentiment
  feature is left out with a warning.
* `file`: `DATA_DIR/news/<SYMBOL>.jsonl`, one JSON object per line with
  `published_at` (ISO-8601; naive means UTC) and `headline`. A symbol without a file
  simply has no news; a malformed line is refused with its line number.
* `refinitiv`: the LSEG headlines endpoint, English stories tagged with the
  symbol's RIC (credentials as for market data).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from app.services.market_data.base import MarketDataError, as_utc, check_range, normalize_symbol

if TYPE_CHECKING:
    import httpx

    from app.config import Settings
    from app.services.market_data.refinitiv import RefinitivNewsClient


@dataclass(frozen=True)
class Headline:
    published_at: datetime  # UTC
    headline: str
    story_id: str | None = None


class NewsSource(Protocol):
    name: str

    async def headlines(self, symbol: str, start: datetime, end: datetime) -> list[Headline]:
        """Headlines about `symbol` published in [start, end], oldest first."""
        ...


class FileNewsSource:
    name = "file"

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)

    async def headlines(self, symbol: str, start: datetime, end: datetime) -> list[Headline]:
        return await asyncio.to_thread(self.read, symbol, start, end)

    def read(self, symbol: str, start: datetime, end: datetime) -> list[Headline]:
        start_utc, end_utc = check_range(start, end)
        ticker = normalize_symbol(symbol)
        path = self.data_dir / "news" / f"{ticker}.jsonl"
        if not path.is_file():
            return []
        shown = f"news/{ticker}.jsonl"
        found = []
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                headline = _parse_line(line, shown, number)
                if start_utc <= headline.published_at <= end_utc:
                    found.append(headline)
        return sorted(found, key=lambda h: h.published_at)


def _parse_line(line: str, shown: str, number: int) -> Headline:
    try:
        record = json.loads(line)
        text = str(record["headline"]).strip()
        published = datetime.fromisoformat(str(record["published_at"]).replace("Z", "+00:00"))
    except (ValueError, KeyError, TypeError) as exc:
        raise MarketDataError(
            f"{shown} line {number}: expected {{\"published_at\": \"<ISO-8601>\", "
            f"\"headline\": \"...\"}} ({type(exc).__name__}: {exc})"
        ) from exc
    if not text:
        raise MarketDataError(f"{shown} line {number}: the headline is empty")
    story = record.get("story_id")
    return Headline(as_utc(published), text, str(story) if story is not None else None)


class RefinitivNewsSource:
    name = "refinitiv"

    def __init__(self, client: RefinitivNewsClient) -> None:
        self.client = client

    async def headlines(self, symbol: str, start: datetime, end: datetime) -> list[Headline]:
        found = await self.client.headlines(symbol, start, end)
        return [Headline(h.published_at.astimezone(UTC), h.headline, h.story_id) for h in found]


def get_news_source(
    settings: Settings, http_client: httpx.AsyncClient | None = None
) -> NewsSource | None:
    """The configured news source, or None for `NEWS_SOURCE=none`.

    Refinitiv without credentials raises `DataSourceNotConfigured` (422).
    """
    if settings.news_source == "file":
        return FileNewsSource(settings.data_dir)
    if settings.news_source == "refinitiv":
        from app.services.market_data.refinitiv import RefinitivNewsClient

        return RefinitivNewsSource(
            RefinitivNewsClient.from_settings(settings, http_client=http_client)
        )
    return None
