"""Schemathesis against the app's own OpenAPI schema (SPEC §10), in both modes.

Every operation is fuzzed (explicit examples, boundary coverage, then random
cases) as a registered quant user that owns a READY agent, with rate limits off;
a second test aims /predict's generated requests at that agent so the model, the
signal engine and sizing see the fuzzed values. The checks: no 5xx, every status
code, content type, header and body as the schema declares it, plus the other
built-in checks (auth not ignored, 405 with a correct `Allow`, ...) but the two
named at CONFIG.

Reproducible: the seed is fixed. A deeper local run: FUZZ_EXAMPLES=200 FUZZ_SEED=1.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.python import asgi

from app.config import Settings
from app.main import create_app
from app.security import create_token
from tests.utils.backends import REDIS_URL, TEST_SECRET
from tests.utils.client import open_client
from tests.utils.serving import Artifact, ready_agent
from tests.utils.users import bearer, user_with_tokens


@dataclass(frozen=True)
class Caller:
    user_id: str
    headers: dict[str, str]
    agent_id: str


async def _seed(settings: Settings, artifact: Artifact) -> Caller:
    """A quant user with a READY agent, made by an app instance that is then closed."""
    client, lifespan = await open_client(create_app(settings))
    try:
        user, tokens = await user_with_tokens(client, user_segment="quant", account_equity=50_000)
        agent_id, _ = await ready_agent(client, user["id"], artifact)
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)
    return Caller(user["id"], bearer(tokens), agent_id)


@dataclass(frozen=True)
class Target:
    app: Any
    caller: Caller


@pytest.fixture(scope="module", params=["embedded", "services"])
def target(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    daily_artifact: Artifact,
) -> Iterator[Target]:
    """One running app per mode for all operations, seeded by a closed twin first."""
    tmp = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    values: dict[str, Any] = {
        "environment": "test",
        "var_dir": tmp / "var",
        "data_dir": tmp / "data",
        "secret_key": TEST_SECRET,
        "redis_namespace": f"test-{uuid.uuid4().hex[:12]}",
        "rate_limits_enabled": False,
        "embedded_runner": False,
        "outcomes_interval_s": 0,
        # /metrics declares its bearer: configured, it answers 401 (not 404) without it.
        "metrics_token": "fuzz-metrics-token",
    }
    if request.param == "services":
        values.update(
            database_url=request.getfixturevalue("postgres_database"), redis_url=REDIS_URL
        )
    else:
        (tmp / "var").mkdir()
        shutil.copy(sqlite_template, tmp / "var" / "platform.db")
    settings = Settings(**values)
    caller = asyncio.run(_seed(settings, daily_artifact))
    yield Target(create_app(settings), caller)
    # Schemathesis ran the app's lifespan in its own event-loop thread; end it there.
    asgi.shutdown_lifespans()


# Every built-in check but two that test the validator's leniency rather than the
# contract: `positive_data_acceptance` expects 2xx for any schema-valid input, but
# some rules cannot be written in JSON Schema (a cursor this API issued, an IANA
# time zone, enough bars between two dates) and rightly answer 422;
# `negative_data_rejection` expects a 4xx for `false` where an integer is declared
# or `0` where a date-time is, which pydantic's lax mode reads as 0 and 1970-01-01.
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": int(os.environ.get("FUZZ_SEED", "6")),
        "checks": {
            "positive_data_acceptance": {"enabled": False},
            "negative_data_rejection": {"enabled": False},
        },
    }
)
# The schema is the same for every settings object; requests go to `target.app`.
schema = schemathesis.openapi.from_dict(
    create_app(Settings(environment="test")).openapi(), config=CONFIG
)


def _fresh_token(user_id: str) -> dict[str, str]:
    """A token of its own for /auth/logout, which revokes the one it is sent with."""
    token, _ = create_token(
        secret=TEST_SECRET,
        subject=user_id,
        token_type="access",
        family=uuid.uuid4().hex,
        ttl=timedelta(minutes=5),
    )
    return {"Authorization": f"Bearer {token}"}


FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "20")),
    derandomize=True,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


@schema.parametrize()
@FUZZ
def test_every_operation(case: Any, target: Target) -> None:
    headers = target.caller.headers
    if case.operation.definition.raw.get("operationId") == "logout":
        headers = _fresh_token(target.caller.user_id)
    case.call_and_validate(headers=headers, app=target.app)


@schema.include(operation_id="predict").parametrize()
@FUZZ
def test_predict_through_the_model(case: Any, target: Target) -> None:
    """The generated requests, aimed at the READY agent: everything but the choice of
    agent (windows, prices, stop, capital at risk, equity, as_of, time zone, segment)
    stays fuzzed, so the signal engine and sizing see the values too."""
    if case.meta.generation.mode is GenerationMode.POSITIVE and isinstance(case.body, dict):
        case.body.update(
            stocks=["AAPL"],
            data_frequency="1d",
            prediction_horizon="1d",
            agent_ids={"AAPL": target.caller.agent_id},
        )
    case.call_and_validate(headers=target.caller.headers, app=target.app)
