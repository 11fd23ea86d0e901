"""News headlines for the sentiment feature, from the configured `NEWS_SOURCE`.

Sentiment needs only "headlines about a symbol in a time range", whoever sends them, so
this package keeps that one shape (`Headline`, `NewsSource`) and picks the source
(`none`, `file` or `refinitiv`: docs/FEATURES.md); the scoring never learns which vendor
or file is behind it. What it does learn is how far back the news reaches
(`FetchedNews.covers_from`): a vendor that stops paging, or a file that starts late,
must not make older bars look like days without news.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import httpx

    from app.config import Settings


@dataclass(frozen=True)
class Headline:
    published_at: datetime  # UTC
    headline: str
    story_id: str | None = None


@dataclass(frozen=True)
class FetchedNews:
    """Headlines of a range and the earliest instant from which they are complete.

    `covers_from` is the requested start when the source had everything back to it, a
    later instant when it did not (a page limit hit, a file that starts later), and
    None when the source knows nothing about the symbol at all (no file).
    """

    headlines: list[Headline]
    covers_from: datetime | None  # UTC


class NewsSource(Protocol):
    name: str

    async def headlines(self, symbol: str, start: datetime, end: datetime) -> list[Headline]:
        """Headlines about `symbol` published in [start, end], oldest first."""
        ...

    async def fetch(self, symbol: str, start: datetime, end: datetime) -> FetchedNews:
        """`headlines` with the depth the source actually covered."""
        ...


def get_news_source(
    settings: Settings, http_client: httpx.AsyncClient | None = None
) -> NewsSource | None:
    """The configured news source, or None for `NEWS_SOURCE=none`.

    Refinitiv without credentials raises `DataSourceNotConfigured` (422).
    """
    # The sources import `Headline` from here, so they are imported when chosen.
    if settings.news_source == "file":
        from app.services.news.file import FileNewsSource

        return FileNewsSource(settings.data_dir)
    if settings.news_source == "refinitiv":
        from app.services.news.refinitiv import RefinitivNewsClient, RefinitivNewsSource

        return RefinitivNewsSource(
            RefinitivNewsClient.from_settings(settings, http_client=http_client)
        )
    return None
