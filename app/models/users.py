"""The users table; its Create/Update/Public family lives in `app.schemas.users`."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from app.core.segments import UserSegment
from app.models.base import UTCDateTime, created_at_field, utcnow, uuid_pk

# ASVS 6.2.9: allow long pass-phrases, but bound the work Argon2 is asked to do.
PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 256
DEFAULT_EQUITY = 100_000.0
MAX_EQUITY = 1e12


# Stored as a checked VARCHAR, not a native PostgreSQL ENUM: adding a segment
# later is then a constraint change instead of an `ALTER TYPE` dance.
SEGMENT_TYPE = SAEnum(
    UserSegment,
    native_enum=False,
    length=32,
    name="user_segment",
    values_callable=lambda e: [m.value for m in e],
    create_constraint=True,
)


class UserBase(SQLModel):
    full_name: str | None = Field(default=None, max_length=200)
    user_segment: UserSegment = Field(sa_type=SEGMENT_TYPE)
    account_equity: float = Field(default=DEFAULT_EQUITY, gt=0, le=MAX_EQUITY)


class User(UserBase, table=True):
    __tablename__ = "users"

    id: uuid.UUID = uuid_pk()
    email: str = Field(max_length=254, unique=True, index=True)
    hashed_password: str = Field(max_length=512)
    is_active: bool = True
    # Signs this user's webhook deliveries (HMAC-SHA256); shown only on its own route.
    webhook_secret: str = Field(default_factory=lambda: secrets.token_urlsafe(32), max_length=64)
    created_at: datetime = created_at_field()
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
