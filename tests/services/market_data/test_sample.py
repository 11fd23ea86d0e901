"""Real daily bars from the bokeh-sampledata package (a default dependency)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from app.services.market_data.base import MarketDataError

pytest.importorskip(
    "bokeh_sampledata",
    reason="bokeh-sampledata, a default dependency, is not installed",
)

from app.services.market_data.sample import SampleProvider, sample_bars


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_daily_bars_are_split_adjusted_real_prices() -> None:
    bars = sample_bars("AAPL", "1d", utc(2005, 2, 1), utc(2005, 3, 31))
    assert bars.height > 30
    # AAPL split 2-for-1 on 2005-02-28: adjusted prices show no -50 % day
    returns = np.diff(np.log(bars["close"].to_numpy()))
    assert np.abs(returns).max() < 0.1
    ok = (bars["high"] >= bars["close"]) & (bars["low"] <= bars["open"])
    assert ok.all()


async def test_provider_and_its_limits() -> None:
    provider = SampleProvider()
    bars = await provider.fetch_bars("msft", "1d", utc(2012, 1, 1), utc(2012, 12, 31))
    assert bars.height == 250
    with pytest.raises(MarketDataError, match="daily"):
        await provider.fetch_bars("MSFT", "1h", utc(2012, 1, 1), utc(2012, 12, 31))
    with pytest.raises(MarketDataError, match="AAPL, IBM, MSFT, GOOG, FB"):
        await provider.fetch_bars("TSLA", "1d", utc(2012, 1, 1), utc(2012, 12, 31))
