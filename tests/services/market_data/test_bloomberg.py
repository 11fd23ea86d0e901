"""Bloomberg adapter: request building and response mapping through a fake session
returning messages in //blp/refdata's recorded shapes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import polars as pl
import pytest

from app.config import Settings
from app.services.market_data.base import (
    BAR_SCHEMA,
    DataSourceNotConfigured,
    MarketDataError,
)
from app.services.market_data.bloomberg import (
    BloombergProvider,
    ensure_bloomberg_configured,
    to_security,
)

ADJUSTMENT_FLAGS = (
    "adjustmentNormal",
    "adjustmentAbnormal",
    "adjustmentSplit",
    "adjustmentFollowDPDF",
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


class FakeSession:
    """Records each request and answers with canned messages."""

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self.messages = messages
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def request(self, service: str, operation: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.calls.append((service, operation, params))
        return self.messages


def historical_messages() -> list[dict[str, Any]]:
    # A PARTIAL_RESPONSE then the RESPONSE, as HistoricalDataRequest sends them.
    return [
        {
            "securityData": {
                "security": "IBM US Equity",
                "eidData": [],
                "sequenceNumber": 0,
                "fieldExceptions": [],
                "fieldData": [
                    {
                        "date": date(2024, 1, 2),
                        "PX_OPEN": 162.83,
                        "PX_HIGH": 163.29,
                        "PX_LOW": 160.79,
                        "PX_LAST": 161.50,
                        "PX_VOLUME": 3857013.0,
                    },
                    {
                        "date": date(2024, 1, 3),
                        "PX_OPEN": 160.93,
                        "PX_HIGH": 161.24,
                        "PX_LOW": 160.26,
                        "PX_LAST": 160.52,
                        "PX_VOLUME": 4087622.0,
                    },
                ],
            }
        },
        {
            "HistoricalDataResponse": {
                "securityData": {
                    "security": "IBM US Equity",
                    "eidData": [],
                    "sequenceNumber": 0,
                    "fieldExceptions": [],
                    "fieldData": [
                        {
                            "date": "2024-01-04",
                            "PX_OPEN": 160.0,
                            "PX_HIGH": 161.2,
                            "PX_LOW": 159.8,
                            "PX_LAST": 160.9,
                        },
                        {"date": "2024-01-05", "PX_VOLUME": 1000.0},
                    ],
                }
            }
        },
    ]


async def test_historical_request_and_mapping() -> None:
    session = FakeSession(historical_messages())
    bars = await BloombergProvider(session).fetch_bars(
        "ibm", "1d", utc(2024, 1, 2), utc(2024, 1, 5)
    )
    service, operation, params = session.calls[0]
    assert (service, operation) == ("//blp/refdata", "HistoricalDataRequest")
    assert params == {
        "securities": ["IBM US Equity"],
        "fields": ["PX_OPEN", "PX_HIGH", "PX_LOW", "PX_LAST", "PX_VOLUME"],
        "startDate": "20240102",
        "endDate": "20240105",
        "periodicitySelection": "DAILY",
        "periodicityAdjustment": "CALENDAR",
        # adjusted for splits and dividends whatever the terminal's defaults (DPDF)
        "adjustmentNormal": True,
        "adjustmentAbnormal": True,
        "adjustmentSplit": True,
        "adjustmentFollowDPDF": False,
    }
    assert bars.schema == pl.Schema(BAR_SCHEMA)
    assert bars["timestamp"].to_list() == [utc(2024, 1, d) for d in (2, 3, 4)]
    assert bars.row(0) == (utc(2024, 1, 2), 162.83, 163.29, 160.79, 161.50, 3857013.0)
    assert bars["volume"][2] == 0.0  # PX_VOLUME absent; the price-less day is dropped


async def test_weekly_bars_are_stamped_on_mondays() -> None:
    messages = [
        {
            "securityData": {
                "security": "IBM US Equity",
                "fieldExceptions": [],
                "fieldData": [
                    {
                        "date": "2024-01-12",
                        "PX_OPEN": 1.0,
                        "PX_HIGH": 2.0,
                        "PX_LOW": 0.5,
                        "PX_LAST": 1.5,
                        "PX_VOLUME": 10.0,
                    }
                ],
            }
        }
    ]
    session = FakeSession(messages)
    bars = await BloombergProvider(session).fetch_bars(
        "IBM", "1wk", utc(2024, 1, 1), utc(2024, 1, 31)
    )
    assert session.calls[0][2]["periodicitySelection"] == "WEEKLY"
    assert bars["timestamp"].to_list() == [utc(2024, 1, 8)]


def intraday_messages() -> list[dict[str, Any]]:
    ticks = [
        # pre-market trade: outside the regular session, dropped
        {
            "time": datetime(2024, 1, 2, 14, 0),
            "open": 185.0,
            "high": 185.2,
            "low": 184.9,
            "close": 185.1,
            "volume": 5000,
            "numEvents": 40,
            "value": 925000.0,
        },
        {
            "time": datetime(2024, 1, 2, 14, 30),
            "open": 187.15,
            "high": 187.70,
            "low": 187.05,
            "close": 187.30,
            "volume": 1006112,
            "numEvents": 9000,
            "value": 1.88e8,
        },
        {
            "time": "2024-01-02T14:35:00",
            "open": 187.30,
            "high": 187.60,
            "low": 187.20,
            "close": 187.45,
            "volume": 250111,
            "numEvents": 2100,
            "value": 4.68e7,
        },
    ]
    return [{"IntradayBarResponse": {"barData": {"eidData": [], "barTickData": ticks}}}]


async def test_intraday_request_and_mapping() -> None:
    session = FakeSession(intraday_messages())
    bars = await BloombergProvider(session).fetch_bars(
        "AAPL US Equity", "5min", utc(2024, 1, 2, 14), utc(2024, 1, 2, 15)
    )
    _, operation, params = session.calls[0]
    assert operation == "IntradayBarRequest"
    assert params["security"] == "AAPL US Equity"
    assert (params["eventType"], params["interval"]) == ("TRADE", 5)
    # GMT wall-clock times without a zone, as the API expects
    assert params["startDateTime"] == datetime(2024, 1, 2, 14, 0)
    assert params["startDateTime"].tzinfo is None
    assert {name: params[name] for name in ADJUSTMENT_FLAGS} == {
        "adjustmentNormal": True,
        "adjustmentAbnormal": True,
        "adjustmentSplit": True,
        "adjustmentFollowDPDF": False,
    }
    assert [t.strftime("%H:%M") for t in bars["timestamp"]] == ["14:30", "14:35"]
    assert bars.row(0)[1:] == (187.15, 187.70, 187.05, 187.30, 1006112.0)


async def test_hourly_bars_come_from_half_hours_on_the_session_grid() -> None:
    starts = [(14, 30), (15, 0), (15, 30), (16, 0)]
    ticks = [
        {
            "time": datetime(2024, 1, 2, h, m),
            "open": 10.0 + i,
            "high": 11.0 + i,
            "low": 9.0 + i,
            "close": 10.5 + i,
            "volume": 100 + i,
        }
        for i, (h, m) in enumerate(starts)
    ]
    session = FakeSession([{"barData": {"barTickData": ticks}}])
    bars = await BloombergProvider(session).fetch_bars(
        "AAPL", "1h", utc(2024, 1, 2, 14), utc(2024, 1, 2, 17)
    )
    assert session.calls[0][2]["interval"] == 30
    assert [t.strftime("%H:%M") for t in bars["timestamp"]] == ["14:30", "15:30"]
    assert bars.row(0)[1:] == (10.0, 12.0, 9.0, 11.5, 201.0)


async def test_security_error_is_a_clear_market_data_error() -> None:
    messages = [
        {
            "securityData": {
                "security": "NOPE US Equity",
                "securityError": {
                    "source": "bbdbh3",
                    "code": 15,
                    "category": "BAD_SEC",
                    "message": "Unknown/Invalid security [nid:3]",
                    "subcategory": "INVALID_SECURITY",
                },
            }
        }
    ]
    with pytest.raises(MarketDataError) as caught:
        await BloombergProvider(FakeSession(messages)).fetch_bars(
            "NOPE", "1d", utc(2024, 1, 2), utc(2024, 1, 5)
        )
    assert "NOPE US Equity: Unknown/Invalid security [nid:3] (BAD_SEC)" in caught.value.message


async def test_response_error_on_intraday_is_reported() -> None:
    messages = [
        {
            "responseError": {
                "source": "bbdbh3",
                "code": 1,
                "category": "BAD_ARGS",
                "message": "Invalid interval",
                "subcategory": "INVALID",
            }
        }
    ]
    with pytest.raises(MarketDataError, match="Invalid interval"):
        await BloombergProvider(FakeSession(messages)).fetch_bars(
            "AAPL", "1min", utc(2024, 1, 2, 14), utc(2024, 1, 2, 15)
        )


async def test_missing_price_fields_are_refused() -> None:
    messages = [
        {
            "securityData": {
                "security": "X US Equity",
                "fieldExceptions": [
                    {
                        "fieldId": "PX_OPEN",
                        "errorInfo": {"category": "BAD_FLD", "message": "Field not valid"},
                    }
                ],
                "fieldData": [],
            }
        }
    ]
    with pytest.raises(MarketDataError, match="no PX_OPEN"):
        await BloombergProvider(FakeSession(messages)).fetch_bars(
            "X", "1d", utc(2024, 1, 2), utc(2024, 1, 5)
        )


def test_symbols_map_to_securities() -> None:
    assert to_security("ibm") == "IBM US Equity"
    assert to_security("spx index") == "SPX Index"
    assert to_security("VOD LN Equity") == "VOD LN Equity"


def test_unconfigured_bloomberg_says_what_to_set() -> None:
    with pytest.raises(DataSourceNotConfigured) as caught:
        ensure_bloomberg_configured(Settings(_env_file=None, bloomberg_host=None))
    assert caught.value.status_code == 422
    assert caught.value.message.startswith("bloomberg is not configured: set BLOOMBERG_HOST")
    assert "blpapi" in caught.value.message  # not installed here either
