"""Users, in the template's families: a table never leaks into a response."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import EmailStr, field_validator
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, created_at_field, no_nul, utcnow, uuid_pk

# ASVS 6.2.9: allow long pass-phrases, but bound the work Argon2 is asked to do.
PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 256
DEFAULT_EQUITY = 100_000.0
MAX_EQUITY = 1e12


class UserSegment(StrEnum):
    short_term_trader = "short_term_trader"
    investor = "investor"
    manager = "manager"
    quant = "quant"


# Stored as a checked VARCHAR, not a native PostgreSQL ENUM: adding a segment
# later is then a constraint change instead of an `ALTER TYPE` dance.
SEGMENT_TYPE = SAEnum(UserSegment, native_enum=False, length=32, name="user_segment",
                      values_callable=lambda e: [m.value for m in e], create_constraint=True)


class UserBase(SQLModel):
    full_name: str | None = Field(default=None, max_length=200)
    user_segment: UserSegment = Field(sa_type=SEGMENT_TYPE)
    account_equity: float = Field(default=DEFAULT_EQUITY, gt=0, le=MAX_EQUITY)


class UserCreate(UserBase):
    email: EmailStr = Field(max_length=254)
    password: str = Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @field_validator("full_name")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        return value if value is None else no_nul(value)


class UserUpdate(SQLModel):
    """What a user may change about themselves; e-mail and owner-only fields are not here."""

    full_name: str | None = Field(default=None, max_length=200)
    user_segment: UserSegment | None = None
    account_equity: float | None = Field(default=None, gt=0, le=MAX_EQUITY)

    @field_validator("full_name")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        return value if value is None else no_nul(value)


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


class UserPublic(UserBase):
    id: uuid.UUID
    email: str
    created_at: datetime
