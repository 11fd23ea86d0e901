"""X-Request-ID: accepted when valid, replaced when not, generated when absent; on every
answer (errors, 429 and 5xx included), in every log record and audit row of the request."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select
from sqlmodel import col

from app.config import Settings
from app.main import create_app
from app.models import AuditLog
from tests.utils.client import open_client, runtime_of
from tests.utils.errors import assert_error
from tests.utils.users import PASSWORD, register

GENERATED = re.compile(r"^[0-9a-f]{32}$")


async def test_a_valid_id_is_echoed(client: AsyncClient) -> None:
    for rid in ("abc-123", "trace.1:span_2", "A" * 128):
        response = await client.get("/healthz", headers={"X-Request-ID": rid})
        assert response.headers["X-Request-ID"] == rid


async def test_an_invalid_id_is_replaced(client: AsyncClient) -> None:
    for rid in ("has space", "a" * 129, "semi;colon", "new\u00e9", ""):
        response = await client.get("/healthz", headers={"X-Request-ID": rid.encode()})
        assert response.status_code == 200
        assert GENERATED.fullmatch(response.headers["X-Request-ID"]), rid


async def test_an_id_is_generated_when_absent(client: AsyncClient) -> None:
    first = (await client.get("/healthz")).headers["X-Request-ID"]
    second = (await client.get("/healthz")).headers["X-Request-ID"]
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second) and first != second


async def test_errors_carry_the_id(
    app_factory: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    client = await app_factory(make_settings(rate_limit_login="1/60", max_body_bytes=1024))
    headers = {"X-Request-ID": "err-1"}
    answers = [
        await client.get("/api/v1/auth/me", headers=headers),  # 401
        await client.get("/nowhere", headers=headers),  # 404
        await client.post("/api/v1/auth/register", json={}, headers=headers),  # 422
        await client.post("/api/v1/auth/register", json={}, headers=headers),  # 429
        await client.post("/api/v1/auth/register", content=b"x" * 2048, headers=headers),  # 413
        await client.get("/healthz", headers={**headers, "X-Big": "a" * 20_000}),  # 431
    ]
    assert [a.status_code for a in answers] == [401, 404, 422, 429, 413, 431]
    assert all(a.headers["X-Request-ID"] == "err-1" for a in answers)


async def test_a_500_carries_the_id_and_its_log_line_too(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    app: FastAPI = create_app(make_settings())

    async def boom() -> None:
        raise RuntimeError("secret detail")

    app.add_api_route("/boom", boom)
    _, lifespan = await open_client(app)
    client = AsyncClient(
        transport=ASGITransport(app=app, raise_app_exceptions=False), base_url="http://t"
    )
    try:
        with caplog.at_level(logging.ERROR, logger="app.errors"):
            response = await client.get("/boom", headers={"X-Request-ID": "five-hundred"})
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)
    assert_error(response, 500, "internal_error")
    assert response.headers["X-Request-ID"] == "five-hundred"
    records = [r for r in caplog.records if "unhandled RuntimeError" in r.getMessage()]
    assert records and records[0].request_id == "five-hundred"  # type: ignore[attr-defined]


async def test_the_id_is_in_the_audit_rows_of_the_request(client: AsyncClient) -> None:
    user = await register(client)
    login = await client.post(
        "/api/v1/auth/login",
        data={"username": user["email"], "password": PASSWORD},
        headers={"X-Request-ID": "login-42"},
    )
    assert login.status_code == 200
    await client.post(
        "/api/v1/auth/login", data={"username": user["email"], "password": PASSWORD}
    )  # no id sent: a generated one
    async with runtime_of(client).sessionmaker() as session:
        rows = (
            await session.scalars(
                select(AuditLog)
                .where(col(AuditLog.action) == "auth.login")
                .where(col(AuditLog.user_id) == uuid.UUID(user["id"]))
                .order_by(col(AuditLog.id))
            )
        ).all()
    assert [r.request_id for r in rows][:1] == ["login-42"]
    assert len(rows) == 2 and GENERATED.fullmatch(rows[1].request_id or "")


async def test_the_id_is_in_every_log_record_of_the_request(
    client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="app.security"):
        response = await client.get(
            "/api/v1/auth/me",
            headers={"Authorization": "Bearer not-a-token", "X-Request-ID": "log-7"},
        )
    assert response.status_code == 401
    refused = [r for r in caplog.records if r.getMessage().startswith("credentials refused")]
    assert refused and all(r.request_id == "log-7" for r in refused)  # type: ignore[attr-defined]
    # outside a request the attribute is there too, as "-"
    record = logging.getLogger("app.test").makeRecord("app.test", 20, "f", 1, "m", (), None)
    assert record.request_id == "-"  # type: ignore[attr-defined]


async def test_the_header_is_documented_on_every_response(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    for operations in schema["paths"].values():
        for operation in operations.values():
            for response in operation["responses"].values():
                assert "X-Request-ID" in response["headers"]
