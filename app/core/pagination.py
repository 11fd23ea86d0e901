"""Keyset pagination on (created_at, id), newest first: stable under inserts.

One opaque cursor format for every list: URL-safe base64 of "instant|id" without
padding (padded cursors issued before are still read).
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import Select

from app.errors import Unprocessable

S = TypeVar("S", bound=Select[Any])


class Keyed(Protocol):
    created_at: datetime
    id: uuid.UUID


R = TypeVar("R", bound=Keyed)


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    raw = f"{created_at.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, ident = raw.split("|")
        created_at = datetime.fromisoformat(stamp)
        if created_at.tzinfo is None:  # never issued; the database compares aware instants
            raise ValueError("naive cursor")
        return created_at, uuid.UUID(ident)
    except (ValueError, UnicodeDecodeError):
        raise Unprocessable.field(["query", "cursor"], "not a cursor this API returned") from None


def keyset(query: S, created_at: Any, row_id: Any, cursor: str | None, limit: int) -> S:
    """`query` newest first from just after `cursor`, one row more than a page."""
    if cursor:
        stamp, ident = decode_cursor(cursor)
        query = query.where((created_at < stamp) | ((created_at == stamp) & (row_id < ident)))
    return query.order_by(created_at.desc(), row_id.desc()).limit(limit + 1)


def page_of(rows: Sequence[R], limit: int) -> tuple[list[R], str | None]:
    """The page and the cursor of the next one (None on the last page)."""
    if len(rows) <= limit:
        return list(rows), None
    last = rows[limit - 1]
    return list(rows[:limit]), encode_cursor(last.created_at, last.id)
