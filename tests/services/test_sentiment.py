"""Sentiment: sensible scores on finance headlines and no look-ahead in the join."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from app.services.news import Headline
from app.services.news.file import FileNewsSource
from app.services.sentiment import (
    COVERAGE_COLUMN,
    NO_NEWS_SOURCE_WARNING,
    SENTIMENT_COLUMN,
    add_sentiment,
    coverage_share,
    daily_sentiment,
    join_sentiment,
    mark_coverage,
    score_headline,
    score_headlines,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def half_hour_bars(first: datetime, count: int) -> pl.DataFrame:
    stamps = [first + timedelta(minutes=30 * i) for i in range(count)]
    return pl.DataFrame({"timestamp": stamps, "close": np.linspace(100, 101, count)}).with_columns(
        pl.col("timestamp").cast(pl.Datetime("us", "UTC"))
    )


@pytest.mark.parametrize(
    "headline",
    [
        "Apple beats earnings expectations as iPhone sales surge",
        "Microsoft shares jump to record high after upbeat cloud forecast",
        "Analysts upgrade Nvidia, citing strong growth in data-center demand",
    ],
)
def test_clearly_positive_headlines_score_positive(headline: str) -> None:
    assert score_headline(headline) > 0.3


@pytest.mark.parametrize(
    "headline",
    [
        "Apple shares plunge after profit warning and weak guidance",
        "Tesla stock tumbles as deliveries miss estimates",
        "Shares fall after downgrade",  # plain VADER scores this +0.30 ("shares" as sharing)
        "Retailer files for bankruptcy amid fraud probe",
    ],
)
def test_clearly_negative_headlines_score_negative(headline: str) -> None:
    assert score_headline(headline) < -0.3


def test_neutral_headline_is_near_zero() -> None:
    assert abs(score_headline("Apple to hold annual shareholder meeting in February")) < 0.3


def test_news_affects_only_bars_strictly_after_publication() -> None:
    bars = half_hour_bars(utc(2024, 1, 2, 14, 30), 60)
    scored = score_headlines(
        [
            Headline(utc(2024, 1, 2, 15, 0), "Apple beats earnings as sales surge"),
            Headline(utc(2024, 1, 2, 16, 10), "Apple shares plunge after profit warning"),
        ]
    )
    out = join_sentiment(bars, scored)
    by_time = dict(zip(out["timestamp"].to_list(), out[SENTIMENT_COLUMN].to_list(), strict=True))
    positive, negative = scored["compound"].to_list()
    assert by_time[utc(2024, 1, 2, 14, 30)] == 0.0
    assert by_time[utc(2024, 1, 2, 15, 0)] == 0.0  # published at the bar's start: not yet
    assert by_time[utc(2024, 1, 2, 15, 30)] == positive
    assert by_time[utc(2024, 1, 2, 16, 0)] == positive  # 16:10 is after this bar started
    assert by_time[utc(2024, 1, 2, 16, 30)] == pytest.approx((positive + negative) / 2)
    # the daily window: a headline stops counting 24 h after publication
    assert by_time[utc(2024, 1, 3, 15, 0)] == pytest.approx((positive + negative) / 2)
    assert by_time[utc(2024, 1, 3, 15, 30)] == pytest.approx(negative)
    assert by_time[utc(2024, 1, 3, 16, 30)] == 0.0


@hypothesis_settings(max_examples=50, deadline=None)
@given(
    minutes=st.lists(st.integers(0, 3 * 24 * 60), min_size=1, max_size=30),
    scores=st.lists(st.floats(-1, 1), min_size=30, max_size=30),
)
def test_join_never_looks_ahead(minutes: list[int], scores: list[float]) -> None:
    start = utc(2024, 1, 2)
    bars = half_hour_bars(start, 3 * 48)
    scored = (
        pl.DataFrame(
            {
                "published_at": [start + timedelta(minutes=m) for m in minutes],
                "headline": ["h"] * len(minutes),
                "compound": scores[: len(minutes)],
            }
        )
        .with_columns(pl.col("published_at").cast(pl.Datetime("us", "UTC")))
        .sort("published_at")
    )
    out = join_sentiment(bars, scored)
    for stamp, value in zip(out["timestamp"], out[SENTIMENT_COLUMN], strict=True):
        seen = scored.filter(
            (pl.col("published_at") < stamp) & (pl.col("published_at") >= stamp - timedelta(days=1))
        )
        expected = seen["compound"].mean() if seen.height else 0.0
        assert value == pytest.approx(expected, abs=1e-12)


async def test_without_a_news_source_the_column_is_absent_with_a_warning() -> None:
    bars = half_hour_bars(utc(2024, 1, 2, 14, 30), 4)
    out, warnings = await add_sentiment(bars, "AAPL", None)
    assert SENTIMENT_COLUMN not in out.columns and COVERAGE_COLUMN not in out.columns
    assert warnings == [NO_NEWS_SOURCE_WARNING]
    assert "no news source is configured" in NO_NEWS_SOURCE_WARNING


async def test_with_a_file_source(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "AAPL.jsonl").write_text(
        '{"published_at": "2023-06-01", "headline": "Apple to hold meeting"}\n'
        '{"published_at": "2024-01-02T15:05:00Z", '
        '"headline": "Apple shares soar on record sales"}\n'
    )
    bars = half_hour_bars(utc(2024, 1, 2, 14, 30), 6)
    out, warnings = await add_sentiment(bars, "AAPL", FileNewsSource(tmp_path))
    assert warnings == []  # the file starts long before: every bar is covered
    values = out[SENTIMENT_COLUMN].to_list()
    # bars start 14:30, 15:00, 15:30, ...: the 15:05 story first reaches the 15:30 bar
    assert values[:2] == [0.0, 0.0] and all(v > 0.3 for v in values[2:])
    assert out[COVERAGE_COLUMN].to_list() == [1.0] * 6
    # No file: nothing is known about MSFT, so no bar passes for a day without news.
    quiet, warnings = await add_sentiment(bars, "MSFT", FileNewsSource(tmp_path))
    assert quiet[SENTIMENT_COLUMN].to_list() == [0.0] * 6
    assert quiet[COVERAGE_COLUMN].to_list() == [0.0] * 6
    assert warnings == [
        "The file news source has no news about MSFT: none of the bars has a sentiment "
        "score; they are all marked as without news."
    ]


async def test_a_file_that_starts_late_covers_from_its_first_item(tmp_path: Path) -> None:
    """News covering only the last tenth of the period: the earlier bars are flagged
    as without news (not passed off as neutral days), and the warning says how much."""
    bars = half_hour_bars(utc(2024, 1, 1), 20 * 48)  # 20 days
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "AAPL.jsonl").write_text(
        "".join(
            f'{{"published_at": "2024-01-{day:02d}T12:00:00Z", "headline": "Apple shares '
            f'surge on record sales"}}\n'
            for day in (18, 19, 20)
        )
    )
    out, warnings = await add_sentiment(bars, "AAPL", FileNewsSource(tmp_path), coverage_of="X")
    covered = out.filter(pl.col(COVERAGE_COLUMN) == 1.0)
    # a bar is covered once its whole 24-hour window is past the first story
    assert covered["timestamp"][0] == utc(2024, 1, 19, 12)
    assert out.filter(pl.col("timestamp") < utc(2024, 1, 19, 12))[COVERAGE_COLUMN].sum() == 0
    before = out.filter(pl.col(COVERAGE_COLUMN) == 0.0)
    assert before[SENTIMENT_COLUMN].to_list() == [0.0] * before.height
    # not even the bars whose window holds part of the news: they may miss stories
    assert out.filter(pl.col("timestamp") == utc(2024, 1, 19, 0))[SENTIMENT_COLUMN].item() == 0
    assert covered[SENTIMENT_COLUMN].max() > 0.3  # type: ignore[operator]
    share = coverage_share(out)
    assert share == pytest.approx(covered.height / out.height) and 0.05 < share < 0.1
    assert warnings == [
        "News about AAPL (file) covers 2024-01-18 12:00 UTC onwards: 8 % of the X; "
        "earlier bars are marked as without news."
    ]
    # What a model reads: only the last bars, all covered here, so nothing to say.
    _, warnings = await add_sentiment(bars, "AAPL", FileNewsSource(tmp_path), tail=20)
    assert warnings == []


def test_coverage_marks_whole_windows_only() -> None:
    bars = join_sentiment(half_hour_bars(utc(2024, 1, 2), 4), score_headlines([]))
    marked = mark_coverage(bars, utc(2024, 1, 1, 0, 30))
    assert marked[COVERAGE_COLUMN].to_list() == [0.0, 1.0, 1.0, 1.0]
    assert mark_coverage(bars, None)[COVERAGE_COLUMN].to_list() == [0.0] * 4
    assert coverage_share(bars) is None  # before marking there is no flag


def test_daily_aggregation_by_new_york_day() -> None:
    scored = score_headlines(
        [
            Headline(utc(2024, 1, 2, 15), "Apple beats estimates"),
            Headline(utc(2024, 1, 3, 2), "Apple shares plunge"),  # 21:00 on Jan 2 in New York
            Headline(utc(2024, 1, 3, 15), "Apple to hold meeting"),
        ]
    )
    daily = daily_sentiment(scored)
    assert daily["date"].to_list() == [datetime(2024, 1, 2).date(), datetime(2024, 1, 3).date()]
    assert daily["headlines"].to_list() == [2, 1]
