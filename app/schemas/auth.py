"""Token answers and the login form."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.models.base import NulFreeStr
from app.schemas.base import Output


class TokenResponse(Output):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 scheme name
    expires_in: int = Field(description="Seconds until the access token expires.")


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=4096)


class RefreshForm(BaseModel):
    """OAuth2's refresh grant (RFC 6749 §6) as a form: `grant_type=refresh_token`."""

    grant_type: str = Field(max_length=64)
    refresh_token: str | None = Field(default=None, max_length=4096)
    scope: str = ""
    client_id: str | None = None
    client_secret: str | None = Field(default=None, json_schema_extra={"format": "password"})


class LoginForm(BaseModel):
    """The OAuth2 password form (`username` is the e-mail), so Swagger's *Authorize*
    works. The e-mail is bounded like a stored one: it is looked up and audited, and
    PostgreSQL refuses a NUL in either."""

    grant_type: str | None = Field(default=None, pattern="^password$")
    username: NulFreeStr = Field(max_length=254)
    password: str = Field(json_schema_extra={"format": "password"})
    scope: str = ""
    client_id: str | None = None
    client_secret: str | None = Field(default=None, json_schema_extra={"format": "password"})


class WebhookSecret(Output):
    webhook_secret: str
    signature_header: str = "X-Signature"
    scheme: str = (
        "t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.<raw body>' keyed with "
        "webhook_secret>; reject deliveries older than 5 minutes"
    )
