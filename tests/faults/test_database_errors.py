"""Which database errors are an outage (503, Retry-After) and which are bugs (500):
both in the one error shape, wherever in a request they are raised."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.exc import DBAPIError, IntegrityError, InternalError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.config import Settings
from app.db import database_unavailable
from app.main import create_app


class _Adapted(Exception):
    """What SQLAlchemy's asyncpg adapter wraps: it carries the server's SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


OUTAGES = {
    "refused connection": OperationalError("connect", None, ConnectionRefusedError(111, "no")),
    "pool exhausted": PoolTimeout("QueuePool limit reached"),
    "connection closed mid-query": DBAPIError(
        "SELECT 1", None, _Adapted("08003"), connection_invalidated=True
    ),
    "server shut down the session": InternalError("SELECT 1", None, _Adapted("57P01")),
    "server starting up": DBAPIError("SELECT 1", None, _Adapted("57P03")),
    "too many connections": DBAPIError("SELECT 1", None, _Adapted("53300")),
}
BUGS = {
    "unique violation": IntegrityError("INSERT", None, _Adapted("23505")),
    "division by zero": DBAPIError("SELECT 1/0", None, _Adapted("22012")),
    "not a database error": FileNotFoundError(2, "gone"),
}


@pytest.mark.parametrize("name", list(OUTAGES))
def test_outages_are_recognised(name: str) -> None:
    assert database_unavailable(OUTAGES[name])


@pytest.mark.parametrize("name", list(BUGS))
def test_bugs_are_not_outages(name: str) -> None:
    assert not database_unavailable(BUGS[name])


def test_asyncpg_sqlstates_match_the_classes_we_rely_on() -> None:
    assert asyncpg.exceptions.ConnectionDoesNotExistError.sqlstate == "08003"
    assert asyncpg.exceptions.AdminShutdownError.sqlstate == "57P01"
    assert asyncpg.exceptions.CannotConnectNowError.sqlstate == "57P03"


def _app_raising(tmp_path: Path, error: Exception) -> FastAPI:
    app = create_app(Settings(environment="test", var_dir=tmp_path))

    @app.get("/raise")
    async def raise_it() -> None:
        raise error

    return app


@pytest.mark.parametrize("name", ["refused connection", "connection closed mid-query"])
async def test_an_outage_outside_the_request_session_is_a_clean_503(
    tmp_path: Path,
    name: str,
) -> None:
    app = _app_raising(tmp_path, OUTAGES[name])
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
        response = await client.get("/raise")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.json() == {
        "error": {
            "code": "service_unavailable",
            "details": None,
            "message": "The database is unavailable; retry shortly.",
        }
    }


async def test_any_other_database_error_stays_a_500(tmp_path: Path) -> None:
    app = _app_raising(tmp_path, BUGS["unique violation"])
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/raise")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "IntegrityError" not in response.text and "INSERT" not in response.text
