"""The database artifact store (`app.services.artifact_store`) on SQLite and PostgreSQL.

A version's files saved into `artifact_files` come back, into a directory that did not
exist, as the same bytes with the same SHA-256; a tampered or missing blob is refused
before anything is written; deleting the agent (or its version) deletes the blobs.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import delete, func, select, update
from sqlmodel import col

from app.config import Settings
from app.ml import artifacts
from app.models import Agent, AgentVersion, ArtifactFile
from app.services import artifact_store
from app.services.artifact_store import StoredArtifactCorrupt, StoredArtifactMissing
from tests.utils.client import runtime_of
from tests.utils.serving import Artifact, ready_agent, store_artifact
from tests.utils.users import bearer, user_with_tokens


async def _stored(client: AsyncClient, artifact: Artifact) -> tuple[str, str, str]:
    """A READY agent whose files are in the database; (user, agent, version) ids."""
    user, tokens = await user_with_tokens(client)
    agent_id, version_id = await ready_agent(client, str(user["id"]), artifact)
    await store_artifact(client, version_id, artifact)
    return bearer(tokens)["Authorization"], agent_id, version_id


async def _fetch(client: AsyncClient, version_id: str) -> list[artifact_store.StoredFile]:
    async with runtime_of(client).sessionmaker() as session:
        return await artifact_store.fetch(session, uuid.UUID(version_id))


async def _blob_count(client: AsyncClient, version_id: str) -> int:
    async with runtime_of(client).sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(ArtifactFile)
            .where(col(ArtifactFile.version_id) == uuid.UUID(version_id))
        )
    return int(count or 0)


async def test_saved_files_materialise_into_an_empty_directory_with_the_same_sha(
    client: AsyncClient, daily_artifact: Artifact, tmp_path: Path
) -> None:
    _, _, version_id = await _stored(client, daily_artifact)
    sha = daily_artifact.result["sha256"]
    files = await _fetch(client, version_id)
    names = {f.name for f in files}
    assert set(artifacts.HASHED_FILES) <= names
    assert artifacts.METRICS_FILE in names and artifacts.MANIFEST_FILE in names
    for f in files:  # each row's recorded digest and size are its bytes'
        assert f.sha256 == hashlib.sha256(f.data).hexdigest()
        assert f.data == (daily_artifact.directory / f.name).read_bytes()

    target = tmp_path / "cache" / "agent" / version_id
    artifact_store.materialise(target, files, sha, uuid.UUID(version_id))
    assert sorted(p.name for p in target.iterdir()) == sorted(names)
    assert [p.name for p in target.parent.iterdir()] == [version_id]  # no temporary left
    loaded = artifacts.load_artifact(target, sha)
    assert loaded.sha256 == sha


async def test_store_round_trip_through_an_api_with_an_empty_model_dir(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    daily_artifact: Artifact,
    tmp_path: Path,
) -> None:
    """`ArtifactStore.local_copy` fills this process's cache from the database."""
    client = await app_factory(make_settings(artifact_store="database"))
    _, agent_id, version_id = await _stored(client, daily_artifact)
    store = runtime_of(client).predictions.models.artifacts
    assert store is not None
    elsewhere = artifact_store.ArtifactStore(
        make_settings(artifact_store="database", model_dir=tmp_path / "empty"),
        runtime_of(client).sessionmaker,
    )
    local = await elsewhere.local_copy(
        uuid.UUID(agent_id), uuid.UUID(version_id), "/elsewhere", daily_artifact.result["sha256"]
    )
    assert local == str(tmp_path / "empty" / agent_id / version_id)
    assert (
        artifacts.load_artifact(local, daily_artifact.result["sha256"]).sha256
        == (daily_artifact.result["sha256"])
    )


async def test_a_version_without_stored_files_loads_from_its_weights_path(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    client = await app_factory(make_settings(artifact_store="database"))
    store = artifact_store.ArtifactStore(
        make_settings(artifact_store="database", model_dir=tmp_path / "empty"),
        runtime_of(client).sessionmaker,
    )
    agent_id, version_id = uuid.uuid4(), uuid.uuid4()
    assert await store.local_copy(agent_id, version_id, "/legacy/path", "0" * 64) == "/legacy/path"
    assert await store.local_copy(agent_id, version_id, "/legacy", "0" * 64, refresh=True) is None


def _flip_model_byte(files: list[artifact_store.StoredFile]) -> list[artifact_store.StoredFile]:
    out = []
    for f in files:
        if f.name == artifacts.MODEL_FILE:
            data = bytearray(f.data)
            data[len(data) // 2] ^= 0xFF
            f = artifact_store.StoredFile(f.name, f.sha256, bytes(data))
        out.append(f)
    return out


def _rehashed_preprocessing(
    files: list[artifact_store.StoredFile],
) -> list[artifact_store.StoredFile]:
    """A consistent row (digest of its bytes) that is not the version's file."""
    out = []
    for f in files:
        if f.name == artifacts.PREPROCESSING_FILE:
            data = f.data.replace(b"{", b"{ ", 1)
            f = artifact_store.StoredFile(f.name, hashlib.sha256(data).hexdigest(), data)
        out.append(f)
    return out


def _without_calibration(files: list[artifact_store.StoredFile]) -> list[artifact_store.StoredFile]:
    return [f for f in files if f.name != artifacts.CALIBRATION_FILE]


@pytest.mark.parametrize(
    ("damage", "error"),
    [
        (_flip_model_byte, StoredArtifactCorrupt),
        (_rehashed_preprocessing, StoredArtifactCorrupt),
        (_without_calibration, StoredArtifactMissing),
    ],
    ids=["blob byte flipped", "blob and digest replaced", "blob missing"],
)
async def test_a_tampered_or_missing_blob_is_refused_before_anything_is_written(
    client: AsyncClient,
    daily_artifact: Artifact,
    tmp_path: Path,
    damage: Callable[[list[artifact_store.StoredFile]], list[artifact_store.StoredFile]],
    error: type[Exception],
) -> None:
    _, _, version_id = await _stored(client, daily_artifact)
    damaged = damage(await _fetch(client, version_id))
    async with runtime_of(client).sessionmaker() as session:  # the rows, not just a copy
        await artifact_store.put(session, uuid.UUID(version_id), damaged)
        await session.commit()
    target = tmp_path / "cache" / version_id
    with pytest.raises(error) as raised:
        artifact_store.materialise(
            target,
            await _fetch(client, version_id),
            daily_artifact.result["sha256"],
            uuid.UUID(version_id),
        )
    assert str(tmp_path) not in str(raised.value)  # the message may reach the user
    assert not (tmp_path / "cache").exists()  # verified before a directory is made


def test_read_files_refuses_a_directory_that_does_not_match_the_result(
    daily_artifact: Artifact,
) -> None:
    files = artifact_store.read_files(daily_artifact.directory, daily_artifact.result["sha256"])
    assert {f.name for f in files} >= set(artifacts.HASHED_FILES)
    with pytest.raises(artifacts.ArtifactCorrupt):
        artifact_store.read_files(daily_artifact.directory, "0" * 64)


async def test_files_to_store_follows_the_setting(
    make_settings: Callable[..., Settings], daily_artifact: Artifact
) -> None:
    result = {**daily_artifact.result, "weights_path": str(daily_artifact.directory)}
    assert (
        await artifact_store.files_to_store(make_settings(artifact_store="filesystem"), result)
        == []
    )
    stored = await artifact_store.files_to_store(make_settings(artifact_store="database"), result)
    assert {f.name for f in stored} >= set(artifacts.HASHED_FILES)


async def test_deleting_the_agent_deletes_its_blobs(
    client: AsyncClient, daily_artifact: Artifact
) -> None:
    authorization, agent_id, version_id = await _stored(client, daily_artifact)
    assert await _blob_count(client, version_id) >= len(artifacts.HASHED_FILES)
    response = await client.delete(
        f"/api/v1/agents/{agent_id}", headers={"Authorization": authorization}
    )
    assert response.status_code == 204, response.text
    assert await _blob_count(client, version_id) == 0


async def test_deleting_a_version_deletes_its_blobs(
    client: AsyncClient, daily_artifact: Artifact
) -> None:
    _, agent_id, version_id = await _stored(client, daily_artifact)
    async with runtime_of(client).sessionmaker() as session:
        # The agent serves it: point it away first, as a version deletion would.
        await session.execute(
            update(Agent)
            .where(col(Agent.id) == uuid.UUID(agent_id))
            .values(serving_version_id=None)
        )
        await session.execute(
            delete(AgentVersion).where(col(AgentVersion.id) == uuid.UUID(version_id))
        )
        await session.commit()
    assert await _blob_count(client, version_id) == 0
