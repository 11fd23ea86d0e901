"""Real daily bars for AAPL, IBM, MSFT, GOOG and FB (up to 2013-03-01), offline.

From the public-domain series in the `bokeh-sampledata` package (a default dependency,
in the Docker image too), so a new user can train on real prices without a vendor
account. Prices are scaled by `adj_close / close` and volume by the inverse: otherwise
a split (AAPL's 2-for-1 of 2005) would be a -50 % day a model would try to learn.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
from datetime import datetime
from functools import lru_cache

import polars as pl

from app.services.market_data.base import (
    MarketDataError,
    check_range,
    empty_bars,
    finalize_bars,
    normalize_symbol,
    not_configured,
)
from app.services.market_data.frequency import get_frequency

SAMPLE_SYMBOLS: tuple[str, ...] = ("AAPL", "IBM", "MSFT", "GOOG", "FB")


def ensure_sample_available() -> None:
    if importlib.util.find_spec("bokeh_sampledata") is None:
        raise not_configured(
            "the sample data source needs the package bokeh-sampledata, a default "
            "dependency that is missing from this installation: reinstall the platform "
            "(pip install .) or install it alone (pip install bokeh-sampledata)"
        )


class SampleProvider:
    name = "sample"

    async def fetch_bars(
        self, symbol: str, frequency: str, start: datetime, end: datetime
    ) -> pl.DataFrame:
        return await asyncio.to_thread(sample_bars, symbol, frequency, start, end)


def sample_bars(symbol: str, frequency: str, start: datetime, end: datetime) -> pl.DataFrame:
    freq = get_frequency(frequency)
    start_utc, end_utc = check_range(start, end)
    ticker = normalize_symbol(symbol)
    if freq.name != "1d":
        raise MarketDataError(f"the sample data source has daily (1d) bars only, not {freq.name}")
    if ticker not in SAMPLE_SYMBOLS:
        raise MarketDataError(
            f"the sample data source has no {ticker}; it has {', '.join(SAMPLE_SYMBOLS)}"
        )
    frame = _adjusted_daily(ticker)
    return finalize_bars(frame, start_utc, end_utc) if frame.height else empty_bars()


@lru_cache(maxsize=len(SAMPLE_SYMBOLS))
def _adjusted_daily(ticker: str) -> pl.DataFrame:
    ensure_sample_available()
    stocks = importlib.import_module("bokeh_sampledata.stocks")
    series = getattr(stocks, ticker)
    raw = pl.DataFrame(
        {
            "date": series["date"],
            "open": series["open"],
            "high": series["high"],
            "low": series["low"],
            "close": series["close"],
            "volume": [float(v) for v in series["volume"]],
            "adj_close": series["adj_close"],
        }
    )
    factor = pl.col("adj_close") / pl.col("close")
    return raw.select(
        pl.col("date")
        .str.to_date("%Y-%m-%d")
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC")
        .alias("timestamp"),
        *[(pl.col(name) * factor).alias(name) for name in ("open", "high", "low", "close")],
        (pl.col("volume") / factor).alias("volume"),
    )
