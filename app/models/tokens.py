"""Refresh tokens (stored hashed, grouped in families) and revocations.

A revocation row keeps a denied access-token `jti` or a whole refresh family
(`fam:<id>`) until the token would have expired anyway; in embedded mode it is
the cross-instance truth, in Redis mode the durable copy.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, created_at_field, uuid_pk


class RefreshToken(SQLModel, table=True):
    __tablename__ = "refresh_tokens"

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    family_id: uuid.UUID = Field(index=True)
    # SHA-256 of the token: a database leak gives nobody a usable token.
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = created_at_field()


class TokenRevocation(SQLModel, table=True):
    __tablename__ = "token_revocations"

    key: str = Field(primary_key=True, max_length=80)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    created_at: datetime = created_at_field()
