"""A trained agent on disk: weights, preprocessing, calibration, metrics, and a hash.

The artifact's SHA-256 covers exactly what predictions depend on (`HASHED_FILES`, and
`OPTIONAL_HASHED_FILES` where present; not `metrics.json`, so a report can be rewritten
without invalidating the model) and is recomputed from the files on load. The optional
prediction interval (`interval.json`) is hashed when present, so an artifact saved before
intervals existed keeps its SHA-256 and loads with no interval. Every file is written to
a temporary name, flushed and renamed, so a crash never leaves a half-written file under
a real name. The layout: docs/MODELS.md. Keras is imported lazily.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from app.ml.calibration import IsotonicCalibrator, PlattCalibrator, calibrator_from_json
from app.ml.conformal import ConformalInterval
from app.ml.dataset import Preprocessing

if TYPE_CHECKING:
    import keras

MODEL_FILE = "model.keras"
PREPROCESSING_FILE = "preprocessing.json"
CALIBRATION_FILE = "calibration.json"
METRICS_FILE = "metrics.json"
INTERVAL_FILE = "interval.json"
MANIFEST_FILE = "manifest.json"
HASHED_FILES = (MODEL_FILE, PREPROCESSING_FILE, CALIBRATION_FILE)
# Hashed after `HASHED_FILES` when present; absent in artifacts saved before them.
OPTIONAL_HASHED_FILES = (INTERVAL_FILE,)


class ArtifactError(Exception):
    """Base of the artifact errors."""


class ArtifactMissing(ArtifactError):
    """The directory or one of its required files does not exist."""


class ArtifactCorrupt(ArtifactError):
    """The files do not hash to the expected SHA-256, or cannot be read."""


@dataclass(frozen=True)
class ArtifactParts:
    """A verified artifact's files but its model (`read_artifact`)."""

    preprocessing: Preprocessing
    calibrator: PlattCalibrator | IsotonicCalibrator
    metrics: dict[str, Any]
    sha256: str
    interval: ConformalInterval | None = None  # None: saved before intervals existed


@dataclass(frozen=True)
class LoadedArtifact(ArtifactParts):
    model: keras.Model = field(kw_only=True)


def save_artifact(
    directory: str | Path,
    model: keras.Model,
    preprocessing: Preprocessing,
    calibrator: PlattCalibrator | IsotonicCalibrator,
    metrics: dict[str, Any],
    *,
    interval: ConformalInterval | None = None,
) -> str:
    """Write the artifact into ``directory`` (created if needed); return its SHA-256."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    _save_model(root, model)
    _write_json(root / PREPROCESSING_FILE, preprocessing.to_json())
    _write_json(root / CALIBRATION_FILE, calibrator.to_json())
    if interval is not None:
        _write_json(root / INTERVAL_FILE, interval.to_json())
    else:  # a stale interval must not be hashed into (or served with) this model
        (root / INTERVAL_FILE).unlink(missing_ok=True)
    _write_json(root / METRICS_FILE, metrics)
    digests = {name: file_sha256(root / name) for name in _hashed_names(root)}
    _write_json(root / MANIFEST_FILE, digests)
    return combined_sha256(digests)


def load_artifact(directory: str | Path, expected_sha256: str) -> LoadedArtifact:
    """Verify and load; `ArtifactMissing` / `ArtifactCorrupt` otherwise."""
    parts = read_artifact(directory, expected_sha256)
    return LoadedArtifact(
        **{f.name: getattr(parts, f.name) for f in fields(parts)},
        model=load_model_file(directory),
    )


def read_artifact(directory: str | Path, expected_sha256: str) -> ArtifactParts:
    """Verify an artifact and read all of it but the Keras model, for a caller that
    reads the model file itself (`read_model_config`, `read_model_weights`)."""
    root = Path(directory)
    if not root.is_dir():
        raise ArtifactMissing(f"artifact directory {root} does not exist")
    missing = [name for name in HASHED_FILES if not (root / name).is_file()]
    if missing:
        raise ArtifactMissing(f"artifact {root} lacks {', '.join(missing)}")
    try:
        digests = {name: file_sha256(root / name) for name in _hashed_names(root)}
    except FileNotFoundError as exc:  # deleted between the check above and the read
        raise ArtifactMissing(f"artifact {root} lost {Path(exc.filename or '?').name}") from exc
    except OSError as exc:  # unreadable: permissions, an I/O error on the volume
        raise ArtifactCorrupt(f"artifact {root} cannot be read: {exc}") from exc
    actual = combined_sha256(digests)
    if actual != expected_sha256.lower():
        raise ArtifactCorrupt(
            f"artifact {root} has SHA-256 {actual}, expected {expected_sha256}"
            f"{_changed_files(root, digests)}"
        )
    try:
        preprocessing = Preprocessing.from_json(_read_json(root / PREPROCESSING_FILE))
        calibrator = calibrator_from_json(_read_json(root / CALIBRATION_FILE))
        interval = (
            ConformalInterval.from_json(_read_json(root / INTERVAL_FILE))
            if INTERVAL_FILE in digests
            else None
        )
        metrics_path = root / METRICS_FILE
        metrics = _read_json(metrics_path) if metrics_path.is_file() else {}
    except _UNREADABLE as exc:
        raise ArtifactCorrupt(f"artifact {root} cannot be read: {exc}") from exc
    return ArtifactParts(preprocessing, calibrator, metrics, actual, interval)


_UNREADABLE = (ValueError, KeyError, TypeError, OSError, zipfile.BadZipFile)
# Inside a `.keras` file (Keras 3's layout): the model's configuration, its weights.
KERAS_CONFIG = "config.json"
KERAS_WEIGHTS = "model.weights.h5"


def load_model_file(directory: str | Path) -> keras.Model:
    """The artifact's Keras model (its digest verified by `read_artifact`)."""
    path = Path(directory) / MODEL_FILE
    try:
        return _load_model(path)
    except _UNREADABLE as exc:
        raise ArtifactCorrupt(f"artifact {Path(directory)} cannot be read: {exc}") from exc


def read_model_config(directory: str | Path) -> dict[str, Any]:
    """The model file's configuration, read without Keras (a few kilobytes)."""
    try:
        with zipfile.ZipFile(Path(directory) / MODEL_FILE) as archive:
            config = json.loads(archive.read(KERAS_CONFIG))
    except _UNREADABLE as exc:
        raise ArtifactCorrupt(f"artifact {Path(directory)} cannot be read: {exc}") from exc
    if not isinstance(config, dict):
        raise ArtifactCorrupt(f"artifact {Path(directory)} has a malformed model configuration")
    return config


def read_model_weights(source: str | Path | bytes, paths: Sequence[str]) -> list[npt.NDArray[Any]]:
    """The arrays stored at `paths` of a model file's weights (an artifact directory,
    or the bytes of a `.weights.h5` file), read with h5py: a few milliseconds where
    Keras' loader spends tens rebuilding the model around them."""
    import h5py

    try:
        if isinstance(source, bytes):
            data = source
        else:
            with zipfile.ZipFile(Path(source) / MODEL_FILE) as archive:
                data = archive.read(KERAS_WEIGHTS)
        with h5py.File(io.BytesIO(data), "r") as weights:
            return [np.asarray(weights[path][()]) for path in paths]
    except _UNREADABLE as exc:
        raise ArtifactCorrupt(f"model weights cannot be read: {exc}") from exc


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def combined_sha256(digests: dict[str, str]) -> str:
    """SHA-256 of ``"<name> <sha256>\\n"`` for `HASHED_FILES` and then each optional file
    present in ``digests``, in that order."""
    names = (*HASHED_FILES, *(name for name in OPTIONAL_HASHED_FILES if name in digests))
    text = "".join(f"{name} {digests[name]}\n" for name in names)
    return hashlib.sha256(text.encode()).hexdigest()


def _hashed_names(root: Path) -> tuple[str, ...]:
    return (*HASHED_FILES, *(name for name in OPTIONAL_HASHED_FILES if (root / name).is_file()))


def _changed_files(root: Path, digests: dict[str, str]) -> str:
    try:
        recorded = _read_json(root / MANIFEST_FILE)
    except (OSError, ValueError):
        return ""
    names = (*HASHED_FILES, *OPTIONAL_HASHED_FILES)
    changed = [name for name in names if recorded.get(name) != digests.get(name)]
    return f" (changed since saved: {', '.join(changed)})" if changed else ""


def _save_model(root: Path, model: keras.Model) -> None:
    # Keras insists on the ".keras" suffix, so the temporary name keeps it.
    temporary = root / f".{MODEL_FILE}.{uuid.uuid4().hex}.tmp.keras"
    try:
        model.save(temporary)
        _fsync(temporary)
        os.replace(temporary, root / MODEL_FILE)
    finally:
        temporary.unlink(missing_ok=True)


def _load_model(path: Path) -> keras.Model:
    import keras

    import app.ml.layers  # noqa: F401  registers the custom layers before loading

    return keras.saving.load_model(path, compile=False)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    # allow_nan=False: a NaN would be written as the non-JSON token NaN.
    text = json.dumps(data, indent=2, sort_keys=True, allow_nan=False)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _read_json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path.name} does not hold a JSON object")
    return data


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
