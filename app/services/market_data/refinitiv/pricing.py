"""Bars from the Refinitiv historical-pricing summaries, in our bar convention.

The vendor's intervals, bar labels, fields and paging are not ours (no 15-minute or
session-aligned hourly bars, intraday bars stamped at their end, currency pairs quoted
as bid/ask instead of trades, no cursor); this module absorbs those differences so its
frames match every other source's. Vendor details: `docs/vendors/refinitiv.md`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
import polars as pl

from app.core.calendars import calendar_of
from app.core.instruments import InstrumentKind, UnknownInstrument, resolve
from app.services.market_data.base import (
    MarketDataError,
    check_range,
    empty_bars,
    finalize_bars,
    resample_bars,
)
from app.services.market_data.frequency import get_frequency
from app.services.market_data.refinitiv.client import (
    DEFAULT_RIC_SUFFIX,
    RefinitivClient,
    RetryPolicy,
    parse_stamp,
    to_ric,
    vendor_error_text,
)

if TYPE_CHECKING:
    from app.config import Settings

MAX_ROWS_PER_REQUEST = 10_000
MAX_PAGES = 1_000
# Bars are labelled as the vendor does by default for intraday summaries (the period's
# end); `_label_shift` moves intraday labels to bar starts. Interday labels are the
# trading date either way (weekly bars are put on their Monday afterwards).
TIMESTAMP_LABEL = "endPeriod"
# Trade corrections, plus the corporate actions (capital change, renaming, rights,
# price-only) that make equity history comparable across splits and dividends.
EQUITY_ADJUSTMENTS = ("exchangeCorrection", "manualCorrection", "CCH", "CRE", "RTS", "RPO")
# A currency pair has no corporate actions: only corrections of its quotes.
QUOTE_ADJUSTMENTS = ("exchangeCorrection", "manualCorrection")


@dataclass(frozen=True)
class _Fields:
    """Which vendor fields make a bar: `sides` are (open, high, low, close) field
    quadruples; a row's prices are the mean of its complete sides (one side for
    trades, bid and ask for quotes, so a pair's bars are mid prices). The first side
    must be among the answer's headers; the others are optional."""

    sides: tuple[tuple[str, str, str, str], ...]
    volume: str | None
    adjustments: tuple[str, ...]
    lacking: str  # what a missing first side suggests

    @property
    def request(self) -> tuple[str, ...]:
        names = [name for side in self.sides for name in side]
        return (*names, self.volume) if self.volume else tuple(names)


TRADES = _Fields(
    sides=(("OPEN_PRC", "HIGH_1", "LOW_1", "TRDPRC_1"),),
    volume="ACVOL_UNS",
    adjustments=EQUITY_ADJUSTMENTS,
    lacking="it may not trade as an equity (FX and rates quote BID fields)",
)
QUOTES = _Fields(
    sides=(
        ("OPEN_BID", "BID_HIGH_1", "BID_LOW_1", "BID"),
        ("OPEN_ASK", "ASK_HIGH_1", "ASK_LOW_1", "ASK"),
    ),
    volume=None,  # a currency pair has no traded volume: bars carry 0
    adjustments=QUOTE_ADJUSTMENTS,
    lacking="it may not be quoted as a currency pair",
)
PRICE_FIELDS = TRADES.request  # what an equity or an index is asked for


@dataclass(frozen=True)
class _Interval:
    """How one of our frequencies is fetched: vendor view + interval, then resampled."""

    view: str
    code: str
    minutes: int | None
    resample: str | None = None
    offset: str | None = None


_INTERVALS: dict[str, _Interval] = {
    "1min": _Interval("intraday-summaries", "PT1M", 1),
    "5min": _Interval("intraday-summaries", "PT5M", 5),
    "15min": _Interval("intraday-summaries", "PT5M", 5, resample="15m"),
    "30min": _Interval("intraday-summaries", "PT30M", 30),
    "1h": _Interval("intraday-summaries", "PT30M", 30, resample="1h", offset="30m"),
    "1d": _Interval("interday-summaries", "P1D", None),
    "1wk": _Interval("interday-summaries", "P1W", None),
}


class RefinitivProvider:
    """`fetch_bars` over the historical-pricing summaries."""

    name = "refinitiv"

    def __init__(self, client: RefinitivClient) -> None:
        self.client = client

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        http_client: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
    ) -> RefinitivProvider:
        return cls(RefinitivClient.from_settings(settings, http_client=http_client, retry=retry))

    async def fetch_bars(
        self, symbol: str, frequency: str, start: datetime, end: datetime
    ) -> pl.DataFrame:
        freq = get_frequency(frequency)
        start_utc, end_utc = check_range(start, end)
        ric = to_ric(symbol)
        fields = fields_for(symbol)
        interval = _INTERVALS[freq.name]
        # Intraday stamps may be bar ends: ask one bar further so the bar starting at
        # `end` is included; the range is applied to bar starts afterwards.
        reach = timedelta(minutes=interval.minutes or 0)
        rows = await self._fetch_rows(ric, fields, interval, start_utc, end_utc + reach)
        if not rows:
            return empty_bars()
        frame = _rows_to_frame(rows, interval, weekly=freq.name == "1wk")
        if interval.resample:
            frame = resample_bars(
                frame, interval.resample, interval.offset, calendar=calendar_of(symbol)
            )
        return finalize_bars(frame, start_utc, end_utc)

    async def _fetch_rows(
        self, ric: str, fields: _Fields, interval: _Interval, start: datetime, end: datetime
    ) -> list[_Row]:
        path = f"/data/historical-pricing/v1/views/{interval.view}/{quote(ric, safe='')}"
        params: dict[str, Any] = {
            "interval": interval.code,
            "start": _format_time(start, interval),
            "count": MAX_ROWS_PER_REQUEST,
            "fields": ",".join(fields.request),
            # Sent rather than left to the vendor's defaults, which may change.
            "summaryTimestampLabel": TIMESTAMP_LABEL,
            "adjustments": ",".join(fields.adjustments),
        }
        if interval.minutes is not None:
            params["sessions"] = "normal"
        rows: list[_Row] = []
        page_end = end
        for _ in range(MAX_PAGES):
            payload = await self.client.get_json(
                path, {**params, "end": _format_time(page_end, interval)}
            )
            page, oldest = _parse_page(payload, ric, fields, interval)
            if oldest is None:
                break
            rows.extend(page)
            if oldest <= start:
                break
            step = timedelta(days=1) if interval.minutes is None else timedelta(microseconds=1)
            next_end = oldest - step
            if next_end >= page_end:
                break
            page_end = next_end
        return rows


@dataclass(frozen=True)
class _Row:
    label: datetime  # the vendor's stamp, as sent (end of period for intraday)
    start: datetime  # the bar's start, our convention
    open: float
    high: float
    low: float
    close: float
    volume: float


def fields_for(symbol: str) -> _Fields:
    """Quotes (bid/ask) for a currency pair, trades for anything else."""
    try:
        kind = resolve(symbol).kind
    except UnknownInstrument:
        return TRADES
    return QUOTES if kind == InstrumentKind.FX else TRADES


def _format_time(moment: datetime, interval: _Interval) -> str:
    if interval.minutes is None:
        return moment.date().isoformat()
    # The platform's own format: nanosecond digits and a Z.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def _parse_page(
    payload: Any, ric: str, fields: _Fields, interval: _Interval
) -> tuple[list[_Row], datetime | None]:
    """Rows with prices of one answer (a top-level JSON array) and the oldest stamp
    received, volume-only rows included (paging continues before it)."""
    if isinstance(payload, dict) and "error" in payload:
        raise MarketDataError(f"refinitiv: {ric}: {vendor_error_text(payload['error'])}")
    if not isinstance(payload, list):
        raise MarketDataError(
            f"refinitiv sent an unexpected answer for {ric}: expected a JSON array"
        )
    if not payload:
        return [], None
    element = payload[0]
    if not isinstance(element, dict):
        raise MarketDataError(f"refinitiv sent an unexpected element for {ric}")
    if element.get("error"):  # an error inside a 200 answer's list
        raise MarketDataError(f"refinitiv: {ric}: {vendor_error_text(element['error'])}")
    status = element.get("status")
    if isinstance(status, dict) and "data" not in element:
        message = status.get("message") or "unknown error"
        hint = ""
        if "universe" in str(message).lower() and ric.endswith(DEFAULT_RIC_SUFFIX):
            hint = f" (the ticker was mapped to {ric}; pass the full RIC, e.g. IBM.N for NYSE)"
        raise MarketDataError(
            f"refinitiv: {ric}: {message} ({status.get('code', 'no code')}){hint}"
        )
    data = [raw for raw in element.get("data") or [] if isinstance(raw, list) and raw]
    if not data:
        return [], None
    raw_headers = element.get("headers")
    headers = (
        [h.get("name") for h in raw_headers if isinstance(h, dict)]
        if isinstance(raw_headers, list)
        else []
    )
    shift = _label_shift(element, interval)
    columns = _column_indices(headers, ric, fields)
    labels = [_stamp(raw, columns["time"], ric) for raw in data]
    rows = [
        row
        for raw, label in zip(data, labels, strict=True)
        if (row := _to_row(raw, label, columns, fields, shift))
    ]
    return rows, min(labels)


def _stamp(raw: list[Any], at: int, ric: str) -> datetime:
    """A row's stamp; a row without a readable one is a broken answer, not a gap."""
    value = raw[at] if at < len(raw) else None
    try:
        return parse_stamp(value)
    except (TypeError, ValueError) as exc:
        raise MarketDataError(
            f"refinitiv sent an unreadable timestamp {value!r} for {ric}"
        ) from exc


def _label_shift(element: dict[str, Any], interval: _Interval) -> timedelta:
    """How far a stamp is after its bar's start: intraday bars default to endPeriod."""
    if interval.minutes is None:
        return timedelta(0)
    label = str(element.get("summaryTimestampLabel") or "endPeriod")
    return timedelta(minutes=interval.minutes) if label == "endPeriod" else timedelta(0)


def _column_indices(headers: list[Any], ric: str, fields: _Fields) -> dict[str, int]:
    time_name = next((n for n in ("DATE_TIME", "DATE") if n in headers), None)
    missing = [name for name in fields.sides[0] if name not in headers]
    if time_name is None or missing:
        raise MarketDataError(
            f"refinitiv sent no {', '.join(missing) or 'DATE_TIME'} for {ric}; {fields.lacking}"
        )
    indices = {"time": headers.index(time_name)}
    for name in fields.request:
        if name in headers:
            indices[name] = headers.index(name)
    return indices


def _to_row(
    raw: list[Any], label: datetime, columns: dict[str, int], fields: _Fields, shift: timedelta
) -> _Row | None:
    """One data row, or None when it has no prices (volume-only rows exist)."""
    complete = [prices for side in fields.sides if (prices := _side_prices(raw, side, columns))]
    if not complete:
        return None
    open_, high, low, close = (
        sum(values) / len(complete) for values in zip(*complete, strict=True)
    )
    volume = _value(raw, columns, fields.volume) if fields.volume else None
    try:
        amount = float(volume or 0.0)
    except (TypeError, ValueError):
        amount = 0.0
    return _Row(label, label - shift, open_, high, low, close, amount)


def _side_prices(
    raw: list[Any], side: tuple[str, ...], columns: dict[str, int]
) -> tuple[float, ...] | None:
    """The side's four prices in `raw`, or None when one is absent or not a number."""
    values = [_value(raw, columns, name) for name in side]
    if any(v is None for v in values):
        return None
    try:
        return tuple(float(v) for v in values)
    except (TypeError, ValueError):
        return None


def _value(raw: list[Any], columns: dict[str, int], name: str) -> Any:
    at = columns.get(name)
    return raw[at] if at is not None and at < len(raw) else None


def _rows_to_frame(rows: list[_Row], interval: _Interval, *, weekly: bool) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "timestamp": [row.start for row in rows],
            "open": [row.open for row in rows],
            "high": [row.high for row in rows],
            "low": [row.low for row in rows],
            "close": [row.close for row in rows],
            "volume": [row.volume for row in rows],
        }
    ).with_columns(pl.col("timestamp").cast(pl.Datetime("us", "UTC")))
    if weekly:  # stamp each weekly bar on its Monday, as the other sources do
        frame = frame.with_columns(pl.col("timestamp").dt.truncate("1w"))
    return frame.unique(subset="timestamp", keep="first").sort("timestamp")
