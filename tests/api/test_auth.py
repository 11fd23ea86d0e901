"""Accounts and tokens over HTTP, in embedded mode and on PostgreSQL + Redis."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from jose import jwt
from sqlalchemy import select

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.models import AuditLog
from app.security import create_token
from tests.utils.backends import TEST_SECRET
from tests.utils.errors import assert_error
from tests.utils.users import PASSWORD, bearer, login, random_email, register, user_with_tokens


def assert_bearer_401(response: Any) -> None:
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_register_login_me_happy_path(client: AsyncClient) -> None:
    user = await register(client, account_equity=35_000)
    assert user["user_segment"] == "short_term_trader"
    assert user["account_equity"] == 35_000
    assert "hashed_password" not in user and "password" not in {k for k in user if k != "password"}
    tokens = await login(client, user["email"])
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] > 0
    me = await client.get("/api/v1/auth/me", headers=bearer(tokens))
    assert me.status_code == 200
    assert me.json()["email"] == user["email"] and "hashed_password" not in me.json()


async def test_register_answers_the_accounts_location(client: AsyncClient) -> None:
    email = random_email()
    body = {"email": email, "password": PASSWORD, "user_segment": "investor"}
    response = await client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == "/api/v1/auth/me"
    tokens = await login(client, email)
    me = await client.get(response.headers["Location"], headers=bearer(tokens))
    assert me.json()["id"] == response.json()["id"]


async def test_register_defaults_equity_and_lowercases_email(client: AsyncClient) -> None:
    email = random_email().upper()
    user = await register(client, email=email)
    assert user["email"] == email.lower() and user["account_equity"] == 100_000


async def test_duplicate_email_is_409(client: AsyncClient) -> None:
    user = await register(client)
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": user["email"].upper(), "password": PASSWORD, "user_segment": "investor"},
    )
    assert_error(response, 409, "email_taken")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("password", "short-pass1"),  # 11 characters
        ("user_segment", "day_trader"),
        ("email", "not-an-email"),
        ("account_equity", -5),
    ],
)
async def test_bad_registration_is_422_with_field(
    client: AsyncClient,
    field: str,
    value: Any,
) -> None:
    body = {"email": random_email(), "password": PASSWORD, "user_segment": "quant", field: value}
    error = assert_error(
        await client.post("/api/v1/auth/register", json=body), 422, "validation_error"
    )
    assert any(detail["loc"][-1] == field for detail in error["details"])
    assert "short-pass1" not in str(error)  # inputs are never echoed back


async def test_twelve_character_password_is_enough(client: AsyncClient) -> None:
    await register(client, password="x" * 12)


async def test_wrong_password_and_unknown_user_are_401(client: AsyncClient) -> None:
    user = await register(client)
    for username, password in ((user["email"], "wrong password!!"), (random_email(), PASSWORD)):
        response = await client.post(
            "/api/v1/auth/login", data={"username": username, "password": password}
        )
        assert_bearer_401(response)
        assert response.json()["error"]["code"] == "invalid_credentials"


async def test_patch_me_changes_only_allowed_fields(client: AsyncClient) -> None:
    user, tokens = await user_with_tokens(client)
    injected = {"email": "attacker@example.com", "id": str(uuid.uuid4()), "hashed_password": "x"}
    allowed = {"user_segment": "manager", "account_equity": 250000, "full_name": "PM"}
    refused = await client.patch(
        "/api/v1/auth/me", headers=bearer(tokens), json={**allowed, **injected}
    )
    error = assert_error(refused, 422, "validation_error")  # owner-only fields are named
    assert sorted(d["loc"][-1] for d in error["details"]) == sorted(injected)
    response = await client.patch("/api/v1/auth/me", headers=bearer(tokens), json=allowed)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["user_segment"], body["account_equity"], body["full_name"]) == (
        "manager",
        250000,
        "PM",
    )
    assert body["email"] == user["email"] and body["id"] == user["id"]
    assert_error(
        await client.patch("/api/v1/auth/me", headers=bearer(tokens), json={"account_equity": 0}),
        422,
    )
    # the password still works: the injected hash was refused
    await login(client, user["email"])


async def test_refresh_rotates_tokens(client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(client)
    response = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert response.status_code == 200, response.text
    rotated = response.json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert (await client.get("/api/v1/auth/me", headers=bearer(rotated))).status_code == 200


async def test_refresh_token_reuse_revokes_the_family(client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(client)
    first = (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    ).json()
    reuse = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert_error(reuse, 401, "refresh_token_reused")
    # everything issued in that family is dead: the rotated refresh and access tokens too
    assert_error(
        await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}),
        401,
    )
    assert_bearer_401(await client.get("/api/v1/auth/me", headers=bearer(first)))
    assert_bearer_401(await client.get("/api/v1/auth/me", headers=bearer(tokens)))


async def _grant(client: AsyncClient, **form: str) -> Any:
    return await client.post("/api/v1/auth/token", data=form)


async def test_form_refresh_grant_rotates_tokens(client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(client)
    response = await _grant(
        client, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert response.status_code == 200, response.text
    rotated = response.json()
    assert rotated["token_type"] == "bearer"
    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert (await client.get("/api/v1/auth/me", headers=bearer(rotated))).status_code == 200
    # rotated: the new refresh token works by either route
    again = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}
    )
    assert again.status_code == 200, again.text


async def test_form_refresh_grant_reuse_revokes_the_family(client: AsyncClient) -> None:
    _, tokens = await user_with_tokens(client)
    first = (
        await _grant(client, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    ).json()
    reuse = await _grant(client, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert_error(reuse, 401, "refresh_token_reused")
    assert_error(
        await _grant(client, grant_type="refresh_token", refresh_token=first["refresh_token"]), 401
    )
    assert_bearer_401(await client.get("/api/v1/auth/me", headers=bearer(first)))
    assert_bearer_401(await client.get("/api/v1/auth/me", headers=bearer(tokens)))


async def test_form_grant_rejects_other_grant_types(client: AsyncClient) -> None:
    user, tokens = await user_with_tokens(client)
    for grant in ("password", "client_credentials", "authorization_code"):
        error = assert_error(
            await _grant(
                client,
                grant_type=grant,
                refresh_token=tokens["refresh_token"],
                username=user["email"],
                password=PASSWORD,
            ),
            400,
            "unsupported_grant_type",
        )
        assert error["details"] == {"grant_type": grant}
    assert_error(await _grant(client, grant_type="refresh_token"), 400, "invalid_request")
    assert_error(await _grant(client, refresh_token=tokens["refresh_token"]), 422)
    # none of these spent the refresh token
    ok = await _grant(client, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert ok.status_code == 200, ok.text


async def test_openapi_security_scheme_has_refresh_url(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    schemes = schema["components"]["securitySchemes"]
    flows = [s["flows"]["password"] for s in schemes.values() if s.get("type") == "oauth2"]
    assert flows and all(f["refreshUrl"] == "/api/v1/auth/token" for f in flows)
    assert all(f["tokenUrl"] == "/api/v1/auth/login" for f in flows)
    assert "/api/v1/auth/token" in schema["paths"]


async def test_logout_kills_access_and_refresh(client: AsyncClient) -> None:
    user, tokens = await user_with_tokens(client)
    other_session = await login(client, user["email"])
    response = await client.post("/api/v1/auth/logout", headers=bearer(tokens))
    assert response.status_code == 204
    assert_bearer_401(await client.get("/api/v1/auth/me", headers=bearer(tokens)))
    assert_error(
        await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
        401,
    )
    # a login elsewhere is another family and keeps working
    assert (await client.get("/api/v1/auth/me", headers=bearer(other_session))).status_code == 200


async def test_logout_is_honoured_by_a_second_instance(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    first = await app_factory(make_settings())
    second = await app_factory(make_settings())
    _, tokens = await user_with_tokens(first)
    assert (await second.get("/api/v1/auth/me", headers=bearer(tokens))).status_code == 200
    assert (await first.post("/api/v1/auth/logout", headers=bearer(tokens))).status_code == 204
    assert_bearer_401(await second.get("/api/v1/auth/me", headers=bearer(tokens)))
    assert_error(
        await second.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
        401,
    )


def _forge(payload: dict[str, Any], key: str = TEST_SECRET, algorithm: str = "HS256") -> str:
    return str(jwt.encode(payload, key, algorithm=algorithm))


def _claims(user_id: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "sub": user_id,
        "jti": uuid.uuid4().hex,
        "type": "access",
        "fam": "f",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return claims


def _alg_none(payload: dict[str, Any]) -> str:
    import base64
    import json

    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


async def test_token_misuse_is_401_with_bearer_challenge(client: AsyncClient) -> None:
    user, tokens = await user_with_tokens(client)
    uid = user["id"]
    access = tokens["access_token"]
    head, body, signature = access.split(".")
    expired, _ = create_token(
        secret=TEST_SECRET, subject=uid, token_type="access", family="f", ttl=timedelta(seconds=-10)
    )
    bad_tokens = {
        "missing": None,
        "garbage": "not-a-jwt",
        "expired": expired,
        "tampered": f"{head}.{body[:-2]}{'AA' if body[-2:] != 'AA' else 'BB'}.{signature}",
        "alg none": _alg_none(_claims(uid)),
        "wrong key": _forge(_claims(uid), key="another-secret-key-0123456789-abcdefghijklmnop"),
        "HS512": _forge(_claims(uid), algorithm="HS512"),
        "no jti": _forge({k: v for k, v in _claims(uid).items() if k != "jti"}),
        "no exp": _forge({k: v for k, v in _claims(uid).items() if k != "exp"}),
        "refresh as access": tokens["refresh_token"],
        "unknown user": _forge(_claims(str(uuid.uuid4()))),
    }
    for name, token in bad_tokens.items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await client.get("/api/v1/auth/me", headers=headers)
        assert response.status_code == 401, name
        assert_bearer_401(response)
    # the access token cannot refresh either
    assert_error(await client.post("/api/v1/auth/refresh", json={"refresh_token": access}), 401)
    await client.post("/api/v1/auth/logout", headers=bearer(tokens))
    assert_bearer_401(await client.get("/api/v1/auth/me", headers=bearer(tokens)))


async def test_rate_limit_429_then_served_after_the_window(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    client = await app_factory(make_settings(rate_limit_default="3/1"))
    _, tokens = await user_with_tokens(client)
    statuses = []
    for _ in range(4):
        response = await client.get("/api/v1/auth/me", headers=bearer(tokens))
        statuses.append(response.status_code)
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 1
    assert response.headers["RateLimit-Policy"] == '"default";q=3;w=1'
    assert response.headers["RateLimit"].startswith('"default";r=0;')
    assert response.headers["Cache-Control"] == "no-store"
    assert_error(response, 429, "rate_limited")
    time.sleep(1.05)
    served = await client.get("/api/v1/auth/me", headers=bearer(tokens))
    assert served.status_code == 200
    assert served.headers["RateLimit"].startswith('"default";r=')


async def test_login_is_limited_per_client_address(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    client = await app_factory(make_settings(rate_limit_login="2/60"))
    for _ in range(2):
        await client.post("/api/v1/auth/login", data={"username": "a@b.co", "password": "x"})
    response = await client.post("/api/v1/auth/login", data={"username": "a@b.co", "password": "x"})
    assert_error(response, 429)
    assert int(response.headers["Retry-After"]) > 0


# Embedded mode keeps limits per process by design: this is the Redis-backed case only.
@pytest.mark.parametrize("backend", ["services"], indirect=True)
async def test_rate_limits_are_shared_between_instances(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    first = await app_factory(make_settings(rate_limit_default="2/60"))
    second = await app_factory(make_settings(rate_limit_default="2/60"))
    _, tokens = await user_with_tokens(first)
    assert (await first.get("/api/v1/auth/me", headers=bearer(tokens))).status_code == 200
    assert (await second.get("/api/v1/auth/me", headers=bearer(tokens))).status_code == 200
    assert (await first.get("/api/v1/auth/me", headers=bearer(tokens))).status_code == 429


async def test_audit_rows_for_each_audited_action(client: AsyncClient, settings: Settings) -> None:
    user = await register(client)
    bad = await client.post(
        "/api/v1/auth/login", data={"username": user["email"], "password": "not the password"}
    )
    assert bad.status_code == 401
    tokens = await login(client, user["email"])
    await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    second = await login(client, user["email"])
    await client.post("/api/v1/auth/logout", headers=bearer(second))

    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = (
                await session.scalars(
                    select(AuditLog)
                    .where(AuditLog.user_id == uuid.UUID(user["id"]))
                    .order_by(AuditLog.id)  # type: ignore[arg-type]
                )
            ).all()
    finally:
        await engine.dispose()
    actions = [row.action for row in rows]
    assert actions == [
        "user.register",
        "auth.login_failed",
        "auth.login",
        "auth.refresh_reuse",
        "auth.login",
        "auth.logout",
    ]
    assert all(row.client_ip for row in rows)
    assert all("password" not in str(row.details) for row in rows)


# --- found by schema fuzzing (tests/test_schema_fuzz.py) -------------------------------


async def test_a_nul_character_is_422_not_a_database_error(client: AsyncClient) -> None:
    """PostgreSQL text cannot hold NUL: it used to fail the statement (a 500)."""
    response = await client.post(
        "/api/v1/auth/register",
        json={
            "email": random_email(),
            "password": PASSWORD,
            "user_segment": "quant",
            "full_name": "Ada\x00",
        },
    )
    assert_error(response, 422, "validation_error")
    response = await client.post(
        "/api/v1/auth/login", data={"username": "a\x00@example.com", "password": PASSWORD}
    )
    assert_error(response, 422, "validation_error")
    _, tokens = await user_with_tokens(client)
    response = await client.patch(
        "/api/v1/auth/me", json={"full_name": "\x00"}, headers=bearer(tokens)
    )
    assert_error(response, 422, "validation_error")
    assert (
        await client.patch("/api/v1/auth/me", json={"full_name": "Ada"}, headers=bearer(tokens))
    ).status_code == 200
