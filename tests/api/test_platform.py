"""Cross-cutting behaviour: the error shape, body limit, headers, health, metrics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from httpx import AsyncClient

from app.config import Settings
from app.schemas.predictions import SEED_EXAMPLE, PredictResponse
from tests.utils.errors import assert_error
from tests.utils.predictions import EIGHT

METRICS_TOKEN = "metrics-token-0123456789-abcdefghijklmnop"


async def test_unknown_route_and_method_use_the_error_shape(client: AsyncClient) -> None:
    assert_error(await client.get("/api/v1/nowhere"), 404, "not_found")
    assert_error(await client.get("/api/v1/auth/login"), 405, "method_not_allowed")


async def test_malformed_json_is_422_not_500(client: AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 422, "validation_error")


async def test_body_size_limit(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    client = await app_factory(make_settings(max_body_bytes=2048))
    big = {"email": "a@example.com", "password": "x" * 5000, "user_segment": "quant"}
    assert_error(await client.post("/api/v1/auth/register", json=big), 413, "payload_too_large")

    async def chunks() -> Any:  # no Content-Length: counted while streaming
        for _ in range(10):
            yield b"x" * 1024

    response = await client.post(
        "/api/v1/auth/register", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert_error(response, 413)


async def test_security_headers_and_no_cors_by_default(client: AsyncClient) -> None:
    response = await client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert "access-control-allow-origin" not in response.headers
    preflight = await client.options(
        "/api/v1/auth/me",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers


async def test_cors_when_configured(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    client = await app_factory(make_settings(cors_origins=["https://app.example"]))
    response = await client.get("/healthz", headers={"Origin": "https://app.example"})
    assert response.headers["access-control-allow-origin"] == "https://app.example"


async def test_health_ready_metrics(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    backend: str,
) -> None:
    client = await app_factory(make_settings(metrics_token=METRICS_TOKEN))
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    expected = {"database": "ok", "redis": "ok"} if backend == "services" else {"database": "ok"}
    assert ready.json()["checks"] == expected
    metrics = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert metrics.status_code == 200
    assert 'http_request_duration_seconds_count{method="GET",route="/readyz",status="200"}' in (
        metrics.text
    )


async def test_readyz_reports_an_unreachable_redis(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    client = await app_factory(make_settings(redis_url="redis://127.0.0.1:1/0"))
    ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["redis"].startswith("error")


async def test_openapi_has_operation_ids_and_error_models(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert "/api/v1/auth/login" in schema["paths"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("operationId"), (method, path)
    login = schema["paths"]["/api/v1/auth/login"]["post"]
    assert "401" in login["responses"] and "429" in login["responses"]
    assert (await client.get("/docs")).status_code == 200
    _assert_fit_for_generated_clients(schema)


def _assert_fit_for_generated_clients(schema: dict[str, Any]) -> None:
    """What generated clients rely on (issue 6): stable ids, tags, a model for every
    status an operation returns, errors in the one shape, the seed's examples."""
    components = schema["components"]["schemas"]
    described = {tag["name"] for tag in schema["tags"] if tag.get("description")}
    seen_ids: set[str] = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = (method.upper(), path)
            assert operation["operationId"] not in seen_ids, where
            seen_ids.add(operation["operationId"])
            assert operation.get("tags") and set(operation["tags"]) <= described, where
            responses = operation["responses"]
            successes = [code for code in responses if code.startswith("2")]
            if operation["operationId"] == "agent_events":
                # the stream, or 204 for a reconnect after its final event (EventSource stops)
                assert successes == ["200", "204"], where
                successes = successes[:1]
            assert len(successes) == 1, where
            if successes[0] != "204":
                content = responses[successes[0]]["content"]
                assert all(media.get("schema") for media in content.values()), where
            for code, response in responses.items():
                if code[0] in "45":
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    error = components[ref.rsplit("/", 1)[1]]["properties"]["error"]
                    assert error == {"$ref": "#/components/schemas/ErrorBody"}, (where, code)
            if "requestBody" in operation:  # unparsable (400), too large (413), invalid (422)
                assert {"400", "413", "422"} <= set(responses), where
            if operation.get("parameters"):
                assert "422" in responses, where
            if operation.get("security"):
                assert "401" in responses, where
            if path.startswith("/api/"):  # the database may be down: a clean 503
                assert "503" in responses, where

    predict = schema["paths"]["/api/v1/predict"]["post"]
    request = predict["requestBody"]["content"]["application/json"]
    assert request["examples"]["seed"]["value"] == SEED_EXAMPLE
    assert components["PredictRequest"]["examples"] == [SEED_EXAMPLE]
    example = predict["responses"]["200"]["content"]["application/json"]["example"]
    assert list(example)[:8] == EIGHT
    assert PredictResponse.model_validate(example).predictions[0].symbol == "AAPL"
    assert components["PredictResponse"]["examples"] == [example]
    assert components["ErrorResponse"]["examples"]


# --- found by schema fuzzing (tests/test_schema_fuzz.py) -------------------------------


async def test_405_lists_every_method_of_the_path(client: AsyncClient) -> None:
    """GET and PATCH /auth/me are two routes; Starlette's 405 named only the first."""
    response = await client.request("OPTIONS", "/api/v1/auth/me")
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["Allow"] == "GET, HEAD, PATCH"
    response = await client.put("/api/v1/agents/00000000-0000-0000-0000-000000000000")
    assert_error(response, 405)
    assert response.headers["Allow"] == "DELETE, GET, HEAD, PATCH"


async def test_an_undecodable_body_is_a_declared_400(client: AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register", content=b"\xff\xfe{", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "bad_request")
    schema = (await client.get("/openapi.json")).json()
    assert "400" in schema["paths"]["/api/v1/auth/register"]["post"]["responses"]


async def test_readyz_503_is_in_the_error_shape(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    client = await app_factory(make_settings(redis_url="redis://127.0.0.1:1/0"))
    ready = await client.get("/readyz")
    assert ready.status_code == 503 and ready.headers["Retry-After"]
    body = ready.json()
    assert body["error"]["code"] == "service_unavailable"
    assert body["status"] == "not_ready" and body["checks"]["redis"].startswith("error")
