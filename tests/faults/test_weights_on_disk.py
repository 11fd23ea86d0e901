"""A READY agent's files deleted or damaged on disk: 409 `model_unavailable` and the
agent flagged `needs_retraining`, never a 500 (SPEC §10).

A model already loaded keeps serving from memory: what is in memory was
verified against the stored SHA-256 when it was loaded, and the version it
answers for is unchanged. The loss shows (409, flagged) the next time the
model must be read from disk — after an LRU eviction, a restart, or on a
replica that has not loaded it yet.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import delete, update
from sqlmodel import col

from app.config import Settings
from app.ml import artifacts
from app.models import ArtifactFile
from tests.utils.client import runtime_of
from tests.utils.serving import Artifact, ready_agent, store_artifact
from tests.utils.users import bearer, user_with_tokens

DAILY = {
    "user_segment": "short_term_trader",
    "stocks": ["AAPL"],
    "data_frequency": "1d",
    "prediction_horizon": "1d",
    "confidence_level": 0.6,
    "capital_at_risk": 0.02,
}


def _folder(client: AsyncClient, agent_id: str, version_id: str) -> Path:
    return runtime_of(client).settings.models_path / agent_id / version_id


def _delete_model(folder: Path) -> None:
    (folder / artifacts.MODEL_FILE).unlink()


def _delete_folder(folder: Path) -> None:
    shutil.rmtree(folder)


def _flip_a_byte(folder: Path) -> None:
    """Same size, one byte different: only the hash can tell."""
    path = folder / artifacts.MODEL_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _garbage_preprocessing(folder: Path) -> None:
    (folder / artifacts.PREPROCESSING_FILE).write_text("{not json")


def _model_is_a_directory(folder: Path) -> None:
    (folder / artifacts.MODEL_FILE).unlink()
    (folder / artifacts.MODEL_FILE).mkdir()


DAMAGE: dict[str, Callable[[Path], None]] = {
    "weights file deleted": _delete_model,
    "version directory deleted": _delete_folder,
    "weights byte flipped": _flip_a_byte,
    "preprocessing garbage": _garbage_preprocessing,
    "weights path is a directory": _model_is_a_directory,
}


async def _trader(client: AsyncClient) -> tuple[str, dict[str, str]]:
    user, tokens = await user_with_tokens(client, account_equity=35_000)
    return str(user["id"]), bearer(tokens)


async def _assert_409_and_flagged(
    client: AsyncClient, headers: dict[str, str], agent_id: str, response: Response
) -> None:
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "model_unavailable"
    assert error["details"]["agent_id"] == agent_id
    assert "Traceback" not in response.text
    agent = (await client.get(f"/api/v1/agents/{agent_id}", headers=headers)).json()
    assert agent["needs_retraining"] is True
    assert agent["status"] == "READY"  # the row is intact; only the files are gone


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
async def test_damaged_files_before_the_first_load_are_409_and_flag_the_agent(
    client: AsyncClient,
    daily_artifact: Artifact,
    damage: str,
) -> None:
    user_id, headers = await _trader(client)
    agent_id, version_id = await ready_agent(client, user_id, daily_artifact)
    DAMAGE[damage](_folder(client, agent_id, version_id))

    for _ in range(2):  # and again: flagged once, still a clean 409
        response = await client.post("/api/v1/predict", json=DAILY, headers=headers)
        await _assert_409_and_flagged(client, headers, agent_id, response)
    history = (await client.get("/api/v1/predictions", headers=headers)).json()
    assert history["items"] == []


async def test_a_file_vanishing_between_the_check_and_the_read_is_409(
    client: AsyncClient,
    daily_artifact: Artifact,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The race a concurrent `DELETE /agents/{id}` or a volume hiccup could hit."""
    user_id, headers = await _trader(client)
    agent_id, _ = await ready_agent(client, user_id, daily_artifact)

    def vanished(path: Path) -> str:
        raise FileNotFoundError(2, "No such file or directory", str(path))

    monkeypatch.setattr(artifacts, "file_sha256", vanished)
    response = await client.post("/api/v1/predict", json=DAILY, headers=headers)
    await _assert_409_and_flagged(client, headers, agent_id, response)


async def test_a_loaded_model_keeps_serving_until_it_must_be_read_again(
    app_factory: Callable[[Settings], Any],
    settings: Settings,
    client: AsyncClient,
    daily_artifact: Artifact,
) -> None:
    user_id, headers = await _trader(client)
    agent_id, version_id = await ready_agent(client, user_id, daily_artifact)
    first = await client.post("/api/v1/predict", json=DAILY, headers=headers)
    assert first.status_code == 200, first.text

    folder = _folder(client, agent_id, version_id)
    shutil.rmtree(folder)
    # A different confidence level misses the answer cache: the model itself runs.
    again = await client.post(
        "/api/v1/predict", json={**DAILY, "confidence_level": 0.7}, headers=headers
    )
    assert again.status_code == 200, again.text
    assert again.json()["cached"] is False
    assert again.json()["predicted_price"] == first.json()["predicted_price"]
    agent = (await client.get(f"/api/v1/agents/{agent_id}", headers=headers)).json()
    assert agent["needs_retraining"] is False

    # Another replica (or this one after a restart) must read the files: 409. (A
    # request answered before is still a hit in the answer cache, shared on Redis.)
    replica = await app_factory(settings)
    response = await replica.post(
        "/api/v1/predict", json={**DAILY, "confidence_level": 0.65}, headers=headers
    )
    await _assert_409_and_flagged(replica, headers, agent_id, response)

    # This replica, once the LRU has evicted the model, answers the same.
    runtime_of(client).predictions.models.evict(uuid.UUID(version_id))
    response = await client.post(
        "/api/v1/predict", json={**DAILY, "confidence_level": 0.8}, headers=headers
    )
    await _assert_409_and_flagged(client, headers, agent_id, response)


async def test_files_restored_serve_again_after_a_retrain_flag(
    client: AsyncClient,
    daily_artifact: Artifact,
) -> None:
    """A transient loss (a volume remounted) does not poison the version: once the
    files are back, the same version loads and answers, still flagged."""
    user_id, headers = await _trader(client)
    agent_id, version_id = await ready_agent(client, user_id, daily_artifact)
    folder = _folder(client, agent_id, version_id)
    hidden = folder.with_name(folder.name + ".away")
    os.rename(folder, hidden)
    response = await client.post("/api/v1/predict", json=DAILY, headers=headers)
    await _assert_409_and_flagged(client, headers, agent_id, response)

    os.rename(hidden, folder)
    response = await client.post("/api/v1/predict", json=DAILY, headers=headers)
    assert response.status_code == 200, response.text
    assert any("flagged for retraining" in w for w in response.json()["warnings"])


# The database artifact store (`ARTIFACT_STORE=database`, the default on PostgreSQL): an
# API process that lacks a version's files materialises them from `artifact_files` into
# its own MODEL_DIR; a blob that does not verify is the same 409, with its reason.


async def _stored_elsewhere(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    artifact: Artifact,
) -> tuple[AsyncClient, dict[str, str], str, str]:
    """A READY agent trained "on another machine": its files in the database only."""
    client = await app_factory(make_settings(artifact_store="database"))
    user_id, headers = await _trader(client)
    agent_id, version_id = await ready_agent(client, user_id, artifact)
    await store_artifact(client, version_id, artifact)
    shutil.rmtree(_folder(client, agent_id, version_id).parent)
    return client, headers, agent_id, version_id


async def _set_blob(client: AsyncClient, version_id: str, name: str, data: bytes | None) -> None:
    """Replace (or, with None, delete) one stored file, leaving its recorded digest."""
    key = (col(ArtifactFile.version_id) == uuid.UUID(version_id)) & (col(ArtifactFile.name) == name)
    async with runtime_of(client).sessionmaker() as session:
        if data is None:
            await session.execute(delete(ArtifactFile).where(key))
        else:
            await session.execute(update(ArtifactFile).where(key).values(data=data))
        await session.commit()


def _flipped(data: bytes) -> bytes:
    flipped = bytearray(data)
    flipped[len(flipped) // 2] ^= 0xFF
    return bytes(flipped)


async def test_an_api_without_the_files_serves_them_from_the_database(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    daily_artifact: Artifact,
) -> None:
    client, headers, agent_id, version_id = await _stored_elsewhere(
        app_factory, make_settings, daily_artifact
    )
    response = await client.post("/api/v1/predict", json=DAILY, headers=headers)
    assert response.status_code == 200, response.text
    folder = _folder(client, agent_id, version_id)
    assert (
        artifacts.load_artifact(folder, daily_artifact.result["sha256"]).sha256
        == (daily_artifact.result["sha256"])
    )
    assert [p.name for p in folder.parent.iterdir()] == [version_id]  # no temporary left


BLOB_DAMAGE: dict[str, tuple[str, Callable[[bytes], bytes | None], str]] = {
    "weights blob byte flipped": (artifacts.MODEL_FILE, _flipped, "does not match"),
    "weights blob deleted": (artifacts.MODEL_FILE, lambda _: None, "lacks model.keras"),
    "calibration blob deleted": (artifacts.CALIBRATION_FILE, lambda _: None, "lacks"),
    "preprocessing blob emptied": (artifacts.PREPROCESSING_FILE, lambda _: b"", "does not match"),
}


@pytest.mark.parametrize("damage", list(BLOB_DAMAGE), ids=list(BLOB_DAMAGE))
async def test_a_damaged_blob_is_409_and_flags_the_agent(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    daily_artifact: Artifact,
    damage: str,
) -> None:
    client, headers, agent_id, version_id = await _stored_elsewhere(
        app_factory, make_settings, daily_artifact
    )
    name, change, reason = BLOB_DAMAGE[damage]
    await _set_blob(
        client, version_id, name, change((daily_artifact.directory / name).read_bytes())
    )

    for _ in range(2):
        response = await client.post("/api/v1/predict", json=DAILY, headers=headers)
        await _assert_409_and_flagged(client, headers, agent_id, response)
        message = response.json()["error"]["message"]
        assert f"stored artifact of version {version_id}" in message and reason in message
        assert str(runtime_of(client).settings.models_path) not in message
    assert not _folder(client, agent_id, version_id).exists()  # nothing half-written


async def test_a_damaged_cached_copy_is_fetched_again_from_the_database(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    daily_artifact: Artifact,
) -> None:
    client, headers, agent_id, version_id = await _stored_elsewhere(
        app_factory, make_settings, daily_artifact
    )
    assert (await client.post("/api/v1/predict", json=DAILY, headers=headers)).status_code == 200
    folder = _folder(client, agent_id, version_id)
    _flip_a_byte(folder)
    runtime_of(client).predictions.models.evict(uuid.UUID(version_id))

    response = await client.post(
        "/api/v1/predict", json={**DAILY, "confidence_level": 0.7}, headers=headers
    )
    assert response.status_code == 200, response.text
    model = artifacts.MODEL_FILE
    assert (folder / model).read_bytes() == (daily_artifact.directory / model).read_bytes()
    agent = (await client.get(f"/api/v1/agents/{agent_id}", headers=headers)).json()
    assert agent["needs_retraining"] is False
