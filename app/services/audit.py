"""Audit trail rows: who, what, when, from where."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import request_id
from app.models import AuditLog
from app.services.batch_writer import Row, row


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from, as far as the trusted proxies let us know."""

    ip: str | None
    user_agent: str | None


def entry(
    action: str,
    client: ClientInfo,
    user_id: uuid.UUID | None = None,
    **details: Any,
) -> Row:
    """An audit row for a caller that saves it itself (/predict's group commit),
    stamped with the current request's id."""
    return row(AuditLog, **_fields(action, client, user_id, details))


async def record(
    session: AsyncSession,
    action: str,
    client: ClientInfo,
    user_id: uuid.UUID | None = None,
    **details: Any,
) -> None:
    session.add(AuditLog(**_fields(action, client, user_id, details)))
    await session.flush()


def _fields(
    action: str, client: ClientInfo, user_id: uuid.UUID | None, details: dict[str, Any]
) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "action": action,
        "client_ip": client.ip,
        "user_agent": (client.user_agent or "")[:256] or None,
        "details": details,
        "request_id": request_id.current(),
    }
