"""A Python client generated from the served schema drives the platform (issue 6).

`openapi-python-client` generates a package from `/openapi.json` (failing on any
warning, so a schema it cannot fully express fails here), the test imports it and
goes register → login → create agent → predict through its typed functions, over
an httpx transport into the app. `raise_on_unexpected_status` makes any status the
schema does not declare an error.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient

from app.config import Settings
from tests.utils.serving import Artifact, ready_agent
from tests.utils.users import PASSWORD, random_email

EIGHT = [
    "predicted_price",
    "confidence",
    "trade_signal",
    "direction",
    "suggested_exit_time",
    "position_size",
    "suggestion_text",
    "risk_metrics",
]


@pytest.fixture
def generated(tmp_path: Path) -> Iterator[Callable[[dict[str, Any]], ModuleType]]:
    """Generate and import a client package; forget it afterwards."""
    names: list[str] = []

    def generate(schema: dict[str, Any]) -> ModuleType:
        name = f"atp_client_{uuid.uuid4().hex[:8]}"
        (tmp_path / "openapi.json").write_text(json.dumps(schema))
        (tmp_path / "config.yaml").write_text("post_hooks: []\n")  # no formatter needed
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "openapi_python_client",
                "generate",
                "--path",
                str(tmp_path / "openapi.json"),
                "--output-path",
                str(tmp_path / name),
                "--meta",
                "none",
                "--config",
                str(tmp_path / "config.yaml"),
                "--fail-on-warning",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        sys.path.insert(0, str(tmp_path))
        names.append(name)
        return importlib.import_module(name)

    yield generate
    if str(tmp_path) in sys.path:
        sys.path.remove(str(tmp_path))
    for module in [m for m in sys.modules if m.split(".")[0] in names]:
        del sys.modules[module]


def _module(package: ModuleType, path: str) -> Any:
    return importlib.import_module(f"{package.__name__}.{path}")


async def test_register_login_create_predict_through_a_generated_client(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    generated: Callable[[dict[str, Any]], ModuleType],
    daily_artifact: Artifact,
) -> None:
    api: AsyncClient = await app_factory(
        make_settings(embedded_runner=False, outcomes_interval_s=0)
    )
    schema = (await api.get("/openapi.json")).json()
    package = generated(schema)
    models = _module(package, "models")
    transport = ASGITransport(app=api._transport.app)  # type: ignore[attr-defined]
    anonymous = package.Client(
        base_url="http://testserver",
        raise_on_unexpected_status=True,
        httpx_args={"transport": transport},
    )

    email = random_email()
    registered = await _module(package, "api.auth.register").asyncio_detailed(
        client=anonymous,
        body=models.UserCreate(
            email=email,
            password=PASSWORD,
            user_segment=models.UserSegment.QUANT,
            full_name="Generated Client",
            account_equity=35_000.0,
        ),
    )
    assert registered.status_code == 201, registered.content
    user = registered.parsed
    assert isinstance(user, models.UserPublic) and user.email == email

    tokens = await _module(package, "api.auth.login").asyncio(
        client=anonymous, body=models.LoginForm(username=email, password=PASSWORD)
    )
    assert isinstance(tokens, models.TokenResponse) and tokens.token_type == "bearer"
    client = package.AuthenticatedClient(
        base_url="http://testserver",
        token=tokens.access_token,
        raise_on_unexpected_status=True,
        httpx_args={"transport": transport},
    )
    me = await _module(package, "api.auth.get_me").asyncio(client=client)
    assert isinstance(me, models.UserPublic) and str(me.id) == str(user.id)

    created = await _module(package, "api.agents.create_agent").asyncio_detailed(
        client=client,
        body=models.AgentCreate.from_dict(
            {
                "name": "AAPL daily",
                "symbol": "AAPL",
                "data_source": "synthetic",
                "start_date": "2020-01-01",
                "end_date": "2024-06-30",
                "data_frequency": "1d",
                "prediction_horizon": "1d",
                "model_preferences": {"architecture": "LSTM", "epochs": 1},
            }
        ),
    )
    assert created.status_code == 202, created.content  # queued: no worker in this test
    accepted = created.parsed
    assert isinstance(accepted, models.AgentAccepted)
    assert accepted.status == models.AgentStatus.QUEUED
    agent = await _module(package, "api.agents.get_agent").asyncio(
        client=client, agent_id=accepted.agent_id
    )
    assert isinstance(agent, models.AgentPublic) and agent.symbol == "AAPL"

    serving, _ = await ready_agent(api, str(user.id), daily_artifact)
    predict = _module(package, "api.predictions.predict")
    request = {
        "user_segment": "quant",
        "stocks": ["AAPL"],
        "data_frequency": "1d",
        "prediction_horizon": "1d",
        "confidence_level": 0.6,
        "capital_at_risk": 0.02,
        "agent_ids": {"AAPL": serving},
    }
    answer = await predict.asyncio_detailed(
        client=client, body=models.PredictRequest.from_dict(request)
    )
    assert answer.status_code == 200, answer.content
    prediction = answer.parsed
    assert isinstance(prediction, models.PredictResponse)
    body = prediction.to_dict()
    assert all(name in body for name in EIGHT)
    assert prediction.trade_signal in set(models.PredictResponseTradeSignal)
    assert prediction.direction in set(models.PredictResponseDirection)
    assert isinstance(prediction.risk_metrics, models.RiskMetricsOut)
    assert prediction.risk_metrics.max_loss.startswith("$")
    assert str(prediction.agent_id) == serving and prediction.symbol == "AAPL"
    assert [p.symbol for p in prediction.predictions] == ["AAPL"]

    # An error arrives typed too, in the one error shape: no READY agent for MSFT.
    refused = await predict.asyncio_detailed(
        client=client,
        body=models.PredictRequest.from_dict({**request, "stocks": ["MSFT"], "agent_ids": None}),
    )
    assert refused.status_code == 409
    assert isinstance(refused.parsed, models.ErrorResponse)
    assert refused.parsed.error.code == "no_ready_agent"
