"""Headlines from files, for running sentiment without a news vendor.

`DATA_DIR/news/<SYMBOL>.jsonl` holds one JSON object per line with `published_at`
(ISO-8601; naive means UTC) and `headline`. A symbol without a file simply has no
news; a malformed line is refused with its line number.

A date alone ("2024-05-02") means the end of that UTC day, 23:59:59 UTC, not its
midnight: the story may have come out at any time that day, and read as midnight it
would reach that day's bars before it was published. At 23:59:59 UTC it is later than
every US, London or Tokyo session of that date and still before the next daily bar
(stamped 00:00 UTC), which sees it.

The file covers the news from its first item on: a file that starts after the
requested range does not vouch for the bars before it (`FetchedNews.covers_from`).
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, time
from pathlib import Path

from app.services.market_data.base import MarketDataError, as_utc, check_range, normalize_symbol
from app.services.news import FetchedNews, Headline

END_OF_DATE = time(23, 59, 59, tzinfo=UTC)  # when a headline dated without a time counts


class FileNewsSource:
    name = "file"

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)

    async def headlines(self, symbol: str, start: datetime, end: datetime) -> list[Headline]:
        return (await self.fetch(symbol, start, end)).headlines

    async def fetch(self, symbol: str, start: datetime, end: datetime) -> FetchedNews:
        return await asyncio.to_thread(self.read_news, symbol, start, end)

    def read(self, symbol: str, start: datetime, end: datetime) -> list[Headline]:
        return self.read_news(symbol, start, end).headlines

    def read_news(self, symbol: str, start: datetime, end: datetime) -> FetchedNews:
        """The file's headlines in [start, end], covered from its first item (or
        `start`, when that item is older); no file or an empty one covers nothing."""
        start_utc, end_utc = check_range(start, end)
        ticker = normalize_symbol(symbol)
        path = self.data_dir / "news" / f"{ticker}.jsonl"
        if not path.is_file():
            return FetchedNews([], None)
        shown = f"news/{ticker}.jsonl"
        found = []
        first: datetime | None = None
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                headline = _parse_line(line, shown, number)
                if first is None or headline.published_at < first:
                    first = headline.published_at
                if start_utc <= headline.published_at <= end_utc:
                    found.append(headline)
        covers_from = None if first is None else max(first, start_utc)
        return FetchedNews(sorted(found, key=lambda h: h.published_at), covers_from)


def _parse_line(line: str, shown: str, number: int) -> Headline:
    try:
        record = json.loads(line)
        text = str(record["headline"]).strip()
        published = parse_published(str(record["published_at"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise MarketDataError(
            f'{shown} line {number}: expected {{"published_at": "<ISO-8601>", '
            f'"headline": "..."}} ({type(exc).__name__}: {exc})'
        ) from exc
    if not text:
        raise MarketDataError(f"{shown} line {number}: the headline is empty")
    story = record.get("story_id")
    return Headline(published, text, str(story) if story is not None else None)


def parse_published(value: str) -> datetime:
    """An ISO-8601 instant in UTC (naive means UTC); a date alone is 23:59:59 UTC of it."""
    value = value.strip()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    return datetime.combine(day, END_OF_DATE)
