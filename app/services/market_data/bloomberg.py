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
import logging
import threading
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

import polars as pl

from app.core.calendars import calendar_of
from app.core.instruments import UnknownInstrument, resolve
from app.services.market_data.base import (
    MarketDataError,
    MarketDataUnavailable,
    check_range,
    empty_bars,
    finalize_bars,
    normalize_symbol,
    not_configured,
    regular_session_only,
    resample_bars,
)
from app.services.market_data.frequency import get_frequency

if TYPE_CHECKING:
    from app.config import Settings

logger = logging.getLogger("app.market_data.bloomberg")

REFDATA = "//blp/refdata"
HISTORICAL_FIELDS = ("PX_OPEN", "PX_HIGH", "PX_LOW", "PX_LAST", "PX_VOLUME")
DEFAULT_YELLOW_KEY = "US Equity"
# Prices adjusted for splits and for regular and special cash dividends (as a Yahoo
# file's Adj Close is, docs/MARKET_DATA.md), whatever the account's terminal defaults
# (DPDF) say: the flags are sent on every HistoricalDataRequest and IntradayBarRequest.
ADJUSTMENTS: dict[str, bool] = {
    "adjustmentNormal": True,
    "adjustmentAbnormal": True,
    "adjustmentSplit": True,
    "adjustmentFollowDPDF": False,
}
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
    """The Bloomberg security of `symbol`'s instrument (`app.core.instruments`): "IBM"
    and "ibm us equity" -> "IBM US Equity", "VOD.L" -> "VOD LN Equity", ".SPX" ->
    "SPX Index", "EUR=" -> "EURUSD Curncy". A symbol the resolver does not read keeps
    the old rule (a ticker gets the US equity yellow key)."""
    try:
        return resolve(symbol).bloomberg
    except UnknownInstrument:
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
        **ADJUSTMENTS,
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
        **ADJUSTMENTS,
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
    if _is_no_auth(error):  # the account is not entitled: a setting, not the data
        return not_configured(f"{text}; check the Bloomberg account's entitlements")
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

    def __init__(self, session: BloombergSession, max_concurrency: int = 4) -> None:
        self.session = session
        # Requests waiting on the (one-at-a-time) session hold no more threads than this.
        self._slots = asyncio.Semaphore(max_concurrency)

    @classmethod
    def from_settings(cls, settings: Settings) -> BloombergProvider:
        ensure_bloomberg_configured(settings)
        return cls(
            BlpapiSession(
                settings.bloomberg_host or "", settings.bloomberg_port, settings.bloomberg_app_name
            ),
            settings.vendor_max_concurrency,
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
                frame = regular_session_only(frame, calendar_of(symbol))
            if hourly and frame.height:
                frame = resample_bars(frame, "1h", "30m", calendar=calendar_of(symbol))
        if frame.is_empty():
            return empty_bars()
        return finalize_bars(frame, start_utc, end_utc)

    async def _call(self, operation: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        async with self._slots:
            return await asyncio.to_thread(self.session.request, REFDATA, operation, params)


class BlpapiSession:
    """The real session, shared by every request of the process.

    Opened on the first request and kept (a Bloomberg session is expensive to start
    and counts against the account's connections); reopened when it has dropped
    (`SessionTerminated`), the interrupted request being sent once more on the new
    one. Requests go one at a time on the session (a thread lock), each with its own
    correlation id, so a late answer to an earlier, timed-out request is ignored.
    A `RequestFailure` (REQUEST_STATUS) ends a request at once with the vendor's
    reason instead of waiting for the timeout; `NO_AUTH` becomes "not configured".

    The test suite drives it with a fake `blpapi` module (blpapi cannot be installed
    from PyPI); the dict conversion follows blpapi's element API.
    """

    def __init__(
        self, host: str, port: int, app_name: str | None, timeout_ms: int = 30_000
    ) -> None:
        self.host, self.port, self.app_name, self.timeout_ms = host, port, app_name, timeout_ms
        self.opened = 0  # sessions started so far (one, unless the session dropped)
        self._session: Any = None
        self._services: set[str] = set()
        self._lock = threading.Lock()
        self._next_id = 0

    def request(self, service: str, operation: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        blpapi: Any = importlib.import_module("blpapi")
        with self._lock:
            for attempt in range(2):
                session = self._open(blpapi)
                try:
                    return self._send(blpapi, session, service, operation, params)
                except _SessionDropped as dropped:
                    self._drop()
                    if attempt:
                        raise MarketDataUnavailable(
                            f"bloomberg session to {self.host}:{self.port} dropped: {dropped}"
                        ) from dropped
            raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _open(self, blpapi: Any) -> Any:
        if self._session is not None:
            return self._session
        session = blpapi.Session(self._options(blpapi))
        if not session.start():
            reason = _startup_failure(blpapi, session)
            if reason is not None and _is_no_auth(reason):
                raise not_configured(
                    f"bloomberg refused the session: {_reason_text(reason)}; check "
                    "BLOOMBERG_APP_NAME and the application's entitlements"
                )
            detail = f": {_reason_text(reason)}" if reason else ""
            raise MarketDataUnavailable(
                f"bloomberg session to {self.host}:{self.port} did not start{detail}"
            )
        self._session, self._services = session, set()
        self.opened += 1
        return session

    def _drop(self) -> None:
        session, self._session, self._services = self._session, None, set()
        if session is not None:
            try:
                session.stop()
            except Exception:  # a dead session may refuse to stop; it is gone anyway
                logger.debug("bloomberg session did not stop cleanly", exc_info=True)

    def _send(
        self, blpapi: Any, session: Any, service: str, operation: str, params: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if service not in self._services:
            if not session.openService(service):
                raise MarketDataUnavailable(f"bloomberg service {service} could not be opened")
            self._services.add(service)
        request = session.getService(service).createRequest(operation)
        for name, value in params.items():
            if isinstance(value, list):
                element = request.getElement(name)
                for item in value:
                    element.appendValue(item)
            else:
                request.set(name, value)
        self._next_id += 1
        correlation = blpapi.CorrelationId(self._next_id)
        session.sendRequest(request, correlationId=correlation)
        return self._collect(blpapi, session, correlation)

    def _options(self, blpapi: Any) -> Any:
        options = blpapi.SessionOptions()
        options.setServerHost(self.host)
        options.setServerPort(self.port)
        if self.app_name:
            options.setSessionIdentityOptions(blpapi.AuthOptions.createWithApp(self.app_name))
        return options

    def _collect(self, blpapi: Any, session: Any, correlation: Any) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        kinds = blpapi.Event
        while True:
            event = session.nextEvent(self.timeout_ms)
            kind = event.eventType()
            if kind == kinds.TIMEOUT:
                raise MarketDataUnavailable("bloomberg did not answer in time")
            done = False
            for message in event:
                name = str(message.messageType())
                if kind == kinds.SESSION_STATUS:
                    if name in _SESSION_ENDED:
                        raise _SessionDropped(name)
                    continue
                if kind == kinds.AUTHORIZATION_STATUS and name in _AUTH_FAILED:
                    self._drop()
                    reason = _element_to_py(message.asElement()).get("reason") or {}
                    raise not_configured(
                        f"bloomberg refused the authorization: {_reason_text(reason)}"
                    )
                if correlation not in list(message.correlationIds()):
                    continue  # another request's (an earlier, abandoned one)
                if kind == kinds.REQUEST_STATUS and name == "RequestFailure":
                    reason = _element_to_py(message.asElement()).get("reason") or {}
                    raise _request_failure(reason)
                if kind in (kinds.PARTIAL_RESPONSE, kinds.RESPONSE):
                    messages.append(_element_to_py(message.asElement()))
                    done = done or kind == kinds.RESPONSE
            if done:
                return messages


_SESSION_ENDED = {"SessionTerminated", "SessionStartupFailure"}
_AUTH_FAILED = {"AuthorizationFailure", "AuthorizationRevoked"}


class _SessionDropped(Exception):
    """The session ended under a request: reopen it and send the request again."""


def _startup_failure(blpapi: Any, session: Any) -> dict[str, Any] | None:
    """The reason of a `SessionStartupFailure` waiting in the session's queue, if any."""
    for _ in range(16):
        event = session.tryNextEvent()
        if event is None:
            return None
        for message in event:
            if str(message.messageType()) == "SessionStartupFailure":
                body = _element_to_py(message.asElement())
                reason = body.get("reason") if isinstance(body, dict) else None
                return reason if isinstance(reason, dict) else {}
    return None


def _reason_text(reason: dict[str, Any] | None) -> str:
    if not reason:
        return "no reason given"
    description = reason.get("description") or reason.get("subcategory") or "unknown error"
    category = reason.get("category") or "no category"
    return f"{description} ({category})"


def _is_no_auth(reason: dict[str, Any]) -> bool:
    return "NO_AUTH" in str(reason.get("category", "")).upper() or "NOT_AUTHORI" in str(
        reason.get("subcategory", "")
    ).upper().replace("-", "_")


def _request_failure(reason: dict[str, Any]) -> MarketDataError | MarketDataUnavailable:
    """A REQUEST_STATUS RequestFailure as our error: not authorised is "not
    configured", a bad request a `MarketDataError`, anything else (a timeout, a lost
    connection, a cancelled request) transient."""
    text = f"bloomberg request failed: {_reason_text(reason)}"
    if _is_no_auth(reason):
        return not_configured(text)
    if str(reason.get("category", "")).upper() in {"BAD_ARGS", "NOT_FOUND", "INVALID_REQUEST"}:
        return MarketDataError(text)
    return MarketDataUnavailable(text)


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
