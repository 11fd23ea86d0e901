"""Settings: embedded defaults, the generated secret key, production refusals."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import Settings


def test_embedded_defaults(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    assert (
        settings.sqlalchemy_database_url == f"sqlite+aiosqlite:///{tmp_path.as_posix()}/platform.db"
    )
    assert settings.redis_url is None
    assert settings.models_path == tmp_path / "models"


def test_generated_secret_key_is_kept_private_and_stable(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    key = settings.jwt_secret()
    assert len(key) >= 32
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600
    assert Settings(var_dir=tmp_path, _env_file=None).jwt_secret() == key  # type: ignore[call-arg]


@pytest.mark.parametrize("key", [None, "short", "a" * 64])
def test_production_refuses_missing_or_weak_secret(key: str | None) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(
            environment="production",
            secret_key=key,
            database_url="postgresql://x/y",
            _env_file=None,
        )  # type: ignore[call-arg]


def test_production_accepts_a_strong_secret() -> None:
    settings = Settings(
        environment="production",
        database_url="postgresql://h/db",
        secret_key="Zr8s0Qp3xY_k2LmN7vB4cT9wE1uJ6hGf",
        _env_file=None,
    )  # type: ignore[call-arg]
    assert settings.sqlalchemy_database_url == "postgresql+asyncpg://h/db"


@pytest.mark.parametrize("spec", ["ten", "0/60", "5/0", "5 per minute"])
def test_rate_limit_specs_are_validated(spec: str) -> None:
    with pytest.raises(ValidationError):
        Settings(rate_limit_predict=spec, _env_file=None)  # type: ignore[call-arg]


def _readme_configuration_names() -> list[set[str]]:
    """The names in each row of README's configuration table (`| variable | default | …`)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    rows: list[set[str]] = []
    in_table = False
    for line in readme.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not in_table:
            in_table = line.startswith("|") and cells[:2] == ["variable", "default"]
            continue
        if not line.startswith("|"):
            break
        if set(cells[0]) <= set("-: "):
            continue  # the separator row
        rows.append(set(re.findall(r"`([^`]+)`", cells[0])))
    return rows


def test_readme_configuration_table_matches_settings() -> None:
    rows = _readme_configuration_names()
    assert rows, "README.md has no configuration table (| variable | default | meaning |)"
    documented = set().union(*rows)
    settings = {name.upper() for name in Settings.model_fields}
    assert all(rows), "every configuration row names its variables in backticks"
    assert not settings - documented, f"undocumented settings: {sorted(settings - documented)}"
    assert not documented - settings, f"rows naming no setting: {sorted(documented - settings)}"


def test_the_training_backend_can_differ_by_architecture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KERAS_TRAINING_BACKEND", "jax")
    monkeypatch.setenv("KERAS_TRAINING_BACKEND_BY_ARCHITECTURE", '{"transformer": "tensorflow"}')
    settings = Settings(var_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    assert settings.training_backend("Transformer") == "tensorflow"
    assert settings.training_backend("LSTM") == "jax"
    assert settings.training_backend("auto") == "jax"  # one child trains every candidate


@pytest.mark.parametrize(
    ("mapping", "field"),
    [({"GRU": "jax"}, "GRU"), ({"LSTM": "torch"}, "LSTM")],
)
def test_a_backend_for_an_unknown_architecture_or_backend_is_refused(
    tmp_path: Path, mapping: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError, match=field):
        Settings(var_dir=tmp_path, keras_training_backend_by_architecture=mapping, _env_file=None)  # type: ignore[call-arg]
