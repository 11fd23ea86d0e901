"""The one door to the LSEG / Refinitiv Data Platform, shared by bars and news.

Pricing and news reach the same platform with the same credentials, tokens and retry
budget, so signing in, renewing tokens, retrying and turning vendor errors into ours
live here once, together with the platform's conventions (RICs, timestamps) that both
need. How the vendor behaves: `docs/vendors/refinitiv.md`.
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

import httpx

from app.core.instruments import UnknownInstrument, resolve
from app.services.market_data.base import (
    MarketDataError,
    MarketDataUnavailable,
    normalize_symbol,
    not_configured,
)

if TYPE_CHECKING:
    from app.config import Settings

logger = logging.getLogger("app.market_data.refinitiv")

DEFAULT_RIC_SUFFIX = ".O"  # a plain US ticker's venue (app.core.instruments.EXCHANGES)
TOKEN_MARGIN_S = 30.0
DEFAULT_MAX_CONCURRENCY = 4
SCOPE = "trapi"
_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:\d{2})?$")
NOT_CONFIGURED = (
    "refinitiv is not configured: set REFINITIV_APP_KEY, REFINITIV_USERNAME and "
    "REFINITIV_PASSWORD (or REFINITIV_CLIENT_ID and REFINITIV_CLIENT_SECRET)"
)


# -- platform conventions: symbols and stamps ----------------------------------------------


def to_ric(symbol: str) -> str:
    """The RIC of `symbol`'s instrument (`app.core.instruments`): a RIC is kept as
    written, case included (BRKb.N, .SPX, EUR=); a plain US ticker gets ".O"
    (NASDAQ), and a Bloomberg security its RIC (VOD LN Equity: VOD.L). A symbol the
    resolver does not read is passed on as typed (the platform answers for it)."""
    try:
        return resolve(symbol).ric
    except UnknownInstrument:
        return normalize_symbol(symbol)


def parse_stamp(value: Any) -> datetime:
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
                "client_credentials",
                settings.refinitiv_client_id,
                client_secret=settings.refinitiv_client_secret.get_secret_value(),
            )
        if (
            settings.refinitiv_app_key
            and settings.refinitiv_username
            and settings.refinitiv_password
        ):
            return cls(
                "password",
                settings.refinitiv_app_key,
                username=settings.refinitiv_username,
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
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    ) -> None:
        self.credentials = credentials
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self._http = http_client
        self._clock = clock
        self._timeout = timeout_s
        self._lock = asyncio.Lock()
        # At most this many requests of this client in flight at once (retries'
        # back-off waits do not hold a slot): the vendor's per-account limits are
        # the process's, not a job's.
        self._slots = asyncio.Semaphore(max_concurrency)
        self._access_token: str | None = None
        self._refresh_token: str | None = None
        self._expires_at = 0.0

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        http_client: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
    ) -> RefinitivClient:
        return cls(
            RefinitivCredentials.from_settings(settings),
            settings.refinitiv_base_url,
            http_client=http_client,
            retry=retry or RetryPolicy(max_retries=settings.refinitiv_max_retries),
            max_concurrency=settings.vendor_max_concurrency,
        )

    async def get_json(self, path: str, params: dict[str, Any]) -> Any:
        """GET `path` with a valid token; one token renewal on 401."""
        rejected: str | None = None
        for renewal in (False, True):
            token = await self.token(stale=rejected)
            response = await self._send(
                "GET", path, params=params, headers={"Authorization": f"Bearer {token}"}
            )
            if response.status_code == 401 and not renewal:
                logger.info("refinitiv answered 401; renewing the token once")
                rejected = token
                continue
            return self._json_or_raise(response, path)
        raise AssertionError("unreachable")  # pragma: no cover

    async def token(self, *, force: bool = False, stale: str | None = None) -> str:
        """The cached access token, renewed when it is within 30 s of expiry.

        `stale`: a token the platform refused (401). It is renewed only if it is
        still the cached one, so N requests refused together cause one renewal: the
        first renews under the lock, the others find the new token when they get it.
        """
        async with self._lock:
            if force or (stale is not None and stale == self._access_token):
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
            return {
                "grant_type": "client_credentials",
                "client_id": c.client_id,
                "client_secret": c.client_secret or "",
                "scope": SCOPE,
            }
        return {
            "grant_type": "password",
            "username": c.username or "",
            "password": c.password or "",
            "client_id": c.client_id,
            "scope": SCOPE,
            "takeExclusiveSignOnControl": "true",
        }

    def _refresh_form(self) -> dict[str, str]:
        c = self.credentials
        return {
            "grant_type": "refresh_token",
            "refresh_token": self._refresh_token or "",
            "username": c.username or "",
            "client_id": c.client_id,
        }

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
                + (
                    "REFINITIV_CLIENT_ID and REFINITIV_CLIENT_SECRET"
                    if version == "v2"
                    else "REFINITIV_APP_KEY, REFINITIV_USERNAME and REFINITIV_PASSWORD"
                )
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
        async with self._slots:
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


def vendor_error_text(error: Any) -> str:
    """The message of a platform error object (`{"id", "code", "message", "status"}`),
    whether it came as a whole answer or as an element of a 200 answer's list."""
    if isinstance(error, dict):
        message = error.get("message") or error.get("status") or "no message"
        code = error.get("code")
        return f"{message} (code {code})" if code else str(message)
    return str(error) if error else "no message"


def _error_text(response: httpx.Response) -> str:
    """The vendor's message from `{"error": {...}}` or an OAuth `{"error": "..."}`."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or f"HTTP {response.status_code}"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return vendor_error_text(error)
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
