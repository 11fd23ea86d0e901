"""News sentiment as a feature: VADER scores per headline, a daily score per bar.

VADER was built for social media and misreads market language ("shares" is positive,
"plunge" unknown to it), hence `FINANCE_LEXICON` and `NEUTRAL_WORDS`. A bar sees only
headlines published in the 24 hours before its timestamp (its start): news at time t
reaches only bars that start strictly after t, so there is no look-ahead at any
frequency.

Sources do not reach back forever (a vendor's page limit, a file that starts late), and
a bar before the news was read is not a day without news. So the score always comes
with `COVERAGE_COLUMN`: 1.0 when the bar's whole window lies in what the source
covered, 0.0 before (the score is then 0.0 too). Training and /predict both go through
`add_sentiment`, so the pair is computed the same way on both sides. For users:
docs/FEATURES.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache

import polars as pl
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from app.core.calendars import TradingCalendar
from app.core.clock import DEFAULT_TIMEZONE
from app.services.news import Headline, NewsSource

SENTIMENT_COLUMN = "sentiment"
COVERAGE_COLUMN = "sentiment_coverage"  # 1.0: the source covered the bar's window
SENTIMENT_COLUMNS = (SENTIMENT_COLUMN, COVERAGE_COLUMN)
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


def daily_sentiment(
    scored: pl.DataFrame, *, calendar: TradingCalendar | None = None
) -> pl.DataFrame:
    """Mean score and headline count per calendar day of the exchange's zone (`calendar`:
    the instrument's, New York's by default), for display: a 07:00 UTC headline about
    `7203.T` is dated by Tokyo's day."""
    zone = calendar.zone_name if calendar is not None else DEFAULT_TIMEZONE
    return (
        scored.group_by(pl.col("published_at").dt.convert_time_zone(zone).dt.date().alias("date"))
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


def mark_coverage(
    bars: pl.DataFrame, covers_from: datetime | None, *, window: timedelta = DEFAULT_WINDOW
) -> pl.DataFrame:
    """`bars` (with the sentiment column) plus the coverage flag; uncovered bars' score
    is set to 0.0 so that every bar without news looks the same to the model.

    A bar is covered when its whole window [timestamp - window, timestamp) starts at or
    after `covers_from`: a window that straddles it may miss stories, and a partial
    mean would pass for a full one. `covers_from` None: nothing is covered.
    """
    if covers_from is None:
        covered = pl.lit(False)
    else:
        covered = (pl.col("timestamp") - window) >= pl.lit(covers_from).cast(
            pl.Datetime("us", "UTC")
        )
    return bars.with_columns(
        pl.when(covered).then(pl.col(SENTIMENT_COLUMN)).otherwise(0.0).alias(SENTIMENT_COLUMN),
        covered.cast(pl.Float64).alias(COVERAGE_COLUMN),
    )


def without_news(bars: pl.DataFrame) -> pl.DataFrame:
    """Both sentiment columns as for bars without news (/predict with no news source
    for a model trained with sentiment)."""
    return bars.with_columns(
        pl.lit(0.0).alias(SENTIMENT_COLUMN), pl.lit(0.0).alias(COVERAGE_COLUMN)
    )


def coverage_share(bars: pl.DataFrame) -> float | None:
    """The share of `bars` with news coverage; None without the flag or without bars."""
    if COVERAGE_COLUMN not in bars.columns or bars.is_empty():
        return None
    return float(bars[COVERAGE_COLUMN].mean())  # type: ignore[arg-type]


def coverage_note(
    bars: pl.DataFrame,
    symbol: str,
    source: str,
    covers_from: datetime | None,
    *,
    of: str = "bars",
) -> str | None:
    """What a trader should know when some of `bars` are without news; None when all
    are covered. `of` names the bars ("training period's bars", "bars this call reads")."""
    share = coverage_share(bars)
    if share is None or share >= 1.0:
        return None
    if covers_from is None:
        return (
            f"The {source} news source has no news about {symbol}: none of the {of} has a "
            "sentiment score; they are all marked as without news."
        )
    return (
        f"News about {symbol} ({source}) covers {_moment(covers_from)} onwards: "
        f"{_percent(share)} of the {of}; earlier bars are marked as without news."
    )


def _moment(moment: datetime) -> str:
    if moment.hour == moment.minute == moment.second == 0:
        return f"{moment:%Y-%m-%d}"
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _percent(share: float) -> str:
    if 0.0 < share < 0.01:
        return "under 1 %"
    return f"{share * 100:.0f} %"


async def add_sentiment(
    bars: pl.DataFrame,
    symbol: str,
    news_source: NewsSource | None,
    *,
    window: timedelta = DEFAULT_WINDOW,
    coverage_of: str = "bars",
    tail: int | None = None,
) -> tuple[pl.DataFrame, list[str]]:
    """`bars` with the sentiment and coverage columns, and warnings for the response.

    No source: the bars unchanged (no columns) and `NO_NEWS_SOURCE_WARNING`. When some
    bars predate the news the source covered, a warning says from when it covers and
    what share of the last `tail` bars (all bars by default: the ones a model reads)
    it reaches, naming them `coverage_of`.
    """
    if news_source is None:
        return bars, [NO_NEWS_SOURCE_WARNING]
    if bars.is_empty():
        return bars.with_columns(
            pl.lit(None, dtype=pl.Float64).alias(SENTIMENT_COLUMN),
            pl.lit(None, dtype=pl.Float64).alias(COVERAGE_COLUMN),
        ), []
    first: datetime = bars["timestamp"].min()  # type: ignore[assignment]
    last: datetime = bars["timestamp"].max()  # type: ignore[assignment]
    news = await news_source.fetch(symbol, first - window, last)
    joined = mark_coverage(
        join_sentiment(bars, score_headlines(news.headlines), window=window),
        news.covers_from,
        window=window,
    )
    warnings = []
    if not news.headlines and news.covers_from is not None:
        warnings.append(
            f"No headlines about {symbol} were found from {first - window:%Y-%m-%d} to "
            f"{last:%Y-%m-%d} in the {news_source.name} news source; the sentiment score "
            "is 0 (neutral) throughout."
        )
    described = joined if tail is None else joined.tail(tail)
    note = coverage_note(described, symbol, news_source.name, news.covers_from, of=coverage_of)
    if note:
        warnings.append(note)
    return joined, warnings
