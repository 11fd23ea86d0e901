"""A fake LSEG / Refinitiv platform for training jobs, served through httpx.MockTransport.

The recorded fixtures (tests/fixtures/refinitiv) are a handful of days; a training
job needs years. `PagedRefinitiv` answers the documented interday-summaries shape
(`interday_page1.json`) with the synthetic source's bars, a few rows a page and
each page as slow as asked, and can answer the first data requests with scripted
failures (a 429 with Retry-After, a 503). It is the only fake in these tests: the
job, the worker, PostgreSQL and Redis are real.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from app.config import Settings
from app.services.market_data.synthetic import synthetic_bars

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "refinitiv"
BASE_URL = "https://refinitiv.test"
HEADERS = [
    {"name": "DATE", "type": "string"},
    {"name": "OPEN_PRC", "type": "number", "decimalChar": "."},
    {"name": "HIGH_1", "type": "number", "decimalChar": "."},
    {"name": "LOW_1", "type": "number", "decimalChar": "."},
    {"name": "TRDPRC_1", "type": "number", "decimalChar": "."},
    {"name": "ACVOL_UNS", "type": "number", "decimalChar": "."},
]


def refinitiv_settings() -> dict[str, Any]:
    """Settings overrides that configure the Refinitiv source against the fake."""
    return {
        "refinitiv_app_key": "app-key-123",
        "refinitiv_username": "trader@example.com",
        "refinitiv_password": "s3cret",
        "refinitiv_base_url": BASE_URL,
        "refinitiv_max_retries": 0,  # the job's back-off is under test, not the client's
    }


class PagedRefinitiv:
    def __init__(
        self,
        symbol: str = "AAPL",
        *,
        rows_per_page: int = 100,
        page_delay_s: float = 0.0,
        failures: list[httpx.Response] | None = None,
    ) -> None:
        bars = synthetic_bars(
            symbol, "1d", datetime(2010, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC)
        )
        self.rows = [
            [ts.date().isoformat(), o, h, lo, c, v]
            for ts, o, h, lo, c, v in zip(
                bars["timestamp"],
                bars["open"],
                bars["high"],
                bars["low"],
                bars["close"],
                bars["volume"],
                strict=True,
            )
        ]
        self.rows_per_page = rows_per_page
        self.page_delay_s = page_delay_s
        self.failures = list(failures or [])
        self.pages = 0  # data pages served
        self.answers: list[tuple[float, int]] = []  # (monotonic time, status) per data request

    def client(self, settings: Settings) -> httpx.AsyncClient:
        """The HTTP client a job context uses: every request goes to this fake."""
        return httpx.AsyncClient(
            transport=httpx.MockTransport(self.handler), timeout=settings.webhook_timeout_s
        )

    async def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/auth/"):
            return httpx.Response(200, json=_fixture("token_v1.json"))
        if self.failures:
            failure = self.failures.pop(0)
            self.answers.append((time.monotonic(), failure.status_code))
            return failure
        await asyncio.sleep(self.page_delay_s)
        start, end = request.url.params["start"], request.url.params["end"]
        rows = [row for row in reversed(self.rows) if start <= row[0] <= end]
        self.pages += 1
        self.answers.append((time.monotonic(), 200))
        page = {
            "universe": {"ric": "AAPL.O"},
            "interval": "P1D",
            "summaryTimestampLabel": "endPeriod",
            "defaultPricingField": "TRDPRC_1",
            "headers": HEADERS,
            "data": rows[: self.rows_per_page],
        }
        return httpx.Response(200, json=[page])


def rate_limited(retry_after_s: int) -> httpx.Response:
    """The platform's 429, with its Retry-After."""
    return httpx.Response(
        429,
        headers={"Retry-After": str(retry_after_s)},
        json={"error": {"code": "429", "message": "Too many requests, please try again later."}},
    )


def _fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())
