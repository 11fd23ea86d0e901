"""The served OpenAPI document is fit for a client developer: linted by Redocly CLI
(pinned, through npx) with `redocly.yaml`, and by rules below that need no node.

The Redocly run is skipped, with the reason, when `npx` is missing or cannot fetch
the package; with `REQUIRE_SERVICES=1` (CI) it fails instead.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from httpx import ASGITransport, AsyncClient

from app import deps
from app.config import Settings
from app.main import create_app
from tests.utils.backends import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parents[1]
REDOCLY = "@redocly/cli@2.77.0"
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# Reachable without a user's access token; every other operation declares a scheme.
PUBLIC = {
    "register",
    "login",
    "refresh_token",
    "refresh_token_grant",
    "healthz",
    "readyz",
}
PROBLEM = re.compile(r"^\s*\d+:\d+\s+(error|warning)\s+(\S+)\s+(.*)$", re.MULTILINE)


@pytest.fixture(scope="module")
def app_and_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    """The document as served at /openapi.json (no lifespan: the route needs none)."""
    app = create_app(Settings(environment="test", var_dir=tmp_path_factory.mktemp("var")))

    async def fetch() -> Any:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
            response = await client.get("/openapi.json")
            assert response.status_code == 200, response.text
            return response.json()

    yield app, asyncio.run(fetch())


@pytest.fixture(scope="module")
def schema(app_and_schema: tuple[Any, Any]) -> dict[str, Any]:
    document: dict[str, Any] = app_and_schema[1]
    return document


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), path, operation


def _fail_or_skip(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES is set but {reason}")
    pytest.skip(reason)


def test_redocly_lint_is_clean(schema: dict[str, Any], tmp_path: Path) -> None:
    npx = shutil.which("npx")
    if npx is None:
        _fail_or_skip("npx is not installed (Node.js), so Redocly CLI cannot run")
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(schema, indent=1))  # line numbers a reader can follow
    env = {
        **os.environ,
        "REDOCLY_TELEMETRY": "off",
        "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
        "NO_UPDATE_NOTIFIER": "1",
        "NO_COLOR": "1",
    }
    command = [npx or "npx", "--yes", REDOCLY, "lint", str(document), "--format=stylish"]
    command += ["--config", str(ROOT / "redocly.yaml")]
    try:
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
    except subprocess.TimeoutExpired:
        _fail_or_skip(f"npx {REDOCLY} did not finish in 300 s (fetching the package?)")
    output = result.stdout + result.stderr
    if "validating" not in output:  # npx never ran the linter: no package, no network
        _fail_or_skip(f"npx could not run {REDOCLY}: {output.strip()[-500:]}")
    problems = PROBLEM.findall(output)
    assert problems == [] and result.returncode == 0, output


def test_every_operation_is_described(schema: dict[str, Any]) -> None:
    for method, path, operation in _operations(schema):
        for field in ("operationId", "summary", "description"):
            assert operation.get(field, "").strip(), (method, path, field)
        codes = operation["responses"]
        assert any(code.startswith("4") for code in codes), (method, path)


def test_no_inline_enum_outside_component_definitions(schema: dict[str, Any]) -> None:
    """Each set of values is one named schema, referenced wherever it is used, so a
    generated client has one type for it rather than one per field."""
    inline: list[str] = []

    def walk(node: Any, where: tuple[str, ...]) -> None:
        if isinstance(node, dict):
            defined_once = len(where) == 3 and where[:2] == ("components", "schemas")
            if "enum" in node and not defined_once:
                inline.append("/".join(where))
            for key, value in node.items():
                walk(value, (*where, str(key)))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, (*where, str(index)))

    walk(schema, ())
    assert inline == []


def test_security_is_declared_on_every_operation(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]
    for method, path, operation in _operations(schema):
        where = (method, path)
        assert "security" in operation, where
        if operation["operationId"] in PUBLIC:
            assert operation["security"] == [], where
            continue
        assert operation["security"], where
        for requirement in operation["security"]:
            assert set(requirement) <= set(schemes), where
        assert "401" in operation["responses"], where
    events = schema["paths"]["/api/v1/agents/{agent_id}/events"]["get"]
    assert {"OAuth2PasswordBearer"} in [set(r) for r in events["security"]]
    assert {"StreamToken"} in [set(r) for r in events["security"]]
    assert schemes["StreamToken"] == {
        "type": "apiKey",
        "in": "query",
        "name": "token",
        "description": schemes["StreamToken"]["description"],
    }


def test_document_level_fields(schema: dict[str, Any]) -> None:
    assert schema["info"]["license"] == {"name": "Apache-2.0", "identifier": "Apache-2.0"}
    assert (ROOT / "LICENSE").read_text().lstrip().startswith("Apache License")
    assert schema["servers"] and all(server["url"] for server in schema["servers"])


def test_servers_follow_public_base_url(tmp_path: Path) -> None:
    settings = Settings(
        environment="test", var_dir=tmp_path, public_base_url="https://api.firm.test/"
    )
    assert create_app(settings).openapi()["servers"][0]["url"] == "https://api.firm.test"


def _header(schema: dict[str, Any], response: dict[str, Any], name: str) -> dict[str, Any]:
    header: dict[str, Any] = response.get("headers", {}).get(name, {})
    if "$ref" in header:
        header = schema["components"]["headers"][header["$ref"].rsplit("/", 1)[1]]
    return header


def test_status_headers_are_declared(schema: dict[str, Any]) -> None:
    for method, path, operation in _operations(schema):
        for code, response in operation["responses"].items():
            where = (method, path, code)
            if code in ("201", "202"):
                assert _header(schema, response, "Location").get("required"), where
            if code in ("429", "503"):
                assert _header(schema, response, "Retry-After").get("required"), where
            if code == "401":
                assert _header(schema, response, "WWW-Authenticate"), where
            if "429" in operation["responses"] and (code.startswith("2") or code == "429"):
                assert _header(schema, response, "RateLimit"), where
                assert _header(schema, response, "RateLimit-Policy"), where
    create = schema["paths"]["/api/v1/agents"]["post"]["responses"]["202"]
    assert _header(schema, create, "Idempotent-Replayed")


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _rate_limited(route: APIRoute) -> bool:
    return any(
        call in (deps.login_rate_limit, deps.get_stream_auth)
        or getattr(call, "__qualname__", "").startswith("rate_limit.")
        for call in _calls(route.dependant)
    )


def test_documented_429s_are_the_rate_limited_routes(app_and_schema: tuple[Any, Any]) -> None:
    """The document's rate-limit headers go on the operations that document a 429
    (app/routers/openapi.py): those must be exactly the ones the limiter guards."""
    app, schema = app_and_schema
    for route in app.routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            path = schema["paths"][route.path_format]
            for method in route.methods:
                documented = "429" in path[method.lower()]["responses"]
                assert documented == _rate_limited(route), (method, route.path_format)
