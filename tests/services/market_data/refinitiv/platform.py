"""A Refinitiv platform serving any range of a deterministic series, in the vendor's
documented historical-pricing shape (`interday_page1.json`, `intraday_1min.json`):
headers + rows newest first, intraday rows stamped at their end ("endPeriod").

For the tests about sessions, concurrency and the bar store: it counts sign-ins and
data requests, records each data request's `start`/`end`, the most requests ever
in flight at once, and can serve a 401 to a chosen token or a forming bar.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx

from app.core.clock import NEW_YORK
from tests.services.market_data.refinitiv.vendor import BASE, fixture

HEADERS = ["OPEN_PRC", "HIGH_1", "LOW_1", "TRDPRC_1", "ACVOL_UNS"]


def _price(index: int) -> list[float]:
    close = 100.0 + (index % 97) * 0.25
    return [close - 0.1, close + 0.5, close - 0.5, close, 1000.0 + index]


class Platform:
    """The scripted vendor (see the module doc); `now` ends intraday answers."""

    def __init__(
        self,
        *,
        delay_s: float = 0.0,
        now: Callable[[], datetime] | None = None,
        refuse_token: str | None = None,
    ) -> None:
        self.delay_s = delay_s
        self.now = now or (lambda: datetime.now(UTC))
        self.refuse_token = refuse_token
        self.token_forms: list[dict[str, str]] = []
        self.data: list[httpx.Request] = []
        self.in_flight = 0
        self.max_in_flight = 0

    @property
    def sign_ins(self) -> int:
        return len(self.token_forms)

    def ranges(self) -> list[tuple[str, str]]:
        """(start, end) of each data request, as sent."""
        return [(r.url.params["start"], r.url.params["end"]) for r in self.data]

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handle), base_url=BASE)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/auth/"):
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            self.token_forms.append(form)
            await asyncio.sleep(self.delay_s)
            name = "token_v1_refreshed.json" if self.sign_ins > 1 else "token_v1.json"
            return httpx.Response(200, json=fixture(name))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay_s)
            token = request.headers["Authorization"].removeprefix("Bearer ")
            if token == self.refuse_token:
                return httpx.Response(
                    401, json={"error": {"code": "401", "message": "token expired"}}
                )
            if request.url.path.startswith("/data/news/"):
                return httpx.Response(200, json=fixture("news_page2.json"))
            self.data.append(request)
            return httpx.Response(200, json=self._bars(request))
        finally:
            self.in_flight -= 1

    def _bars(self, request: httpx.Request) -> list[dict[str, Any]]:
        params = request.url.params
        interval = params["interval"]
        ric = request.url.path.rsplit("/", 1)[-1]
        if interval == "P1D":
            first, last = date.fromisoformat(params["start"]), date.fromisoformat(params["end"])
            days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
            rows = [
                [day.isoformat(), *_price(day.toordinal())] for day in days if day.weekday() < 5
            ]
            time_name = "DATE"
        else:
            minutes = int(interval.removeprefix("PT").removesuffix("M"))
            start = datetime.fromisoformat(params["start"][:26] + "+00:00")
            end = min(datetime.fromisoformat(params["end"][:26] + "+00:00"), self._forming_end())
            rows = []
            stamp = start.replace(second=0, microsecond=0)
            while stamp <= end:  # stamps are bar ends
                local = (stamp - timedelta(minutes=minutes)).astimezone(NEW_YORK)
                minute = local.hour * 60 + local.minute
                if local.weekday() < 5 and 9 * 60 + 30 <= minute < 16 * 60 and stamp >= start:
                    index = int(stamp.timestamp() // 60)
                    rows.append([stamp.strftime("%Y-%m-%dT%H:%M:%S.000000000Z"), *_price(index)])
                stamp += timedelta(minutes=minutes)
            time_name = "DATE_TIME"
        return [
            {
                "universe": {"ric": ric},
                "interval": interval,
                "summaryTimestampLabel": "endPeriod",
                "headers": [{"name": time_name, "type": "string"}]
                + [{"name": name, "type": "number", "decimalChar": "."} for name in HEADERS],
                "data": rows[::-1],
            }
        ]

    def _forming_end(self) -> datetime:
        """The vendor also sends the bar still forming (stamped at its coming end)."""
        now = self.now()
        return now.replace(second=0, microsecond=0) + timedelta(minutes=1)
