"""News sources: the JSONL file provider, the Refinitiv adapter and the selection."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import polars as pl
import pytest

from app.config import Settings
from app.services.market_data.base import DataSourceNotConfigured, MarketDataError
from app.services.market_data.refinitiv import (
    RefinitivClient,
    RefinitivCredentials,
    RetryPolicy,
)
from app.services.news import get_news_source
from app.services.news.file import FileNewsSource
from app.services.news.refinitiv import RefinitivNewsClient, RefinitivNewsSource

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "refinitiv"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def write_news(data_dir: Path, symbol: str, lines: list[str]) -> None:
    (data_dir / "news").mkdir(parents=True, exist_ok=True)
    (data_dir / "news" / f"{symbol}.jsonl").write_text("\n".join(lines) + "\n")


async def test_file_source_reads_filters_and_sorts(tmp_path: Path) -> None:
    write_news(
        tmp_path,
        "AAPL",
        [
            json.dumps({"published_at": "2024-01-03T13:05:00Z", "headline": "Later story"}),
            "",
            json.dumps({"published_at": "2024-01-02 09:00:00", "headline": " Naive means UTC "}),
            json.dumps(
                {
                    "published_at": "2024-01-02T10:00:00-05:00",
                    "headline": "With offset",
                    "story_id": 7,
                }
            ),
            json.dumps({"published_at": "2023-12-01T00:00:00Z", "headline": "Too early"}),
        ],
    )
    found = await FileNewsSource(tmp_path).headlines("aapl", utc(2024, 1, 1), utc(2024, 1, 31))
    assert [(h.published_at, h.headline) for h in found] == [
        (utc(2024, 1, 2, 9), "Naive means UTC"),
        (utc(2024, 1, 2, 15), "With offset"),
        (utc(2024, 1, 3, 13, 5), "Later story"),
    ]
    assert found[1].story_id == "7"


async def test_file_source_without_a_file_has_no_news(tmp_path: Path) -> None:
    assert await FileNewsSource(tmp_path).headlines("MSFT", utc(2024, 1, 1), utc(2024, 2, 1)) == []


@pytest.mark.parametrize(
    "bad",
    [
        '{"headline": "no time"}',
        "not json",
        '{"published_at": "yesterday", "headline": "x"}',
        '{"published_at": "2024-01-02T00:00:00Z", "headline": "  "}',
    ],
)
async def test_file_source_names_the_bad_line(tmp_path: Path, bad: str) -> None:
    write_news(
        tmp_path, "AAPL", [json.dumps({"published_at": "2024-01-02", "headline": "ok"}), bad]
    )
    with pytest.raises(MarketDataError, match=r"news/AAPL\.jsonl line 2"):
        await FileNewsSource(tmp_path).headlines("AAPL", utc(2024, 1, 1), utc(2024, 2, 1))


async def test_refinitiv_adapter_converts_headlines() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/auth/"):
            return httpx.Response(200, json=json.loads((FIXTURES / "token_v2.json").read_text()))
        name = "news_page2.json" if "cursor" in request.url.params else "news_page1.json"
        return httpx.Response(200, json=json.loads((FIXTURES / name).read_text()))

    client = RefinitivClient(
        RefinitivCredentials("client_credentials", "id", client_secret="secret"),
        "https://refinitiv.test",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        retry=RetryPolicy(max_retries=0),
    )
    source = RefinitivNewsSource(RefinitivNewsClient(client))
    found = await source.headlines("AAPL", utc(2024, 1, 1), utc(2024, 1, 4))
    assert len(found) == 3 and found[-1].headline == "Apple shares slump after analyst downgrade"
    assert all(h.published_at.tzinfo is not None for h in found)


def test_selection_by_settings(tmp_path: Path) -> None:
    assert get_news_source(Settings(_env_file=None, news_source="none")) is None
    source = get_news_source(Settings(_env_file=None, news_source="file", data_dir=tmp_path))
    assert isinstance(source, FileNewsSource) and source.data_dir == tmp_path
    configured = Settings(
        _env_file=None,
        news_source="refinitiv",
        refinitiv_client_id="id",
        refinitiv_client_secret="secret",
    )
    assert isinstance(get_news_source(configured), RefinitivNewsSource)
    bare = Settings(
        _env_file=None,
        news_source="refinitiv",
        refinitiv_app_key=None,
        refinitiv_username=None,
        refinitiv_password=None,
        refinitiv_client_id=None,
        refinitiv_client_secret=None,
    )
    with pytest.raises(DataSourceNotConfigured, match="refinitiv is not configured"):
        get_news_source(bare)


async def test_a_date_alone_is_the_end_of_that_utc_day(tmp_path: Path) -> None:
    """Read as midnight, a story dated 2024-01-02 would reach that day's 14:30 bar
    although it may have come out in the evening; at 23:59:59 UTC it reaches no bar of
    that date (US, London or Tokyo) and still the next day's daily bar (00:00 UTC)."""
    from app.services.sentiment import SENTIMENT_COLUMN, add_sentiment

    write_news(
        tmp_path,
        "AAPL",
        [
            json.dumps({"published_at": "2023-12-01T00:00:00Z", "headline": "Old story"}),
            json.dumps({"published_at": "2024-01-02", "headline": "Apple shares soar"}),
        ],
    )
    found = await FileNewsSource(tmp_path).headlines("AAPL", utc(2024, 1, 1), utc(2024, 1, 31))
    assert [h.published_at for h in found] == [utc(2024, 1, 2, 23, 59, 59)]
    intraday = [utc(2024, 1, 2, 14, 30), utc(2024, 1, 2, 20, 30), utc(2024, 1, 3, 14, 30)]
    daily = [utc(2024, 1, 2), utc(2024, 1, 3)]
    for stamps, expected in ((intraday, [False, False, True]), (daily, [False, True])):
        bars = pl.DataFrame({"timestamp": stamps, "close": [1.0] * len(stamps)}).with_columns(
            pl.col("timestamp").cast(pl.Datetime("us", "UTC"))
        )
        out, _ = await add_sentiment(bars, "AAPL", FileNewsSource(tmp_path))
        assert [v > 0.3 for v in out[SENTIMENT_COLUMN]] == expected


async def test_file_coverage_starts_at_its_first_item(tmp_path: Path) -> None:
    write_news(
        tmp_path,
        "AAPL",
        [
            json.dumps({"published_at": "2024-01-10T09:00:00Z", "headline": "Second"}),
            json.dumps({"published_at": "2024-01-05T09:00:00Z", "headline": "First"}),
        ],
    )
    source = FileNewsSource(tmp_path)
    late = await source.fetch("AAPL", utc(2024, 1, 1), utc(2024, 1, 31))
    assert late.covers_from == utc(2024, 1, 5, 9) and len(late.headlines) == 2
    inside = await source.fetch("AAPL", utc(2024, 1, 6), utc(2024, 1, 31))
    assert inside.covers_from == utc(2024, 1, 6)  # the file reaches back past the start
    assert [h.headline for h in inside.headlines] == ["Second"]
    assert (await source.fetch("MSFT", utc(2024, 1, 1), utc(2024, 1, 31))).covers_from is None
    write_news(tmp_path, "IBM", [""])
    assert (await source.fetch("IBM", utc(2024, 1, 1), utc(2024, 1, 31))).covers_from is None
