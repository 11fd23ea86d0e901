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


# -- request parameters -----------------------------------------------------------------------

EQUITY_ADJUSTMENTS = "exchangeCorrection,manualCorrection,CCH,CRE,RTS,RPO"


async def test_equity_requests_carry_the_label_and_adjustments_explicitly() -> None:
    vendor = Vendor(daily_pages)
    await fetch_daily(vendor)
    for call in vendor.data_requests():  # every page, not just the first
        params = call.url.params
        assert params["summaryTimestampLabel"] == "endPeriod"
        assert params["adjustments"] == EQUITY_ADJUSTMENTS


async def test_intraday_requests_carry_the_label_the_bars_are_shifted_by() -> None:
    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        return httpx.Response(200, json=fixture("intraday_empty.json"))

    vendor = Vendor(answer)
    provider = RefinitivProvider(make(vendor))
    await provider.fetch_bars("AAPL", "5min", utc(2024, 1, 2, 14, 30), utc(2024, 1, 2, 15))
    params = vendor.data_requests()[0].url.params
    assert params["summaryTimestampLabel"] == "endPeriod"
    assert params["adjustments"] == EQUITY_ADJUSTMENTS
    assert params["fields"] == "OPEN_PRC,HIGH_1,LOW_1,TRDPRC_1,ACVOL_UNS"


# -- currency pairs: bid/ask quotes, mid-price bars ----------------------------------------------


@pytest.mark.parametrize("symbol", ["EUR=", "EURUSD", "EUR/USD"])
async def test_fx_interday_asks_for_bid_and_ask_and_gives_mid_bars(symbol: str) -> None:
    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        return httpx.Response(200, json=fixture("interday_fx_eur.json"))

    vendor = Vendor(answer)
    provider = RefinitivProvider(make(vendor))
    bars = await provider.fetch_bars(symbol, "1d", utc(2024, 1, 2), utc(2024, 1, 5))
    (call,) = vendor.data_requests()  # the oldest row (2024-01-01) reached the start
    assert call.url.path == "/data/historical-pricing/v1/views/interday-summaries/EUR="
    assert call.url.raw_path.startswith(
        b"/data/historical-pricing/v1/views/interday-summaries/EUR%3D?"
    )
    params = call.url.params
    assert params["fields"] == (
        "OPEN_BID,BID_HIGH_1,BID_LOW_1,BID,OPEN_ASK,ASK_HIGH_1,ASK_LOW_1,ASK"
    )
    assert "TRDPRC_1" not in params["fields"] and "ACVOL_UNS" not in params["fields"]
    assert params["summaryTimestampLabel"] == "endPeriod"
    # a pair has no corporate actions: only quote corrections
    assert params["adjustments"] == "exchangeCorrection,manualCorrection"

    assert bars.schema == pl.Schema(BAR_SCHEMA)
    assert bars["timestamp"].to_list() == [utc(2024, 1, d) for d in (2, 3, 4, 5)]
    # the holiday row without quotes is dropped; prices are the mid of bid and ask
    first = bars.row(0, named=True)
    assert first["open"] == pytest.approx((1.1037 + 1.1040) / 2)
    assert first["high"] == pytest.approx((1.1045 + 1.1048) / 2)
    assert first["low"] == pytest.approx((1.0937 + 1.0940) / 2)
    assert first["close"] == pytest.approx((1.0939 + 1.0942) / 2)
    assert bars["volume"].to_list() == [0.0] * 4  # quotes carry no traded volume
    assert (bars["high"] >= bars[["open", "close"]].max_horizontal()).all()
    assert (bars["low"] <= bars[["open", "close"]].min_horizontal()).all()


async def test_fx_row_without_ask_quotes_uses_the_bid_side() -> None:
    body = copy.deepcopy(fixture("interday_fx_eur.json"))
    headers = [h["name"] for h in body[0]["headers"]]
    newest = body[0]["data"][0]
    newest[headers.index("ASK")] = None

    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        return httpx.Response(200, json=body)

    provider = RefinitivProvider(make(Vendor(answer)))
    bars = await provider.fetch_bars("EUR=", "1d", utc(2024, 1, 5), utc(2024, 1, 5))
    assert bars.row(0)[1:] == (1.0946, 1.0998, 1.0877, 1.0940, 0.0)


async def test_fx_answer_without_bid_fields_says_so() -> None:
    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        return httpx.Response(200, json=fixture("interday_page1.json"))  # trade fields

    with pytest.raises(MarketDataError) as caught:
        await fetch_daily(Vendor(answer), 8, symbol="JPY=")
    message = caught.value.message
    assert "OPEN_BID" in message and "JPY=" in message and "currency pair" in message


# -- malformed answers become MarketDataError with the vendor's words ---------------------------


async def test_error_element_in_a_200_list_is_a_market_data_error() -> None:
    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        return httpx.Response(200, json=fixture("error_element.json"))

    with pytest.raises(MarketDataError) as caught:
        await fetch_daily(Vendor(answer), 8, symbol="EUR=")
    message = caught.value.message
    assert "EUR=" in message
    assert "The user does not have permission for the requested data." in message
    assert "TS.Interday.UserRequestError.70009" in message


async def test_error_element_given_as_text_is_reported_too() -> None:
    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        return httpx.Response(200, json=[{"universe": {"ric": "AAPL.O"}, "error": "Timeout"}])

    with pytest.raises(MarketDataError, match=r"refinitiv: AAPL\.O: Timeout"):
        await fetch_daily(Vendor(answer), 8)


async def test_error_object_in_a_200_answer_is_reported_with_its_message() -> None:
    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        return httpx.Response(200, json=fixture("error_400.json"))

    with pytest.raises(MarketDataError) as caught:
        await fetch_daily(Vendor(answer), 8)
    assert "Validation error: 'interval' must be one of" in caught.value.message
    assert "(code 400)" in caught.value.message


@pytest.mark.parametrize("stamp", ["2024-13-45", "yesterday", "2024-01-12 16:00", None, 20240112])
async def test_unreadable_row_timestamp_is_a_market_data_error(stamp: Any) -> None:
    body = copy.deepcopy(fixture("interday_page1.json"))
    body[0]["data"][2][0] = stamp

    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        return httpx.Response(200, json=body)

    with pytest.raises(MarketDataError) as caught:
        await fetch_daily(Vendor(answer), 8)
    assert "unreadable timestamp" in caught.value.message
    assert repr(stamp) in caught.value.message and "AAPL.O" in caught.value.message


async def test_row_too_short_for_its_timestamp_is_a_market_data_error() -> None:
    body = copy.deepcopy(fixture("intraday_1min.json"))
    body[0]["headers"].append(body[0]["headers"].pop(0))  # DATE_TIME last
    body[0]["data"] = [[187.4, 187.1, 187.2, 187.3]]

    @signed_in
    def answer(request: httpx.Request, vendor: Vendor) -> httpx.Response:
        return httpx.Response(200, json=body)

    provider = RefinitivProvider(make(Vendor(answer)))
    with pytest.raises(MarketDataError, match="unreadable timestamp None"):
        await provider.fetch_bars("AAPL", "1min", utc(2024, 1, 2, 14, 30), utc(2024, 1, 2, 15))
