"""The real `BlpapiSession` over a fake `blpapi` module (the vendor's library, which
cannot be installed from PyPI): one session reused across requests, REQUEST_STATUS
failures answered at once, a terminated session reopened, NO_AUTH "not configured"."""

from __future__ import annotations

import sys
import time
import types
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from app.services.market_data.base import (
    DataSourceNotConfigured,
    MarketDataUnavailable,
)
from app.services.market_data.bloomberg import BloombergProvider, BlpapiSession

TIMEOUT, SESSION_STATUS, AUTHORIZATION_STATUS = 10, 2, 11
REQUEST_STATUS, PARTIAL_RESPONSE, RESPONSE = 4, 6, 5


class Element:
    """blpapi's Element API over plain values (what `_element_to_py` reads)."""

    def __init__(self, name: str, value: Any) -> None:
        self._name, self._value = name, value

    def name(self) -> str:
        return self._name

    def isArray(self) -> bool:
        return isinstance(self._value, list)

    def isComplexType(self) -> bool:
        value = self._value
        return isinstance(value, dict) or (
            isinstance(value, list) and bool(value) and isinstance(value[0], dict)
        )

    def numValues(self) -> int:
        return len(self._value)

    def getValue(self, index: int | None = None) -> Any:
        return self._value if index is None else self._value[index]

    def getValueAsElement(self, index: int) -> Element:
        return Element(self._name, self._value[index])

    def elements(self) -> list[Element]:
        return [Element(key, value) for key, value in self._value.items()]


@dataclass(frozen=True)
class CorrelationId:
    value: int


class Message:
    def __init__(self, kind: str, body: dict[str, Any], cid: CorrelationId | None = None) -> None:
        self.kind, self.body, self.cid = kind, body, cid

    def messageType(self) -> str:
        return self.kind

    def correlationIds(self) -> list[CorrelationId]:
        return [self.cid] if self.cid else []

    def asElement(self) -> Element:
        return Element(self.kind, self.body)


class Event:
    TIMEOUT, SESSION_STATUS, AUTHORIZATION_STATUS = TIMEOUT, SESSION_STATUS, AUTHORIZATION_STATUS
    REQUEST_STATUS, PARTIAL_RESPONSE, RESPONSE = REQUEST_STATUS, PARTIAL_RESPONSE, RESPONSE

    def __init__(self, kind: int, messages: list[Message]) -> None:
        self.kind, self.messages = kind, messages

    def eventType(self) -> int:
        return self.kind

    def __iter__(self) -> Any:
        return iter(self.messages)


class Request:
    def __init__(self, operation: str) -> None:
        self.operation = operation
        self.params: dict[str, Any] = {}

    def set(self, name: str, value: Any) -> None:
        self.params[name] = value

    def getElement(self, name: str) -> Any:
        values = self.params.setdefault(name, [])
        return types.SimpleNamespace(appendValue=values.append)


Answer = Callable[[Request, CorrelationId, int], list[Event]]


class Terminal:
    """The fake server: `answer(request, cid, session_number)` scripts the events."""

    def __init__(self, answer: Answer, *, starts: bool = True) -> None:
        self.answer = answer
        self.starts = starts
        self.sessions: list[Session] = []
        self.requests: list[Request] = []
        self.waited_ms: list[int] = []
        self.startup_failure: dict[str, Any] | None = None


class Session:
    terminal: Terminal

    def __init__(self, options: Any) -> None:
        self.queue: deque[Event] = deque()
        self.stopped = False
        self.terminal.sessions.append(self)

    def start(self) -> bool:
        if not self.terminal.starts:
            reason = self.terminal.startup_failure or {}
            self.queue.append(
                Event(SESSION_STATUS, [Message("SessionStartupFailure", {"reason": reason})])
            )
            return False
        self.queue.append(Event(SESSION_STATUS, [Message("SessionStarted", {})]))
        return True

    def stop(self) -> None:
        self.stopped = True

    def openService(self, name: str) -> bool:
        return True

    def getService(self, name: str) -> Any:
        return types.SimpleNamespace(createRequest=Request)

    def sendRequest(self, request: Request, correlationId: CorrelationId) -> None:
        self.terminal.requests.append(request)
        number = self.terminal.sessions.index(self) + 1
        self.queue.extend(self.terminal.answer(request, correlationId, number))

    def nextEvent(self, timeout: int) -> Event:
        self.terminal.waited_ms.append(timeout)
        return self.queue.popleft() if self.queue else Event(TIMEOUT, [])

    def tryNextEvent(self) -> Event | None:
        return self.queue.popleft() if self.queue else None


def install(monkeypatch: pytest.MonkeyPatch, terminal: Terminal) -> None:
    module = types.ModuleType("blpapi")
    session_class = type("Session", (Session,), {"terminal": terminal})
    options = types.SimpleNamespace(
        setServerHost=lambda host: None,
        setServerPort=lambda port: None,
        setSessionIdentityOptions=lambda identity: None,
    )
    module.Session = session_class  # type: ignore[attr-defined]
    module.SessionOptions = lambda: options  # type: ignore[attr-defined]
    module.AuthOptions = types.SimpleNamespace(createWithApp=lambda name: name)  # type: ignore[attr-defined]
    module.CorrelationId = CorrelationId  # type: ignore[attr-defined]
    module.Event = Event  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "blpapi", module)


def history(cid: CorrelationId) -> list[Event]:
    bar = {
        "date": date(2024, 1, 2),
        "PX_OPEN": 162.83,
        "PX_HIGH": 163.29,
        "PX_LOW": 160.79,
        "PX_LAST": 161.5,
        "PX_VOLUME": 3857013.0,
    }
    body = {
        "securityData": {"security": "IBM US Equity", "fieldExceptions": [], "fieldData": [bar]}
    }
    return [Event(RESPONSE, [Message("HistoricalDataResponse", body, cid)])]


def failure(cid: CorrelationId, category: str, description: str) -> list[Event]:
    reason = {"source": "bbdbh1", "errorCode": 1, "category": category, "description": description}
    return [Event(REQUEST_STATUS, [Message("RequestFailure", {"reason": reason}, cid)])]


def provider() -> BloombergProvider:
    return BloombergProvider(BlpapiSession("bpipe.test", 8194, "acme:app"))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


async def test_one_session_serves_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal(lambda request, cid, n: history(cid))
    install(monkeypatch, terminal)
    bloomberg = provider()
    for _ in range(3):
        bars = await bloomberg.fetch_bars("IBM", "1d", utc(2024, 1, 2), utc(2024, 1, 3))
        assert bars["close"].to_list() == [161.5]
    assert len(terminal.sessions) == 1 and len(terminal.requests) == 3


async def test_adjustment_flags_are_set_on_the_blpapi_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal = Terminal(lambda request, cid, n: history(cid))
    install(monkeypatch, terminal)
    await provider().fetch_bars("IBM", "1d", utc(2024, 1, 2), utc(2024, 1, 3))
    sent = terminal.requests[0].params
    assert sent["securities"] == ["IBM US Equity"]  # a list element, appended
    assert (
        sent["adjustmentNormal"],
        sent["adjustmentAbnormal"],
        sent["adjustmentSplit"],
        sent["adjustmentFollowDPDF"],
    ) == (True, True, True, False)


async def test_a_late_answer_to_an_earlier_request_is_ignored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stale = CorrelationId(999)

    def answer(request: Request, cid: CorrelationId, n: int) -> list[Event]:
        return [*failure(stale, "TIMEOUT", "old"), *history(cid)]

    install(monkeypatch, Terminal(answer))
    bars = await provider().fetch_bars("IBM", "1d", utc(2024, 1, 2), utc(2024, 1, 3))
    assert bars.height == 1


async def test_request_failure_answers_at_once_with_the_vendors_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal = Terminal(
        lambda request, cid, n: failure(cid, "IO_ERROR", "Connection lost to bbdbh1")
    )
    install(monkeypatch, terminal)
    started = time.monotonic()
    with pytest.raises(MarketDataUnavailable) as caught:
        await provider().fetch_bars("IBM", "1d", utc(2024, 1, 2), utc(2024, 1, 3))
    assert time.monotonic() - started < 10.0  # not the 30 s timeout
    assert "Connection lost to bbdbh1" in caught.value.message
    assert "IO_ERROR" in caught.value.message
    # The failure was in the queue: no wait ended in a TIMEOUT event.
    assert len(terminal.waited_ms) == 2  # SessionStarted, then the RequestFailure


async def test_no_auth_is_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch, Terminal(lambda r, cid, n: failure(cid, "NO_AUTH", "Not authorized")))
    with pytest.raises(DataSourceNotConfigured) as caught:
        await provider().fetch_bars("IBM", "1d", utc(2024, 1, 2), utc(2024, 1, 3))
    assert "Not authorized" in caught.value.message


async def test_a_security_not_authorised_is_not_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def answer(request: Request, cid: CorrelationId, n: int) -> list[Event]:
        error = {"category": "NO_AUTH", "subcategory": "NOT_AUTHORIZED", "message": "No access"}
        body = {"securityData": {"security": "IBM US Equity", "securityError": error}}
        return [Event(RESPONSE, [Message("HistoricalDataResponse", body, cid)])]

    install(monkeypatch, Terminal(answer))
    with pytest.raises(DataSourceNotConfigured, match="No access"):
        await provider().fetch_bars("IBM", "1d", utc(2024, 1, 2), utc(2024, 1, 3))


async def test_a_session_refused_at_start_for_no_auth_is_not_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal = Terminal(lambda r, cid, n: history(cid), starts=False)
    terminal.startup_failure = {"category": "NO_AUTH", "description": "App not entitled"}
    install(monkeypatch, terminal)
    with pytest.raises(DataSourceNotConfigured, match="App not entitled"):
        await provider().fetch_bars("IBM", "1d", utc(2024, 1, 2), utc(2024, 1, 3))


async def test_a_terminated_session_is_reopened(monkeypatch: pytest.MonkeyPatch) -> None:
    def answer(request: Request, cid: CorrelationId, n: int) -> list[Event]:
        if n == 1:  # the first session dies under the request
            return [Event(SESSION_STATUS, [Message("SessionTerminated", {})])]
        return history(cid)

    terminal = Terminal(answer)
    install(monkeypatch, terminal)
    bloomberg = provider()
    bars = await bloomberg.fetch_bars("IBM", "1d", utc(2024, 1, 2), utc(2024, 1, 3))
    assert bars.height == 1
    assert len(terminal.sessions) == 2 and terminal.sessions[0].stopped
    await bloomberg.fetch_bars("IBM", "1d", utc(2024, 1, 2), utc(2024, 1, 3))
    assert len(terminal.sessions) == 2  # the new one is kept
