"""The one keyset cursor: opaque, unpadded, read back padded or not, refused when forged."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.core.pagination import decode_cursor, encode_cursor, page_of
from app.errors import Unprocessable

STAMP = datetime(2025, 6, 10, 14, 30, 0, 123456, tzinfo=UTC)
ROW_ID = uuid.UUID("12345678-1234-5678-1234-567812345678")


def test_a_cursor_round_trips() -> None:
    assert decode_cursor(encode_cursor(STAMP, ROW_ID)) == (STAMP, ROW_ID)
    # Another offset is the same instant, read back with its offset.
    eastern = STAMP.astimezone(timezone(timedelta(hours=-4)))
    assert decode_cursor(encode_cursor(eastern, ROW_ID)) == (STAMP, ROW_ID)


def test_cursors_are_unpadded_and_padded_ones_still_decode() -> None:
    whole_second = STAMP.replace(microsecond=0)  # 62 bytes: base64 would pad them
    raw = f"{whole_second.isoformat()}|{ROW_ID}".encode()
    padded = base64.urlsafe_b64encode(raw).decode()
    assert padded.endswith("=")
    cursor = encode_cursor(whole_second, ROW_ID)
    assert cursor == padded.rstrip("=") and "=" not in cursor
    assert decode_cursor(padded) == decode_cursor(cursor) == (whole_second, ROW_ID)


def _forged(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param(_forged(f"2025-06-10T14:30:00|{ROW_ID}"), id="naive-instant"),
        pytest.param(_forged(f"yesterday|{ROW_ID}"), id="not-an-instant"),
        pytest.param(_forged(f"{STAMP.isoformat()}|not-a-uuid"), id="not-a-uuid"),
        pytest.param(_forged(f"{STAMP.isoformat()}|{ROW_ID}|extra"), id="three-parts"),
        pytest.param(_forged(STAMP.isoformat()), id="one-part"),
        pytest.param(base64.urlsafe_b64encode(b"\xff\xfe|x").decode(), id="not-utf8"),
        pytest.param("!!!", id="not-base64"),
        pytest.param("abcde", id="impossible-length"),
    ],
)
def test_a_cursor_this_api_did_not_issue_is_a_422_on_the_query_field(cursor: str) -> None:
    with pytest.raises(Unprocessable) as caught:
        decode_cursor(cursor)
    assert caught.value.details == [
        {"loc": ["query", "cursor"], "msg": "not a cursor this API returned", "type": "value_error"}
    ]


@dataclass
class Row:
    created_at: datetime
    id: uuid.UUID


def test_page_of_cuts_one_past_the_limit_and_points_at_the_last_row_shown() -> None:
    rows = [Row(STAMP - timedelta(minutes=i), uuid.uuid4()) for i in range(3)]
    assert page_of(rows, 3) == (rows, None)
    assert page_of(rows[:2], 3) == (rows[:2], None)
    page, cursor = page_of(rows, 2)
    assert page == rows[:2]
    assert cursor is not None and decode_cursor(cursor) == (rows[1].created_at, rows[1].id)
