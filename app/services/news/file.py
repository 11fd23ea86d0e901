"""Headlines from files, for running sentiment without a news vendor.

`DATA_DIR/news/<SYMBOL>.jsonl` holds one JSON object per line with `published_at`
(ISO-8601; naive means UTC) and `headline`. A symbol without a file simply has no
news; a malformed line is refused with its line number.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path

from app.services.market_data.base import MarketDataError, as_utc, check_range, normalize_symbol
from app.services.news import Headline


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
            f'{shown} line {number}: expected {{"published_at": "<ISO-8601>", '
            f'"headline": "..."}} ({type(exc).__name__}: {exc})'
        ) from exc
    if not text:
        raise MarketDataError(f"{shown} line {number}: the headline is empty")
    story = record.get("story_id")
    return Headline(as_utc(published), text, str(story) if story is not None else None)
