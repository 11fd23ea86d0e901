"""Single use of stream tokens (app/security.py): a token's `jti` is spent on first use.

Spent ids are rows of `token_revocations` (key `stream:<jti>`, kept until the token
would have expired; the revocation purge removes them), in both modes: the primary key
makes "spend" atomic across every replica and process sharing the database, and a
Redis restart or outage can neither let a token be used twice nor refuse a good one.
One insert per stream opened.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import TokenRevocation

KEY_PREFIX = "stream:"


async def spend(
    sessionmaker: async_sessionmaker[AsyncSession], jti: str, expires_at: datetime
) -> bool:
    """Mark the token used, committed at once; False when it already was."""
    async with sessionmaker() as session:
        session.add(TokenRevocation(key=KEY_PREFIX + jti, expires_at=expires_at))
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
            return False
    return True
