"""The Docker deployment files agree with each other and with app/config.py.

No Docker needed: compose.yaml, docker.env.example, the Dockerfile and .dockerignore are
read as files, so a renamed setting, a moved DATA_DIR or a missing health check
fails here rather than at `docker compose up`.
"""

from __future__ import annotations

import re
import secrets
import shlex
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from pydantic import ValidationError

from app.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SETTING_NAMES = {name.upper() for name in Settings.model_fields}
ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")
COMMENTED = re.compile(r"^#\s*([A-Z][A-Z0-9_]*)=(.*)$")


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def image_env() -> dict[str, str]:
    """The runtime stage's ENV of the Dockerfile (KEY=value pairs, continued lines)."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    runtime = text.split("AS runtime", 1)[1]
    env: dict[str, str] = {}
    for line in runtime.splitlines():
        if line.startswith("ENV "):
            for pair in shlex.split(line[len("ENV ") :]):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def env_example_lines() -> list[str]:
    return (ROOT / "docker.env.example").read_text(encoding="utf-8").splitlines()


def env_example() -> tuple[dict[str, str], dict[str, str]]:
    """(the assignments, the commented-out ones) of docker.env.example."""
    active: dict[str, str] = {}
    commented: dict[str, str] = {}
    for line in env_example_lines():
        if match := ASSIGNMENT.match(line):
            active[match.group(1)] = match.group(2)
        elif match := COMMENTED.match(line):
            commented[match.group(1)] = match.group(2)
        else:
            assert not line or line.startswith("#"), f"docker.env.example: not KEY=value: {line!r}"
    return active, commented


def mounts(service: dict[str, Any]) -> dict[str, str]:
    """Target path → source of a service's short-syntax volumes."""
    found = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        found[target] = source
    return found


def env_files(service: dict[str, Any]) -> list[str]:
    files = service.get("env_file", [])
    return [files] if isinstance(files, str) else list(files)


def test_the_four_services_and_their_images() -> None:
    svc = services()
    assert set(svc) == {"db", "redis", "api", "worker"}
    assert svc["db"]["image"].startswith("postgres:16")
    assert svc["redis"]["image"].startswith("redis:7")
    for name in ("api", "worker"):
        assert svc[name]["build"] == "."
        assert env_files(svc[name]) == ["docker.env"]
    assert svc["api"]["image"] == svc["worker"]["image"]
    assert "command" not in svc["api"], "the API runs the image's default: migrate, then serve"
    assert svc["worker"]["command"] == ["python", "-m", "app.tasks.worker"]
    assert any(str(port).endswith(":8000") for port in svc["api"]["ports"])
    assert "EXPOSE 8000" in (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_every_dependency_is_waited_for_until_healthy() -> None:
    svc = services()
    for name, service in svc.items():
        assert "healthcheck" in service, f"{name} has no health check of its own"
        for dependency, condition in service.get("depends_on", {}).items():
            assert dependency in svc
            assert condition == {"condition": "service_healthy"}, (name, dependency)
    assert set(svc["api"]["depends_on"]) == {"db", "redis"}
    assert set(svc["worker"]["depends_on"]) == {"db", "redis", "api"}  # api migrates
    grace = svc["worker"]["stop_grace_period"]
    assert int(grace.removesuffix("s")) > Settings.model_fields["shutdown_grace_s"].default


def test_volumes_are_where_the_image_and_settings_look() -> None:
    env = image_env()
    declared = set(compose()["volumes"])
    svc = services()
    assert mounts(svc["db"])["/var/lib/postgresql/data"] in declared
    for name in ("api", "worker"):
        paths = mounts(svc[name])
        # the CSV source reads DATA_DIR/<frequency>/<SYMBOL>.csv (docs/MARKET_DATA.md)
        assert paths[env["DATA_DIR"]] == "./data/market"
        assert paths[env["MODEL_DIR"]] in declared  # a named volume, shared by both
    assert mounts(svc["api"])[env["MODEL_DIR"]] == mounts(svc["worker"])[env["MODEL_DIR"]]


def test_env_example_names_real_settings_each_with_its_comment() -> None:
    active, commented = env_example()
    names = set(active) | set(commented)
    assert not names - SETTING_NAMES, f"not settings of app/config.py: {names - SETTING_NAMES}"
    assert {"ENVIRONMENT", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= set(active)
    assert active["ENVIRONMENT"] == "production"
    switches = {"PUBLIC_BASE_URL", "CORS_ORIGINS", "REFINITIV_APP_KEY", "BLOOMBERG_HOST"}
    assert switches <= set(commented)
    # the image sets these to the paths compose.yaml mounts; .env would override them
    assert not names & {"DATA_DIR", "MODEL_DIR", "VAR_DIR"}
    lines = env_example_lines()
    for i, line in enumerate(lines):
        if ASSIGNMENT.match(line) or COMMENTED.match(line):
            above = lines[i - 1]
            assert above.startswith("#") and not COMMENTED.match(above), f"no comment: {line}"
            value = line.partition("=")[2]
            # docker compose and python-dotenv read plain values alike
            assert not value.startswith(("'", '"')) and " #" not in value, line


def test_env_example_urls_name_the_compose_services() -> None:
    active, _ = env_example()
    db = services()["db"]["environment"]
    url = urlsplit(active["DATABASE_URL"])
    assert url.scheme == "postgresql" and url.hostname == "db" and url.port == 5432
    assert (url.username, url.password) == (db["POSTGRES_USER"], db["POSTGRES_PASSWORD"])
    assert url.path == "/" + db["POSTGRES_DB"]
    assert urlsplit(active["REDIS_URL"]).hostname == "redis"


def settings_from(text: str, path: Path) -> Settings:
    path.write_text(text, encoding="utf-8")
    return Settings(_env_file=path)


def test_env_example_starts_in_production_once_a_secret_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in SETTING_NAMES:  # only the file speaks
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    example = (ROOT / "docker.env.example").read_text(encoding="utf-8")
    assert "\nSECRET_KEY=\n" in example
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        settings_from(example, tmp_path / "as-shipped.env")

    secret = secrets.token_urlsafe(48)
    filled = example.replace("\nSECRET_KEY=\n", f"\nSECRET_KEY={secret}\n")
    settings = settings_from(filled, tmp_path / ".env")
    assert settings.environment == "production"
    assert settings.sqlalchemy_database_url.startswith("postgresql+asyncpg://atp:atp@db:5432/")
    assert settings.artifacts_in_database and settings.redis_url

    # and every commented-out example value is valid for its setting when switched on
    uncommented = re.sub(r"(?m)^#\s*([A-Z][A-Z0-9_]*=\S)", r"\1", filled)
    assert uncommented != filled
    settings = settings_from(uncommented, tmp_path / "all.env")
    assert settings.cors_origins and settings.trusted_proxies and settings.public_base_url


def test_dockerfile_is_multi_stage_non_root_and_ignores_local_state() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert len(re.findall(r"(?m)^FROM ", dockerfile)) >= 2
    users = re.findall(r"(?m)^USER (\S+)", dockerfile)
    assert users and users[-1] not in ("root", "0")
    assert "python -m app.migrate && exec uvicorn" in dockerfile
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".venv", "var", ".git", "docker.env", "data", ".pytest_cache"} <= ignored


def test_the_sample_source_is_a_default_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert any(dep.startswith("bokeh-sampledata") for dep in project["dependencies"])


def _pins() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not pinned with =="
            pins[canonicalize_name(name)] = Version(version)
    return pins


def test_constraints_pin_every_dependency_within_pyproject() -> None:
    """The lock CI, the benches and the image install through (scripts/lock): each
    requirement of the project and its CPU extras pinned, at a release pyproject.toml
    allows, so a stale lock fails here rather than at a user's install."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    pins = _pins()
    for text in [*project["dependencies"], *extras["test"], *extras["jax"]]:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate(
            {"platform_machine": "x86_64"}
        ):
            continue  # the lock is resolved on x86_64 (the image's and CI's platform)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in constraints.txt: run scripts/lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {name} {pins[name]}, outside {requirement.specifier}"
        )


def test_every_install_goes_through_the_constraints() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY pyproject.toml README.md constraints.txt" in dockerfile
    assert "pip install -c constraints.txt ." in dockerfile
    env = (ROOT / "scripts" / "_env.sh").read_text(encoding="utf-8")
    assert "pip install --quiet -c constraints.txt -e" in env
