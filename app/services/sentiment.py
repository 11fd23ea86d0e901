"""News sentiment as a feature: VADER scores per headline, a daily score per bar.

VADER was built for social media and misreads market language ("shares" is positive,
"plunge" unknown to it), hence `FINANCE_LEXICON` and `NEUTRAL_WORDS`. A bar sees only
headlines published in the 24 hours before its timestamp (its start): news at time t
reaches only bars that start strictly after t, so there is no look-ahead at any
frequency. For users: docs/FEATURES.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache

import polars as pl
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from app.core.clock import DEFAULT_TIMEZONE
from app.services.news import Headline, NewsSource

SENTIMENT_COLUMN = "sentiment"
DEFAULT_WINDOW = timedelta(days=1)
NO_NEWS_SOURCE_WARNING = (
    "Sentiment was requested but no news source is configured (NEWS_SOURCE=none), "
    "so the sentiment score is absent."
)

FINANCE_LEXICON: dict[str, float] = {
    # up
    "beat": 1.5,
    "beats": 1.5,
    "surge": 2.0,
    "surges": 2.0,
    "surged": 2.0,
    "soar": 2.2,
    "soars": 2.2,
    "soared": 2.2,
    "jump": 1.5,
    "jumps": 1.5,
    "jumped": 1.5,
    "rally": 1.8,
    "rallies": 1.8,
    "rallied": 1.8,
    "rise": 1.0,
    "rises": 1.0,
    "rose": 1.0,
    "climb": 1.2,
    "climbs": 1.2,
    "climbed": 1.2,
    "upgrade": 1.8,
    "upgrades": 1.8,
    "upgraded": 1.8,
    "outperform": 1.5,
    "outperforms": 1.5,
    "bullish": 2.0,
    "exceeds": 1.5,
    "exceeded": 1.5,
    "buyback": 1.0,
    # down
    "fall": -1.5,
    "falls": -1.5,
    "fell": -1.5,
    "drop": -1.5,
    "drops": -1.5,
    "dropped": -1.5,
    "plunge": -2.5,
    "plunges": -2.5,
    "plunged": -2.5,
    "tumble": -2.2,
    "tumbles": -2.2,
    "tumbled": -2.2,
    "slump": -2.2,
    "slumps": -2.2,
    "slumped": -2.2,
    "sink": -1.8,
    "sinks": -1.8,
    "sank": -1.8,
    "slide": -1.5,
    "slides": -1.5,
    "decline": -1.5,
    "declines": -1.5,
    "declined": -1.5,
    "downgrade": -1.8,
    "downgrades": -1.8,
    "downgraded": -1.8,
    "underperform": -1.5,
    "bearish": -2.0,
    "bankruptcy": -3.0,
    "default": -2.0,
    "layoffs": -2.0,
    "recall": -1.5,
    "probe": -1.2,
    "selloff": -2.0,
}
NEUTRAL_WORDS: tuple[str, ...] = ("share", "shares")


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(FINANCE_LEXICON)
    for word in NEUTRAL_WORDS:
        analyzer.lexicon.pop(word, None)
    return analyzer


def score_headline(text: str) -> float:
    """VADER's compound score of one headline, in [-1, 1]."""
    return float(_analyzer().polarity_scores(text)["compound"])


def score_headlines(headlines: Sequence[Headline]) -> pl.DataFrame:
    """`published_at` (UTC), `headline`, `compound`, sorted by publication time."""
    return pl.DataFrame(
        {
            "published_at": [h.published_at for h in headlines],
            "headline": [h.headline for h in headlines],
            "compound": [score_headline(h.headline) for h in headlines],
        },
        schema={
            "published_at": pl.Datetime("us", "UTC"),
            "headline": pl.String,
            "compound": pl.Float64,
        },
    ).sort("published_at")


def daily_sentiment(scored: pl.DataFrame) -> pl.DataFrame:
    """Mean score and headline count per New York calendar day (for display)."""
    return (
        scored.group_by(
            pl.col("published_at").dt.convert_time_zone(DEFAULT_TIMEZONE).dt.date().alias("date")
        )
        .agg(pl.col("compound").mean().alias(SENTIMENT_COLUMN), pl.len().alias("headlines"))
        .sort("date")
    )


def join_sentiment(
    bars: pl.DataFrame, scored: pl.DataFrame, *, window: timedelta = DEFAULT_WINDOW
) -> pl.DataFrame:
    """`bars` plus `sentiment`: the mean score of headlines published in
    [timestamp - window, timestamp), 0.0 when there were none.

    Two as-of joins on running sums (strictly before each bound) give every bar's
    window without a loop over bars.
    """
    if scored.is_empty():
        return bars.with_columns(pl.lit(0.0).alias(SENTIMENT_COLUMN))
    running = scored.sort("published_at").select(
        pl.col("published_at"),
        pl.col("compound").cum_sum().alias("_score_sum"),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("_count"),
    )
    keys = bars.select(
        pl.int_range(pl.len()).alias("_row"),
        pl.col("timestamp").alias("_until"),
        (pl.col("timestamp") - window).alias("_since"),
    )
    upto = _sums_before(keys.sort("_until"), running, "_until")
    before = _sums_before(keys.sort("_since"), running, "_since")
    window_sums = upto.join(before, on="_row", suffix="_before").sort("_row")
    count = pl.col("_count") - pl.col("_count_before")
    score = (
        pl.when(count > 0)
        .then((pl.col("_score_sum") - pl.col("_score_sum_before")) / count)
        .otherwise(0.0)
        .alias(SENTIMENT_COLUMN)
    )
    return bars.with_columns(window_sums.select(score).to_series())


def _sums_before(keys: pl.DataFrame, running: pl.DataFrame, key: str) -> pl.DataFrame:
    """Running sums over headlines published strictly before each row's `key`."""
    joined = keys.join_asof(
        running,
        left_on=key,
        right_on="published_at",
        strategy="backward",
        allow_exact_matches=False,
    )
    return joined.select(
        "_row",
        pl.col("_score_sum").fill_null(0.0),
        pl.col("_count").fill_null(0),
    )


async def add_sentiment(
    bars: pl.DataFrame,
    symbol: str,
    news_source: NewsSource | None,
    *,
    window: timedelta = DEFAULT_WINDOW,
) -> tuple[pl.DataFrame, list[str]]:
    """`bars` with the sentiment column, and warnings for the response.

    No source: the bars unchanged (no column) and `NO_NEWS_SOURCE_WARNING`.
    """
    if news_source is None:
        return bars, [NO_NEWS_SOURCE_WARNING]
    if bars.is_empty():
        return bars.with_columns(pl.lit(None, dtype=pl.Float64).alias(SENTIMENT_COLUMN)), []
    first: datetime = bars["timestamp"].min()  # type: ignore[assignment]
    last: datetime = bars["timestamp"].max()  # type: ignore[assignment]
    headlines = await news_source.headlines(symbol, first - window, last)
    warnings = []
    if not headlines:
        warnings.append(
            f"No headlines about {symbol} were found from {first - window:%Y-%m-%d} to "
            f"{last:%Y-%m-%d} in the {news_source.name} news source; the sentiment score "
            "is 0 (neutral) throughout."
        )
    return join_sentiment(bars, score_headlines(headlines), window=window), warnings
