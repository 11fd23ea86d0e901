"""Bloomberg through its official API (`blpapi`), where the environment provides it.

`blpapi` is not on the public package index, so it is imported lazily, only when a
session is opened. Request building and response mapping are pure functions over plain
dicts shaped like `//blp/refdata`'s messages, so they are tested with a fake session;
only `BlpapiSession` touches `blpapi`, and its blocking calls run in a worker thread.
Settings, requests and symbols: docs/MARKET_DATA.md.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

import polars as pl

from app.services.market_data.base import (
    MarketDataError,
    MarketDataUnavailable,
    check_range,
    empty_bars,
    finalize_bars,
    normalize_symbol,
    not_configured,
    regular_session_only,
)
from app.services.market_data.frequency import get_frequency

if TYPE_CHECKING:
    from app.config import Settings

REFDATA = "//blp/refdata"
HISTORICAL_FIELDS = ("PX_OPEN", "PX_HIGH", "PX_LOW", "PX_LAST", "PX_VOLUME")
DEFAULT_YELLOW_KEY = "US Equity"
_OURS = {
    "PX_OPEN": "open",
    "PX_HIGH": "high",
    "PX_LOW": "low",
    "PX_LAST": "close",
    "PX_VOLUME": "volume",
}


class BloombergSession(Protocol):
    """One request/response exchange with a Bloomberg service (blocking)."""

    def request(self, service: str, operation: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Send `operation` with `params`; the messages of its PARTIAL_RESPONSE and
        RESPONSE events, each as a plain dict."""
        ...


def ensure_bloomberg_configured(settings: Settings) -> None:
    """422 naming what is missing: the host setting and/or the blpapi package."""
    missing = []
    if not settings.bloomberg_host:
        missing.append(
            "set BLOOMBERG_HOST (and BLOOMBERG_PORT, default 8194; BLOOMBERG_APP_NAME for "
            "server API application authentication)"
        )
    if importlib.util.find_spec("blpapi") is None:
        missing.append(
            "install the blpapi package, which Bloomberg distributes from its own package "
            "index (it is not on PyPI)"
        )
    if missing:
        raise not_configured("bloomberg is not configured: " + "; ".join(missing))


def to_security(symbol: str) -> str:
    """ "IBM" -> "IBM US Equity"; "ibm us equity" -> "IBM US Equity"."""
    cleaned = normalize_symbol(symbol)
    parts = cleaned.split()
    if len(parts) == 1:
        return f"{cleaned} {DEFAULT_YELLOW_KEY}"
    return " ".join([*parts[:-1], parts[-1].capitalize()])


# -- requests -----------------------------------------------------------------------------


def build_historical_request(
    security: str, frequency: str, start: datetime, end: datetime
) -> dict[str, Any]:
    return {
        "securities": [security],
        "fields": list(HISTORICAL_FIELDS),
        "startDate": start.astimezone(UTC).strftime("%Y%m%d"),
        "endDate": end.astimezone(UTC).strftime("%Y%m%d"),
        "periodicitySelection": "WEEKLY" if frequency == "1wk" else "DAILY",
        "periodicityAdjustment": "CALENDAR",
    }


def build_intraday_request(
    security: str, minutes: int, start: datetime, end: datetime
) -> dict[str, Any]:
    # The API takes GMT date-times without a zone.
    return {
        "security": security,
        "eventType": "TRADE",
        "interval": minutes,
        "startDateTime": start.astimezone(UTC).replace(tzinfo=None),
        "endDateTime": end.astimezone(UTC).replace(tzinfo=None),
    }


# -- responses ----------------------------------------------------------------------------


def historical_messages_to_frame(messages: Iterable[dict[str, Any]], security: str) -> pl.DataFrame:
    """Bars from the securityData of HistoricalDataResponse messages."""
    rows: list[dict[str, Any]] = []
    for message in messages:
        body = _unwrap(message, "securityData")
        _raise_response_error(body, security)
        data = body.get("securityData") or []
        for block in data if isinstance(data, list) else [data]:
            _raise_security_error(block, security)
            rows.extend(_field_rows(block, security))
    if not rows:
        return empty_bars()
    return pl.DataFrame(rows).with_columns(pl.col("timestamp").cast(pl.Datetime("us", "UTC")))


def _field_rows(block: dict[str, Any], security: str) -> list[dict[str, Any]]:
    exceptions = block.get("fieldExceptions") or []
    broken = [e.get("fieldId") for e in exceptions if isinstance(e, dict)]
    missing_prices = [f for f in broken if f in HISTORICAL_FIELDS[:4]]
    if missing_prices:
        raise MarketDataError(
            f"bloomberg has no {', '.join(str(f) for f in missing_prices)} for {security}"
        )
    rows = []
    for point in block.get("fieldData") or []:
        values = {ours: point.get(field) for field, ours in _OURS.items()}
        if any(values[name] is None for name in ("open", "high", "low", "close")):
            continue  # a day without a trade
        values["volume"] = values["volume"] or 0.0
        rows.append(
            {
                "timestamp": _as_midnight(point.get("date")),
                **{k: float(v) for k, v in values.items()},
            }
        )
    return rows


def intraday_messages_to_frame(messages: Iterable[dict[str, Any]], security: str) -> pl.DataFrame:
    """Bars from the barData.barTickData of IntradayBarResponse messages."""
    rows = []
    for message in messages:
        body = _unwrap(message, "barData")
        _raise_response_error(body, security)
        ticks = (body.get("barData") or {}).get("barTickData") or []
        for tick in ticks:
            rows.append(
                {
                    "timestamp": _as_utc(tick["time"]),
                    **{name: float(tick[name]) for name in ("open", "high", "low", "close")},
                    "volume": float(tick.get("volume") or 0.0),
                }
            )
    if not rows:
        return empty_bars()
    return pl.DataFrame(rows).with_columns(pl.col("timestamp").cast(pl.Datetime("us", "UTC")))


def _unwrap(message: dict[str, Any], key: str) -> dict[str, Any]:
    """The response element, whether or not the message name wraps it."""
    if key in message or "responseError" in message:
        return message
    for value in message.values():
        if isinstance(value, dict) and (key in value or "responseError" in value):
            return value
    return message


def _raise_response_error(body: dict[str, Any], security: str) -> None:
    error = body.get("responseError")
    if error:
        raise _error(error, security)


def _raise_security_error(block: dict[str, Any], security: str) -> None:
    error = block.get("securityError")
    if error:
        raise _error(error, security)


def _error(error: dict[str, Any], security: str) -> MarketDataError | MarketDataUnavailable:
    category = str(error.get("category", ""))
    message = error.get("message") or error.get("subcategory") or "unknown error"
    text = f"bloomberg: {security}: {message} ({category or 'no category'})"
    # Bloomberg's own categories for transient trouble.
    if category in {"TIMEOUT", "INTERNAL_ERROR", "UNCLASSIFIED"}:
        return MarketDataUnavailable(text)
    return MarketDataError(text)


def _as_midnight(value: Any) -> datetime:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time(), UTC)
    text = str(value)
    day = datetime.strptime(text[:10].replace("-", ""), "%Y%m%d").date()
    return datetime.combine(day, datetime.min.time(), UTC)


def _as_utc(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# -- the provider -------------------------------------------------------------------------


class BloombergProvider:
    name = "bloomberg"

    def __init__(self, session: BloombergSession) -> None:
        self.session = session

    @classmethod
    def from_settings(cls, settings: Settings) -> BloombergProvider:
        ensure_bloomberg_configured(settings)
        return cls(
            BlpapiSession(
                settings.bloomberg_host or "", settings.bloomberg_port, settings.bloomberg_app_name
            )
        )

    async def fetch_bars(
        self, symbol: str, frequency: str, start: datetime, end: datetime
    ) -> pl.DataFrame:
        freq = get_frequency(frequency)
        start_utc, end_utc = check_range(start, end)
        security = to_security(symbol)
        if freq.minutes is None:
            params = build_historical_request(security, freq.name, start_utc, end_utc)
            messages = await self._call("HistoricalDataRequest", params)
            frame = historical_messages_to_frame(messages, security)
            if freq.name == "1wk" and frame.height:
                frame = frame.with_columns(pl.col("timestamp").dt.truncate("1w"))
        else:
            hourly = freq.minutes == 60
            params = build_intraday_request(
                security,
                30 if hourly else freq.minutes,
                start_utc,
                end_utc + timedelta(minutes=freq.minutes),
            )
            messages = await self._call("IntradayBarRequest", params)
            frame = intraday_messages_to_frame(messages, security)
            if frame.height:
                frame = regular_session_only(frame)
            if hourly and frame.height:
                frame = _hourly_from_half_hours(frame)
        if frame.is_empty():
            return empty_bars()
        return finalize_bars(frame, start_utc, end_utc)

    async def _call(self, operation: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self.session.request, REFDATA, operation, params)


def _hourly_from_half_hours(frame: pl.DataFrame) -> pl.DataFrame:
    return (
        frame.sort("timestamp")
        .group_by_dynamic("timestamp", every="1h", offset="30m", closed="left", label="left")
        .agg(
            pl.col("open").first(),
            pl.col("high").max(),
            pl.col("low").min(),
            pl.col("close").last(),
            pl.col("volume").sum(),
        )
    )


class BlpapiSession:
    """The real session: opens, sends one request, collects its messages, stops.

    Not exercised by the test suite (blpapi cannot be installed from PyPI); the
    dict conversion follows blpapi's element API.
    """

    def __init__(
        self, host: str, port: int, app_name: str | None, timeout_ms: int = 30_000
    ) -> None:
        self.host, self.port, self.app_name, self.timeout_ms = host, port, app_name, timeout_ms

    def request(self, service: str, operation: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        blpapi: Any = importlib.import_module("blpapi")
        session = blpapi.Session(self._options(blpapi))
        if not session.start():
            raise MarketDataUnavailable(
                f"bloomberg session to {self.host}:{self.port} did not start"
            )
        try:
            if not session.openService(service):
                raise MarketDataUnavailable(f"bloomberg service {service} could not be opened")
            request = session.getService(service).createRequest(operation)
            for name, value in params.items():
                if isinstance(value, list):
                    element = request.getElement(name)
                    for item in value:
                        element.appendValue(item)
                else:
                    request.set(name, value)
            session.sendRequest(request)
            return self._collect(blpapi, session)
        finally:
            session.stop()

    def _options(self, blpapi: Any) -> Any:
        options = blpapi.SessionOptions()
        options.setServerHost(self.host)
        options.setServerPort(self.port)
        if self.app_name:
            options.setSessionIdentityOptions(blpapi.AuthOptions.createWithApp(self.app_name))
        return options

    def _collect(self, blpapi: Any, session: Any) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while True:
            event = session.nextEvent(self.timeout_ms)
            kind = event.eventType()
            if kind == blpapi.Event.TIMEOUT:
                raise MarketDataUnavailable("bloomberg did not answer in time")
            if kind in (blpapi.Event.PARTIAL_RESPONSE, blpapi.Event.RESPONSE):
                messages.extend(_element_to_py(message.asElement()) for message in event)
            if kind == blpapi.Event.RESPONSE:
                return messages


def _element_to_py(element: Any) -> Any:
    """A blpapi Element as plain Python (sequences -> dicts, arrays -> lists)."""
    if element.isArray():
        return [
            _element_to_py(element.getValueAsElement(i))
            if element.isComplexType()
            else element.getValue(i)
            for i in range(element.numValues())
        ]
    if element.isComplexType():
        return {str(child.name()): _element_to_py(child) for child in element.elements()}
    return element.getValue()
