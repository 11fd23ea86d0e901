"""LSEG / Refinitiv Data Platform over REST (httpx): OAuth2 tokens, historical
pricing summaries and news headlines.

Configuration (environment variables, see `app.config.Settings`):

* v1 password grant (a platform user): `REFINITIV_APP_KEY`, `REFINITIV_USERNAME`,
  `REFINITIV_PASSWORD`. The token is refreshed with its refresh token before it
  expires; if the refresh is refused we sign in again.
* v2 client credentials (a service account): `REFINITIV_CLIENT_ID`,
  `REFINITIV_CLIENT_SECRET`. Used when both are set; no refresh token, so a new
  token is requested when the old one nears expiry.

Tokens are cached on the client and renewed 30 s before `expires_in` (which the
platform sends as a string). A 401 on a data request renews the token once.

Symbols: a value containing "." is taken to be a RIC ("AAPL.O", "IBM.N", "VOD.L");
a bare ticker gets `DEFAULT_RIC_SUFFIX` ".O" (NASDAQ). NYSE listings need their RIC
("IBM.N"); a wrong guess comes back as "the universe is not found", and the message
says so.

Bars: interday summaries give `1d` (P1D) and `1wk` (P1W) bars, stamped at 00:00 UTC
of the trading date (weekly ones on their week's Monday); intraday summaries give
1min (PT1M), 5min (PT5M) and 30min (PT30M) bars for the regular session only
(`sessions=normal`). 15-minute bars are not a vendor interval: they are built from
PT5M bars; hourly bars are built from PT30M bars on a 09:30-anchored grid, so they
line up with the synthetic source (the vendor's PT1H bars are clock-aligned). The
vendor labels intraday bars with their end by default (`summaryTimestampLabel`
"endPeriod"); we shift them to their start. Rows without prices (volume-only rows)
are dropped. The vendor has no cursor here: we page backwards by asking again with
`end` just before the oldest row received, until `start` is reached or no rows come.

Failures: 429, 5xx and transport errors are retried with exponential back-off and
jitter (honouring `Retry-After`) up to `REFINITIV_MAX_RETRIES` times, then become
`MarketDataUnavailable`; vendor errors (`{"error": {"id", "code", "message",
"status"}}`) and per-instrument failures become `MarketDataError` with the vendor's
message; refused credentials become `DataSourceNotConfigured`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
import polars as pl

from app.services.market_data.base import (
    MarketDataError,
    MarketDataUnavailable,
    check_range,
    empty_bars,
    finalize_bars,
    normalize_symbol,
    not_configured,
)
from app.services.market_data.frequency import get_frequency

if TYPE_CHECKING:
    from app.config import Settings

logger = logging.getLogger("app.market_data.refinitiv")

DEFAULT_RIC_SUFFIX = ".O"
PRICE_FIELDS = ("OPEN_PRC", "HIGH_1", "LOW_1", "TRDPRC_1", "ACVOL_UNS")
MAX_ROWS_PER_REQUEST = 10_000
MAX_PAGES = 1_000
MAX_NEWS_PAGES = 50
NEWS_PAGE_SIZE = 100
TOKEN_MARGIN_S = 30.0
SCOPE = "trapi"
_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:\d{2})?$")
NOT_CONFIGURED = (
    "refinitiv is not configured: set REFINITIV_APP_KEY, REFINITIV_USERNAME and "
    "REFINITIV_PASSWORD (or REFINITIV_CLIENT_ID and REFINITIV_CLIENT_SECRET)"
)


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


def to_ric(symbol: str) -> str:
    """A RIC for `symbol`: kept when it already is one, else ticker + ".O" (NASDAQ)."""
    cleaned = normalize_symbol(symbol)
    return cleaned if "." in cleaned else f"{cleaned}{DEFAULT_RIC_SUFFIX}"


# -- configuration ------------------------------------------------------------------------


@dataclass(frozen=True)
class RefinitivCredentials:
    """Either a v1 password grant or a v2 client-credentials grant."""

    grant: str  # "password" | "client_credentials"
    client_id: str  # the app key for v1
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    client_secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> RefinitivCredentials:
        if settings.refinitiv_client_id and settings.refinitiv_client_secret:
            return cls(
                "client_credentials", settings.refinitiv_client_id,
                client_secret=settings.refinitiv_client_secret.get_secret_value(),
            )
        if (settings.refinitiv_app_key and settings.refinitiv_username
                and settings.refinitiv_password):
            return cls(
                "password", settings.refinitiv_app_key, username=settings.refinitiv_username,
                password=settings.refinitiv_password.get_secret_value(),
            )
        raise not_configured(NOT_CONFIGURED)


def ensure_refinitiv_configured(settings: Settings) -> None:
    RefinitivCredentials.from_settings(settings)


@dataclass
class RetryPolicy:
    """Exponential back-off with jitter; `sleep` and `jitter` are injectable for tests."""

    max_retries: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    jitter: Callable[[], float] = random.random

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        backoff = min(self.max_delay_s, self.base_delay_s * 2**attempt)
        return backoff * (0.5 + 0.5 * self.jitter())


# -- the HTTP client: tokens, retries, error mapping -----------------------------------------


class RefinitivClient:
    """Authenticated JSON GETs against the platform, with retries and error mapping."""

    def __init__(
        self,
        credentials: RefinitivCredentials,
        base_url: str,
        *,
        http_client: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        timeout_s: float = 30.0,
    ) -> None:
        self.credentials = credentials
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self._http = http_client
        self._clock = clock
        self._timeout = timeout_s
        self._lock = asyncio.Lock()
        self._access_token: str | None = None
        self._refresh_token: str | None = None
        self._expires_at = 0.0

    async def get_json(self, path: str, params: dict[str, Any]) -> Any:
        """GET `path` with a valid token; one token renewal on 401."""
        for renewal in (False, True):
            token = await self.token(force=renewal)
            response = await self._send(
                "GET", path, params=params, headers={"Authorization": f"Bearer {token}"}
            )
            if response.status_code == 401 and not renewal:
                logger.info("refinitiv answered 401; renewing the token once")
                continue
            return self._json_or_raise(response, path)
        raise AssertionError("unreachable")  # pragma: no cover

    async def token(self, *, force: bool = False) -> str:
        """The cached access token, renewed when it is within 30 s of expiry."""
        async with self._lock:
            if force:
                self._access_token = None
            if self._access_token and self._clock() < self._expires_at - TOKEN_MARGIN_S:
                return self._access_token
            if self._refresh_token and self.credentials.grant == "password":
                try:
                    return await self._grant(self._refresh_form())
                except MarketDataError:
                    logger.info("refinitiv refused the refresh token; signing in again")
                    self._refresh_token = None
            return await self._grant(self._sign_in_form())

    def _sign_in_form(self) -> dict[str, str]:
        c = self.credentials
        if c.grant == "client_credentials":
            return {"grant_type": "client_credentials", "client_id": c.client_id,
                    "client_secret": c.client_secret or "", "scope": SCOPE}
        return {"grant_type": "password", "username": c.username or "",
                "password": c.password or "", "client_id": c.client_id, "scope": SCOPE,
                "takeExclusiveSignOnControl": "true"}

    def _refresh_form(self) -> dict[str, str]:
        c = self.credentials
        return {"grant_type": "refresh_token", "refresh_token": self._refresh_token or "",
                "username": c.username or "", "client_id": c.client_id}

    async def _grant(self, form: dict[str, str]) -> str:
        version = "v2" if form["grant_type"] == "client_credentials" else "v1"
        path = f"/auth/oauth2/{version}/token"
        response = await self._send("POST", path, data=form)
        if response.status_code in (400, 401, 403):
            detail = _error_text(response)
            if form["grant_type"] == "refresh_token":
                raise MarketDataError(f"refinitiv refused the refresh token: {detail}")
            raise not_configured(
                f"refinitiv refused the credentials ({detail}); check "
                + ("REFINITIV_CLIENT_ID and REFINITIV_CLIENT_SECRET" if version == "v2"
                   else "REFINITIV_APP_KEY, REFINITIV_USERNAME and REFINITIV_PASSWORD")
            )
        body = self._json_or_raise(response, path)
        try:
            access = str(body["access_token"])
            # The platform sends expires_in as a string ("600").
            lifetime = float(body.get("expires_in", 300))
        except (KeyError, TypeError, ValueError) as exc:
            raise MarketDataError("refinitiv sent a token answer without access_token") from exc
        self._access_token = access
        self._refresh_token = body.get("refresh_token") or self._refresh_token
        self._expires_at = self._clock() + lifetime
        return access

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request with retries on 429, 5xx and transport errors."""
        url = f"{self.base_url}{path}"
        policy = self.retry
        for attempt in range(policy.max_retries + 1):
            last = attempt == policy.max_retries
            try:
                response = await self._request(method, url, **kwargs)
            except httpx.TransportError as exc:
                if last:
                    raise MarketDataUnavailable(
                        f"refinitiv could not be reached ({type(exc).__name__}) after "
                        f"{attempt + 1} attempts"
                    ) from exc
                await policy.sleep(policy.delay(attempt, None))
                continue
            if response.status_code != 429 and response.status_code < 500:
                return response
            retry_after = _retry_after(response)
            if last or (retry_after is not None and retry_after > policy.max_delay_s):
                raise MarketDataUnavailable(
                    f"refinitiv answered {response.status_code} ({_error_text(response)}) "
                    f"after {attempt + 1} attempts",
                    retry_after=max(1, int(retry_after or policy.max_delay_s)),
                )
            logger.info("refinitiv answered %s; retrying", response.status_code)
            await policy.sleep(policy.delay(attempt, retry_after))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        if self._http is not None:
            return await self._http.request(method, url, timeout=self._timeout, **kwargs)
        async with httpx.AsyncClient(timeout=self._timeout) as client:
            return await client.request(method, url, **kwargs)

    def _json_or_raise(self, response: httpx.Response, path: str) -> Any:
        if response.status_code >= 400:
            raise MarketDataError(
                f"refinitiv answered {response.status_code} to {path.split('?')[0]}: "
                f"{_error_text(response)}"
            )
        try:
            return response.json()
        except ValueError as exc:
            raise MarketDataError(f"refinitiv sent a body that is not JSON for {path}") from exc


def _error_text(response: httpx.Response) -> str:
    """The vendor's message from `{"error": {...}}` or an OAuth `{"error": "..."}`."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or f"HTTP {response.status_code}"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        message = error.get("message") or "no message"
        code = error.get("code")
        return f"{message} (code {code})" if code else str(message)
    if isinstance(error, str):
        description = body.get("error_description")
        return f"{error}: {description}" if description else error
    return response.reason_phrase or f"HTTP {response.status_code}"


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


# -- historical pricing ---------------------------------------------------------------------


class RefinitivProvider:
    """`fetch_bars` over the historical-pricing summaries."""

    name = "refinitiv"

    def __init__(self, client: RefinitivClient) -> None:
        self.client = client

    @classmethod
    def from_settings(
        cls, settings: Settings, *, http_client: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
    ) -> RefinitivProvider:
        client = RefinitivClient(
            RefinitivCredentials.from_settings(settings), settings.refinitiv_base_url,
            http_client=http_client,
            retry=retry or RetryPolicy(max_retries=settings.refinitiv_max_retries),
        )
        return cls(client)

    async def fetch_bars(
        self, symbol: str, frequency: str, start: datetime, end: datetime
    ) -> pl.DataFrame:
        freq = get_frequency(frequency)
        start_utc, end_utc = check_range(start, end)
        ric = to_ric(symbol)
        interval = _INTERVALS[freq.name]
        # Intraday stamps may be bar ends: ask one bar further so the bar starting at
        # `end` is included; the range is applied to bar starts afterwards.
        reach = timedelta(minutes=interval.minutes or 0)
        rows = await self._fetch_rows(ric, interval, start_utc, end_utc + reach)
        if not rows:
            return empty_bars()
        frame = _rows_to_frame(rows, interval, weekly=freq.name == "1wk")
        if interval.resample:
            frame = _resample(frame, interval.resample, interval.offset)
        return finalize_bars(frame, start_utc, end_utc)

    async def _fetch_rows(
        self, ric: str, interval: _Interval, start: datetime, end: datetime
    ) -> list[_Row]:
        path = f"/data/historical-pricing/v1/views/{interval.view}/{quote(ric, safe='')}"
        params: dict[str, Any] = {
            "interval": interval.code,
            "start": _format_time(start, interval),
            "count": MAX_ROWS_PER_REQUEST,
            "fields": ",".join(PRICE_FIELDS),
        }
        if interval.minutes is not None:
            params["sessions"] = "normal"
        rows: list[_Row] = []
        page_end = end
        for _ in range(MAX_PAGES):
            payload = await self.client.get_json(
                path, {**params, "end": _format_time(page_end, interval)}
            )
            page, oldest = _parse_page(payload, ric, interval)
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


def _format_time(moment: datetime, interval: _Interval) -> str:
    if interval.minutes is None:
        return moment.date().isoformat()
    # The platform's own format: nanosecond digits and a Z.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def _parse_page(
    payload: Any, ric: str, interval: _Interval
) -> tuple[list[_Row], datetime | None]:
    """Rows with prices of one answer (a top-level JSON array) and the oldest stamp
    received, volume-only rows included (paging continues before it)."""
    if isinstance(payload, dict) and "error" in payload:
        raise MarketDataError(f"refinitiv error for {ric}: {payload['error']}")
    if not isinstance(payload, list):
        raise MarketDataError(
            f"refinitiv sent an unexpected answer for {ric}: expected a JSON array"
        )
    if not payload:
        return [], None
    element = payload[0]
    if not isinstance(element, dict):
        raise MarketDataError(f"refinitiv sent an unexpected element for {ric}")
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
    headers = [h.get("name") for h in element.get("headers", []) if isinstance(h, dict)]
    shift = _label_shift(element, interval)
    columns = _column_indices(headers, ric)
    oldest = min(_parse_stamp(raw[columns["time"]]) for raw in data)
    return [row for raw in data if (row := _to_row(raw, columns, shift))], oldest


def _label_shift(element: dict[str, Any], interval: _Interval) -> timedelta:
    """How far a stamp is after its bar's start: intraday bars default to endPeriod."""
    if interval.minutes is None:
        return timedelta(0)
    label = str(element.get("summaryTimestampLabel") or "endPeriod")
    return timedelta(minutes=interval.minutes) if label == "endPeriod" else timedelta(0)


def _column_indices(headers: list[Any], ric: str) -> dict[str, int]:
    time_name = next((n for n in ("DATE_TIME", "DATE") if n in headers), None)
    missing = [name for name in PRICE_FIELDS[:4] if name not in headers]
    if time_name is None or missing:
        raise MarketDataError(
            f"refinitiv sent no {', '.join(missing) or 'DATE_TIME'} for {ric}; "
            "it may not trade as an equity (FX and rates quote BID fields)"
        )
    indices = {"time": headers.index(time_name)}
    for name in PRICE_FIELDS:
        if name in headers:
            indices[name] = headers.index(name)
    return indices


def _to_row(raw: Any, columns: dict[str, int], shift: timedelta) -> _Row | None:
    """One data row, or None when it has no prices (volume-only rows exist)."""
    if not isinstance(raw, list):
        return None
    values: list[Any] = [raw[columns[name]] if columns[name] < len(raw) else None
                         for name in PRICE_FIELDS[:4]]
    if any(v is None for v in values):
        return None
    volume_at = columns.get("ACVOL_UNS")
    volume = raw[volume_at] if volume_at is not None and volume_at < len(raw) else None
    label = _parse_stamp(raw[columns["time"]])
    try:
        open_, high, low, close = (float(v) for v in values)
        return _Row(label, label - shift, open_, high, low, close, float(volume or 0.0))
    except (TypeError, ValueError):
        return None


def _parse_stamp(value: Any) -> datetime:
    """The platform's stamps: "2022-06-22", "2022-05-25T20:00:00.000000000Z" (UTC)."""
    text = str(value).strip()
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    match = _STAMP.match(text)
    if not match:
        raise ValueError(f"unreadable refinitiv timestamp {text!r}")
    seconds, digits, offset = match.groups()
    zone = "+00:00" if offset in (None, "Z", "z") else offset
    # Python reads at most microseconds; the platform sends nanoseconds.
    micros = int((digits or "")[:6].ljust(6, "0"))
    moment = datetime.fromisoformat(seconds + zone) + timedelta(microseconds=micros)
    return moment.astimezone(UTC)


def _rows_to_frame(rows: list[_Row], interval: _Interval, *, weekly: bool) -> pl.DataFrame:
    frame = pl.DataFrame({
        "timestamp": [row.start for row in rows],
        "open": [row.open for row in rows],
        "high": [row.high for row in rows],
        "low": [row.low for row in rows],
        "close": [row.close for row in rows],
        "volume": [row.volume for row in rows],
    }).with_columns(pl.col("timestamp").cast(pl.Datetime("us", "UTC")))
    if weekly:  # stamp each weekly bar on its Monday, as the other sources do
        frame = frame.with_columns(pl.col("timestamp").dt.truncate("1w"))
    return frame.unique(subset="timestamp", keep="first").sort("timestamp")


def _resample(frame: pl.DataFrame, every: str, offset: str | None) -> pl.DataFrame:
    """Coarser bars from finer ones, on a grid that starts at the 09:30 session open.

    The session opens at 13:30 or 14:30 UTC, so a 15-minute grid from midnight and an
    hourly grid offset by 30 minutes both start exactly at the open.
    """
    return (
        frame.sort("timestamp")
        .group_by_dynamic("timestamp", every=every, offset=offset, closed="left", label="left")
        .agg(
            pl.col("open").first(), pl.col("high").max(), pl.col("low").min(),
            pl.col("close").last(), pl.col("volume").sum(),
        )
    )


# -- news headlines -------------------------------------------------------------------------


@dataclass(frozen=True)
class RefinitivHeadline:
    published_at: datetime
    headline: str
    story_id: str | None


class RefinitivNewsClient:
    """Headlines for one instrument from `/data/news/v1/headlines`, cursor-paged."""

    def __init__(self, client: RefinitivClient) -> None:
        self.client = client

    @classmethod
    def from_settings(
        cls, settings: Settings, *, http_client: httpx.AsyncClient | None = None
    ) -> RefinitivNewsClient:
        return cls(RefinitivProvider.from_settings(settings, http_client=http_client).client)

    async def headlines(
        self, symbol: str, start: datetime, end: datetime
    ) -> list[RefinitivHeadline]:
        """English headlines about `symbol` published in [start, end], oldest first.

        At most `MAX_NEWS_PAGES` pages of `NEWS_PAGE_SIZE` are read.
        """
        start_utc, end_utc = check_range(start, end)
        params: dict[str, Any] = {
            "query": f"R:{to_ric(symbol)} AND Language:LEN",
            "limit": NEWS_PAGE_SIZE,
            "dateFrom": start_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "dateTo": end_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "sort": "newToOld",
        }
        found: dict[tuple[str, datetime], RefinitivHeadline] = {}
        for _ in range(MAX_NEWS_PAGES):
            body = await self.client.get_json("/data/news/v1/headlines", params)
            if not isinstance(body, dict):
                raise MarketDataError("refinitiv sent an unexpected news answer (not an object)")
            for item in body.get("data") or []:
                headline = _parse_headline(item)
                if headline and start_utc <= headline.published_at <= end_utc:
                    found[(headline.headline, headline.published_at)] = headline
            cursor = (body.get("meta") or {}).get("next")
            if not cursor:
                break
            # The cursor carries the query; only the page size goes with it.
            params = {"cursor": cursor, "limit": NEWS_PAGE_SIZE}
        return sorted(found.values(), key=lambda h: h.published_at)


def _parse_headline(item: Any) -> RefinitivHeadline | None:
    try:
        meta = item["newsItem"]["itemMeta"]
        title = meta["title"][0]["$"]
        published = _parse_stamp(meta["versionCreated"]["$"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if not str(title).strip():
        return None
    return RefinitivHeadline(published, str(title).strip(), item.get("storyId"))
