"""The typed Python client kept in clients/python never lags the API (issue 6).

Three checks: the committed package is exactly what scripts/generate-client makes from
the current schema (so an API change without a regeneration fails here); the
quickstart example type-checks under `mypy --strict` with the package, without casts
or ignores; and the example's own functions drive the app in-process, register →
login → create → follow training to READY → predict, getting typed answers.
"""

from __future__ import annotations

import difflib
import importlib.util
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient

from app.config import Settings
from tests.utils.users import PASSWORD, random_email

ROOT = Path(__file__).resolve().parents[1]
CLIENT_DIR = ROOT / "clients" / "python"
PACKAGE = "ai_trading_platform_client"
EXAMPLE = CLIENT_DIR / "examples" / "quickstart.py"
LAGS = "the client lags the API: run scripts/generate-client"

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


def _generated_files(root: Path) -> dict[str, bytes]:
    """What scripts/generate-client writes under `root`, by relative path."""
    files = {"openapi.json": (root / "openapi.json").read_bytes()}
    for path in sorted((root / PACKAGE).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def test_the_committed_client_is_generated_from_the_current_schema(tmp_path: Path) -> None:
    """Byte for byte: the generator's post-hooks make its output the same wherever it runs."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_client.py"), "--into", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    fresh, committed = _generated_files(tmp_path), _generated_files(CLIENT_DIR)
    problems = [f"missing: {name}" for name in sorted(fresh.keys() - committed.keys())]
    problems += [f"stale: {name}" for name in sorted(committed.keys() - fresh.keys())]
    changed = sorted(n for n in fresh.keys() & committed.keys() if fresh[n] != committed[n])
    problems += [f"changed: {name}" for name in changed]
    if changed:  # the first difference, to show what moved
        diff = difflib.unified_diff(
            committed[changed[0]].decode().splitlines(),
            fresh[changed[0]].decode().splitlines(),
            "committed",
            "fresh",
            lineterm="",
            n=1,
        )
        problems += list(diff)[:40]
    assert not problems, LAGS + "\n" + "\n".join(problems)


def test_the_example_type_checks_strictly_without_escape_hatches(tmp_path: Path) -> None:
    """The example is what a user copies: its types must come from the package alone."""
    source = EXAMPLE.read_text()
    assert "cast(" not in source and "type: ignore" not in source
    assert source.count("isinstance(") == 1  # the one success/error split, in `unwrap`
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file=",  # the repository's mypy settings are not the user's
            "--cache-dir",
            str(tmp_path / "mypy"),
            str(EXAMPLE.relative_to(CLIENT_DIR)),
            PACKAGE,
        ],
        cwd=CLIENT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def example() -> Iterator[ModuleType]:
    """examples/quickstart.py, importing the committed package; forgotten afterwards."""
    sys.path.insert(0, str(CLIENT_DIR))
    spec = importlib.util.spec_from_file_location("quickstart_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    sys.path.remove(str(CLIENT_DIR))
    for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
        del sys.modules[name]


@pytest.mark.parametrize("backend", ["embedded"])  # the in-process runner trains the agent
async def test_the_example_trains_an_agent_and_predicts_in_process(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    example: ModuleType,
) -> None:
    api: AsyncClient = await app_factory(
        make_settings(heartbeat_interval_s=0.5, progress_write_interval_s=0.2)
    )
    args = {"transport": ASGITransport(app=api._transport.app)}  # type: ignore[attr-defined]
    base_url, email = "http://testserver", random_email()
    models = importlib.import_module(f"{PACKAGE}.models")

    answer = await example.quickstart(base_url, email, PASSWORD, httpx_args=args, poll_s=0.1)

    assert isinstance(answer, models.PredictResponse)
    fields = example.eight_fields(answer)
    assert list(fields) == EIGHT
    assert answer.trade_signal in set(type(answer.trade_signal))
    assert fields["trade_signal"] in {"Enter", "Exit", "Hold"}
    assert fields["direction"] in {"Long", "Short"}
    assert 0.0 <= answer.confidence <= 1.0 and isinstance(answer.position_size, int)
    assert isinstance(answer.risk_metrics, models.RiskMetricsOut)
    assert answer.risk_metrics.max_loss.startswith("$")
    assert answer.symbol == "AAPL" and answer.data_source == "synthetic"
    assert any(w.startswith("Synthetic data:") for w in answer.warnings)

    client_module = importlib.import_module(PACKAGE)
    async with client_module.Client(base_url=base_url, httpx_args=args) as anonymous:
        assert await example.sign_up(anonymous, email, PASSWORD) is None  # email_taken
        tokens = await example.log_in(anonymous, email, PASSWORD)
    async with client_module.AuthenticatedClient(
        base_url=base_url, token=tokens.access_token, httpx_args=args
    ) as client:
        agent = await example.follow(client, answer.agent_id, poll_s=0.1)
        assert agent.status == models.AgentStatus.READY
        assert agent.serving_version_id is not None and agent.symbol == "AAPL"

        # An error arrives typed too: no READY agent for MSFT, raised by `unwrap`.
        predict = importlib.import_module(f"{PACKAGE}.api.predictions.predict")
        body = models.PredictRequest(
            user_segment=models.UserSegment.QUANT,
            stocks=["MSFT"],
            data_frequency=models.DataFrequency.DAY_1,
            prediction_horizon="1d",
        )
        with pytest.raises(example.ApiError) as refused:
            example.unwrap(await predict.asyncio_detailed(client=client, body=body))
        assert refused.value.status == 409 and refused.value.code == "no_ready_agent"
