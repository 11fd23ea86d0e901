"""Collect every field at fault, then answer one 422 that names them all.

A trader who gets one error at a time fixes a request five times; validation that
needs several fields (or the user, or the settings) gathers here instead.
"""

from __future__ import annotations

from typing import Any

from app.errors import Unprocessable

Loc = list[str | int]


class FieldErrors:
    """`{loc, msg, type}` items under `prefix` (the request part: "body", "query")."""

    def __init__(self, prefix: str = "body") -> None:
        self.prefix = prefix
        self.items: list[dict[str, Any]] = []

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, loc: Loc, msg: str) -> None:
        self.items.append({"loc": [self.prefix, *loc], "msg": msg, "type": "value_error"})

    def absorb(self, exc: Unprocessable, default: Loc) -> None:
        """Keep a domain error's own field paths (e.g. `prediction_horizon`)."""
        details = exc.details if isinstance(exc.details, list) and exc.details else None
        for detail in details or [{"loc": default, "msg": exc.message}]:
            self.add(list(detail.get("loc") or default), str(detail.get("msg") or exc.message))

    def raise_if_any(self) -> None:
        if self.items:
            raise Unprocessable(self.items[0]["msg"], details=self.items)
