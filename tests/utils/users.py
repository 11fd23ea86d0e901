"""Test users: registered through the API (with their tokens), or as bare rows."""

from __future__ import annotations

import uuid
from typing import Any

from httpx import AsyncClient

from app.core.segments import UserSegment
from app.models import User

PASSWORD = "correct horse battery staple"


def random_email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


async def register(client: AsyncClient, **overrides: Any) -> dict[str, Any]:
    body = {
        "email": random_email(),
        "password": PASSWORD,
        "user_segment": "short_term_trader",
        "full_name": "Test Trader",
    }
    body.update(overrides)
    response = await client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 201, response.text
    return {**response.json(), "password": body["password"]}


async def login(client: AsyncClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/auth/login", data={"username": email, "password": password}
    )
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


async def user_with_tokens(
    client: AsyncClient,
    **overrides: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    user = await register(client, **overrides)
    return user, await login(client, user["email"], user["password"])


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def user_row(segment: UserSegment = UserSegment.investor) -> User:
    """A user to insert straight into the database (it cannot log in)."""
    return User(email=random_email(), hashed_password="not-a-hash", user_segment=segment)
