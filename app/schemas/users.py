"""Account requests and answers: the Create/Update/Public family of the users table."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ConfigDict, EmailStr, field_validator
from sqlmodel import Field, SQLModel

from app.core.segments import UserSegment
from app.models.base import no_nul
from app.models.users import MAX_EQUITY, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, UserBase


class UserCreate(UserBase):
    # An unknown field (`is_admin`, `role`) is a 422 naming it, never silently dropped.
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

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
    """What a user may change about themselves; e-mail and owner-only fields are not here
    (and sending one is a 422 naming it)."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    full_name: str | None = Field(default=None, max_length=200)
    user_segment: UserSegment | None = None
    account_equity: float | None = Field(default=None, gt=0, le=MAX_EQUITY)

    @field_validator("full_name")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        return value if value is None else no_nul(value)


class UserPublic(UserBase):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)  # type: ignore[assignment]

    id: uuid.UUID
    email: str
    created_at: datetime
