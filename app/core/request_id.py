"""The request id: one string per HTTP request, in every log line and audit row of it.

`RequestIdMiddleware` (app/middleware.py) takes a valid `X-Request-ID` from the client
or makes one, binds it here for the request's lifetime and returns it on the response.
Everything below the edge reads it from this context variable: the log-record factory
puts it on every record as `record.request_id` ("-" outside a request), and
`services.audit` stores it in each audit row.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

HEADER = "X-Request-ID"
# What a client's id may look like; anything else is replaced (never refused: a
# request is not worth failing for a bad correlation id, and nothing odd reaches a log).
VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
NONE = "-"
# Where the middleware leaves the id in the ASGI scope, for code outside its context.
SCOPE_KEY = "atp.request_id"

_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def new() -> str:
    return uuid.uuid4().hex


def accept(candidate: str | None) -> str:
    """The client's id when it is valid, else a generated one."""
    if candidate is not None and VALID.fullmatch(candidate):
        return candidate
    return new()


def current() -> str | None:
    """The id of the request being served, or None outside one."""
    return _current.get()


@contextmanager
def bound(request_id: str) -> Iterator[None]:
    """Make `request_id` current for the block (and what it awaits)."""
    token = _current.set(request_id)
    try:
        yield
    finally:
        _current.reset(token)


_installed = False


def install_log_records() -> None:
    """Give every log record a `request_id` attribute (the current id, or "-"), for
    every handler and formatter alike (`%(request_id)s`). Idempotent."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = _current.get() or NONE
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
