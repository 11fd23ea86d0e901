"""Refinitiv bars: paging, mapping to our bar convention, resampling, instrument errors."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

import httpx
import polars as pl
import pytest

from app.services.market_data.base import BAR_SCHEMA, MarketDataError
from app.services.market_data.refinitiv import RefinitivProvider
from tests.services.market_data.refinitiv.vendor import (
    Vendor,
    daily_pages,
    fetch_daily,
    fixture,
    make,
    signed_in,
    utc,
)

# -- bars, paging and mapping -----------------------------------------------------------------


async def test_interday_paging_and_mapping() -> None:
    vendor = Vendor(daily_pages)
    bars = await fetch_daily(vendor)
    calls = vendor.data_requests()
    assert calls[0].url.path == "/data/historical-pricing/v1/views/interday-summaries/AAPL.O"
    first = calls[0].url.params
    assert (first["interval"], first["start"], first["end"], first["count"]) == (
        "P1D",
        "2024-01-02",
        "2024-01-12",
        "10000",
    )
    assert first["fields"] == "OPEN_PRC,HIGH_1,LOW_1,TRDPRC_1,ACVOL_UNS"
    # page 2 ends just before the oldest row of page 1 (2024-01-07, a volume-only row)
    assert calls[1].url.params["end"] == "2024-01-06"
    assert len(calls) == 2  # page 2 reached the start
    assert bars.schema == pl.Schema(BAR_SCHEMA)
    assert bars["timestamp"].to_list() == [
        utc(2024, 1, d) for d in (2, 3, 4, 5, 8, 9, 10, 11, 12)
    ]  # sorted, the row without prices dropped
    assert bars.row(0) == (utc(2024, 1, 2), 187.15, 188.44, 183.89, 185.64, 82488674.0)


async def test_intraday_stamps_are_shifted_to_bar_starts_and_paging_stops_on_empty() -> None:
    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        if len(vendor.data_requests()) == 1:
            return httpx.Response(200, json=fixture("intraday_1min.json"))
        return httpx.Response(200, json=fixture("intraday_empty.json"))

    vendor = Vendor(answer)
    provider = RefinitivProvider(make(vendor))
    bars = await provider.fetch_bars(
        "AAPL.O", "1min", utc(2024, 1, 2, 14, 30), utc(2024, 1, 2, 14, 34)
    )
    first, second = vendor.data_requests()
    assert first.url.path.endswith("/intraday-summaries/AAPL.O")
    assert first.url.params["interval"] == "PT1M"
    assert first.url.params["sessions"] == "normal"
    assert first.url.params["start"] == "2024-01-02T14:30:00.000000000Z"
    assert first.url.params["end"] == "2024-01-02T14:35:00.000000000Z"  # one bar further
    assert second.url.params["end"] == "2024-01-02T14:30:59.999999000Z"
    # endPeriod labels 14:31..14:35 are bars starting 14:30..14:34; 14:32 had no prices
    assert [t.strftime("%H:%M") for t in bars["timestamp"]] == ["14:30", "14:31", "14:33", "14:34"]
    assert bars.row(0)[1:] == (187.15, 187.70, 187.05, 187.30, 1006112.0)


def intraday_answer(interval: str, minutes: int, bars: int, label: str) -> Any:
    body = copy.deepcopy(fixture("intraday_1min.json"))
    element = body[0]
    element["interval"] = interval
    element["summaryTimestampLabel"] = label
    start = datetime(2024, 1, 2, 14, 30)
    rows = []
    for i in range(bars):
        stamp = start + timedelta(minutes=minutes * (i + 1 if label == "endPeriod" else i))
        price = 100.0 + i
        rows.append(
            [
                stamp.strftime("%Y-%m-%dT%H:%M:%S.000000000Z"),
                price + 0.5,
                price - 0.5,
                price,
                price + 0.25,
                1000 + i,
            ]
        )
    element["data"] = rows[::-1]  # newest first
    return body


@pytest.mark.parametrize(
    ("frequency", "interval", "minutes", "expected"),
    [
        ("15min", "PT5M", 5, ["14:30", "14:45", "15:00", "15:15"]),
        ("1h", "PT30M", 30, ["14:30", "15:30"]),
    ],
)
async def test_frequencies_the_vendor_lacks_are_resampled_on_the_session_grid(
    frequency: str, interval: str, minutes: int, expected: list[str]
) -> None:
    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        if len(vendor.data_requests()) > 1:
            return httpx.Response(200, json=fixture("intraday_empty.json"))
        return httpx.Response(
            200, json=intraday_answer(interval, minutes, 12 if minutes == 5 else 4, "startPeriod")
        )

    vendor = Vendor(answer)
    provider = RefinitivProvider(make(vendor))
    bars = await provider.fetch_bars(
        "AAPL", frequency, utc(2024, 1, 2, 14, 30), utc(2024, 1, 2, 16, 0)
    )
    assert vendor.data_requests()[0].url.params["interval"] == interval
    assert [t.strftime("%H:%M") for t in bars["timestamp"]] == expected
    first = bars.row(0, named=True)
    group = 3 if minutes == 5 else 2
    assert first["open"] == 100.0 and first["close"] == 100.0 + group - 1 + 0.25
    assert first["high"] == 100.0 + group - 1 + 0.5 and first["low"] == 99.5
    assert first["volume"] == sum(1000 + i for i in range(group))


async def test_unknown_instrument_element_says_which_ric_and_how_to_fix() -> None:
    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        return httpx.Response(200, json=fixture("universe_not_found.json"))

    with pytest.raises(MarketDataError) as caught:
        await fetch_daily(Vendor(answer), 8, symbol="NOPE")
    message = caught.value.message
    assert "NOPE.O: The universe is not found." in message
    assert "TS.Interday.UserRequestError.70005" in message and "full RIC" in message
