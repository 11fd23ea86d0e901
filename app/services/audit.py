"""Audit trail rows: who, what, when, from where."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import request_id
from app.models import AuditLog


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
) -> AuditLog:
    """An audit row for a caller that saves it itself (/predict's group commit),
    stamped with the current request's id."""
    return AuditLog(
        user_id=user_id,
        action=action,
        client_ip=client.ip,
        user_agent=(client.user_agent or "")[:256] or None,
        details=details,
        request_id=request_id.current(),
    )


async def record(
    session: AsyncSession,
    action: str,
    client: ClientInfo,
    user_id: uuid.UUID | None = None,
    **details: Any,
) -> None:
    session.add(entry(action, client, user_id, **details))
    await session.flush()
