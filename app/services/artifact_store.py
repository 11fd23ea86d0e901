"""The artifact store: a version's files in the database, so no machine needs a shared volume.

Where it is used is `Settings.artifact_store` (`ARTIFACT_STORE`): `auto` (the default)
keeps artifacts in the database when that is PostgreSQL and only under `MODEL_DIR`
when it is the embedded SQLite file; `database` and `filesystem` force either.

* **Write** (the worker, at READY): `files_to_store` reads the files the training child
  wrote under the worker's `MODEL_DIR`, hashes each and checks the combination against
  the version's SHA-256; `put` inserts them into `artifact_files` in the transaction that
  marks the version READY, so a READY version always has its files in the store.
* **Read** (an API process): `ArtifactStore.local_copy` answers the directory to load.
  `MODEL_DIR/<agent id>/<version id>/` is a cache: used as it is when complete, else
  materialised from the database (written to a hidden temporary directory beside it,
  every file checked against its own SHA-256 and the set against the version's, fsynced,
  then renamed into place), so a half-written cache never exists under the real name.
  `load_artifact` then verifies the files once more, as for any directory.
* **Delete**: `artifact_files.version_id` cascades from `agent_versions`, so deleting an
  agent or a version deletes its blobs, on PostgreSQL and on SQLite (foreign keys on).

Blobs are read with the async driver and hashed and written in a thread: the event loop
never waits for a file.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import shutil
import uuid
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from app.config import Settings
from app.ml.artifacts import (
    HASHED_FILES,
    MANIFEST_FILE,
    METRICS_FILE,
    OPTIONAL_HASHED_FILES,
    ArtifactCorrupt,
    ArtifactMissing,
    combined_sha256,
)
from app.models import ArtifactFile

logger = logging.getLogger(__name__)

# What is stored of a version's directory: what predictions depend on, and the report
# and manifest beside it (so a materialised copy is the directory the worker wrote).
STORED_FILES = (*HASHED_FILES, *OPTIONAL_HASHED_FILES, METRICS_FILE, MANIFEST_FILE)


class StoredArtifactError:
    """Mixin of the store's errors: their message names no path, so the 409 may say it."""


class StoredArtifactMissing(ArtifactMissing, StoredArtifactError):
    """The database holds some of the version's files but not all it needs."""


class StoredArtifactCorrupt(ArtifactCorrupt, StoredArtifactError):
    """A blob does not hash to its recorded SHA-256, or the set not to the version's."""


@dataclass(frozen=True)
class StoredFile:
    name: str
    sha256: str
    data: bytes


def read_files(directory: Path, expected_sha256: str) -> list[StoredFile]:
    """The files of the artifact in ``directory``, verified against ``expected_sha256``
    (blocking: call it in a thread)."""
    files: list[StoredFile] = []
    for name in STORED_FILES:
        path = directory / name
        if not path.is_file():
            if name in HASHED_FILES:
                raise ArtifactMissing(f"artifact {directory} lacks {name}")
            continue
        data = path.read_bytes()
        files.append(StoredFile(name, hashlib.sha256(data).hexdigest(), data))
    _check_combined(files, expected_sha256, f"artifact {directory}", ArtifactCorrupt)
    return files


async def files_to_store(settings: Settings, result: Mapping[str, Any]) -> list[StoredFile]:
    """What `put` should store of a training result: nothing when artifacts stay on disk."""
    if not settings.artifacts_in_database:
        return []
    return await asyncio.to_thread(read_files, Path(result["weights_path"]), str(result["sha256"]))


async def put(session: AsyncSession, version_id: uuid.UUID, files: Sequence[StoredFile]) -> None:
    """The version's files, in the caller's transaction (replacing any it had)."""
    if not files:
        return
    await session.execute(delete(ArtifactFile).where(col(ArtifactFile.version_id) == version_id))
    session.add_all(
        ArtifactFile(
            version_id=version_id, name=f.name, sha256=f.sha256, size=len(f.data), data=f.data
        )
        for f in files
    )


async def fetch(session: AsyncSession, version_id: uuid.UUID) -> list[StoredFile]:
    """The version's stored files, as recorded (unverified); empty when it has none."""
    rows = (
        await session.execute(
            select(col(ArtifactFile.name), col(ArtifactFile.sha256), col(ArtifactFile.data)).where(
                col(ArtifactFile.version_id) == version_id
            )
        )
    ).all()
    return [StoredFile(name, sha256, bytes(data)) for name, sha256, data in rows]


def verify(files: Sequence[StoredFile], expected_sha256: str, version_id: uuid.UUID) -> None:
    """Each blob against its recorded SHA-256 and the set against the version's."""
    what = f"the stored artifact of version {version_id}"
    names = {f.name for f in files}
    missing = [name for name in HASHED_FILES if name not in names]
    if missing:
        raise StoredArtifactMissing(f"{what} lacks {', '.join(missing)}")
    for f in files:
        if hashlib.sha256(f.data).hexdigest() != f.sha256:
            raise StoredArtifactCorrupt(f"{what}: {f.name} does not match its SHA-256")
    _check_combined(files, expected_sha256, what, StoredArtifactCorrupt)


def materialise(
    target: Path,
    files: Sequence[StoredFile],
    expected_sha256: str,
    version_id: uuid.UUID,
    *,
    replace: bool = False,
) -> None:
    """Verify ``files`` and write them as the directory ``target``, atomically (blocking).

    Without ``replace`` a complete directory already at ``target`` (another process
    materialised it first) is kept; with it, whatever is there is swapped out."""
    verify(files, expected_sha256, version_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    temporary.mkdir()
    try:
        for f in files:
            with open(temporary / f.name, "wb") as handle:
                handle.write(f.data)
                handle.flush()
                os.fsync(handle.fileno())
        _install(temporary, target, replace=replace)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def is_complete(directory: Path) -> bool:
    return all((directory / name).is_file() for name in HASHED_FILES)


class ArtifactStore:
    """An API process's view of the store: the local cache under `MODEL_DIR`, filled
    from the database on a miss."""

    def __init__(self, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.root = settings.models_path
        self._sessionmaker = sessionmaker
        # One materialisation per version at a time in this process.
        self._locks: weakref.WeakValueDictionary[uuid.UUID, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def cache_dir(self, agent_id: uuid.UUID, version_id: uuid.UUID) -> Path:
        return self.root / str(agent_id) / str(version_id)

    async def local_copy(
        self,
        agent_id: uuid.UUID,
        version_id: uuid.UUID,
        weights_path: str,
        sha256: str,
        *,
        refresh: bool = False,
    ) -> str | None:
        """The directory to load the version from: the cache, materialised from the
        database when incomplete (or, with ``refresh``, whatever it holds). A version
        the database holds no files of (trained before the store, or with
        `ARTIFACT_STORE=filesystem`) loads from its `weights_path` as before; with
        ``refresh`` that is None: there is nothing better to load."""
        target = self.cache_dir(agent_id, version_id)
        lock = self._locks.get(version_id)
        if lock is None:
            lock = self._locks[version_id] = asyncio.Lock()
        async with lock:
            if not refresh and await asyncio.to_thread(is_complete, target):
                return str(target)
            async with self._sessionmaker() as session:
                files = await fetch(session, version_id)
            if not files:
                return None if refresh else (weights_path or str(target))
            await asyncio.to_thread(materialise, target, files, sha256, version_id, replace=refresh)
            logger.info("materialised version %s from the artifact store", version_id)
            return str(target)


def _check_combined(
    files: Sequence[StoredFile], expected: str, what: str, error: type[ArtifactCorrupt]
) -> None:
    digests = {f.name: f.sha256 for f in files if f.name in (*HASHED_FILES, *OPTIONAL_HASHED_FILES)}
    actual = combined_sha256(digests)
    if actual != expected.lower():
        raise error(f"{what} has SHA-256 {actual}, expected {expected}")


def _install(temporary: Path, target: Path, *, replace: bool) -> None:
    """Rename ``temporary`` to ``target``; a rename onto a non-empty directory fails, so
    an existing one is kept (complete, not ``replace``) or moved aside and deleted."""
    for _ in range(5):
        try:
            os.rename(temporary, target)
            return
        except OSError:
            if not target.exists():
                continue  # removed meanwhile: try again
            if not replace and is_complete(target):
                return  # another process won; `load_artifact` verifies what it wrote
        aside = target.with_name(f".{target.name}.{uuid.uuid4().hex}.old")
        try:
            os.rename(target, aside)
        except FileNotFoundError:
            continue
        shutil.rmtree(aside, ignore_errors=True)
        replace = False
    raise ArtifactCorrupt(f"could not install the artifact at {target}")
