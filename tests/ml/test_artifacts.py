"""Saving and verified loading of a trained agent."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from app.ml.artifacts import (
    CALIBRATION_FILE,
    HASHED_FILES,
    INTERVAL_FILE,
    METRICS_FILE,
    MODEL_FILE,
    PREPROCESSING_FILE,
    ArtifactCorrupt,
    ArtifactMissing,
    file_sha256,
    load_artifact,
    save_artifact,
)
from tests.ml.conftest import Trained, interval_of


@pytest.fixture
def saved(tmp_path: Path, planted: Trained) -> tuple[Path, str]:
    directory = tmp_path / "agent-1" / "v1"
    sha = save_artifact(
        directory,
        planted.result.model,
        planted.dataset.preprocessing,
        planted.calibrator,
        planted.metrics,
    )
    return directory, sha


def test_round_trip_restores_model_preprocessing_calibration_and_metrics(
    saved: tuple[Path, str], planted: Trained
) -> None:
    directory, sha = saved
    assert len(sha) == 64 and int(sha, 16) >= 0
    artifact = load_artifact(directory, sha)
    assert artifact.sha256 == sha
    assert artifact.preprocessing == planted.dataset.preprocessing
    assert artifact.calibrator == planted.calibrator
    assert artifact.metrics == planted.metrics
    windows = planted.dataset.windows(planted.dataset.splits.test)[:16]
    np.testing.assert_allclose(
        artifact.model(windows).numpy(), planted.result.model(windows).numpy(), atol=1e-6
    )
    # Only final names remain: every temporary file was renamed or removed.
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        [MODEL_FILE, PREPROCESSING_FILE, CALIBRATION_FILE, METRICS_FILE, "manifest.json"]
    )


def test_a_changed_byte_is_detected_and_the_file_named(saved: tuple[Path, str]) -> None:
    directory, sha = saved
    path = directory / PREPROCESSING_FILE
    data = json.loads(path.read_text())
    data["lookback"] += 1
    path.write_text(json.dumps(data))
    with pytest.raises(ArtifactCorrupt, match=PREPROCESSING_FILE):
        load_artifact(directory, sha)


def test_a_wrong_expected_hash_is_refused(saved: tuple[Path, str]) -> None:
    directory, _ = saved
    with pytest.raises(ArtifactCorrupt):
        load_artifact(directory, "0" * 64)


def test_missing_file_or_directory_raises_missing(saved: tuple[Path, str], tmp_path: Path) -> None:
    directory, sha = saved
    with pytest.raises(ArtifactMissing):
        load_artifact(tmp_path / "nowhere", sha)
    (directory / MODEL_FILE).unlink()
    with pytest.raises(ArtifactMissing, match=MODEL_FILE):
        load_artifact(directory, sha)


def test_metrics_can_be_rewritten_without_invalidating_the_model(
    saved: tuple[Path, str],
) -> None:
    directory, sha = saved
    (directory / METRICS_FILE).write_text(json.dumps({"live_hit_rate": 0.6}))
    assert load_artifact(directory, sha).metrics == {"live_hit_rate": 0.6}


def test_an_artifact_without_an_interval_keeps_the_three_file_hash(
    saved: tuple[Path, str],
) -> None:
    # What an artifact saved before intervals existed looks like, and hashes to.
    directory, sha = saved
    assert not (directory / INTERVAL_FILE).exists()
    text = "".join(f"{name} {file_sha256(directory / name)}\n" for name in HASHED_FILES)
    assert sha == hashlib.sha256(text.encode()).hexdigest()
    assert load_artifact(directory, sha).interval is None


def test_the_interval_is_saved_hashed_and_restored(tmp_path: Path, planted: Trained) -> None:
    interval = interval_of(planted)
    ds = planted.dataset
    args = (planted.result.model, ds.preprocessing, planted.calibrator, planted.metrics)
    plain = save_artifact(tmp_path / "plain", *args)
    directory = tmp_path / "with"
    sha = save_artifact(directory, *args, interval=interval)
    assert sha != plain
    artifact = load_artifact(directory, sha)
    assert artifact.interval == interval
    assert INTERVAL_FILE in json.loads((directory / "manifest.json").read_text())

    edited = json.loads((directory / INTERVAL_FILE).read_text())
    (directory / INTERVAL_FILE).write_text(json.dumps({**edited, "quantile": 99.0}))
    with pytest.raises(ArtifactCorrupt, match=INTERVAL_FILE):
        load_artifact(directory, sha)
    (directory / INTERVAL_FILE).unlink()  # dropping the interval changes the hash too
    with pytest.raises(ArtifactCorrupt, match=INTERVAL_FILE):
        load_artifact(directory, sha)

    # Re-saving without an interval keeps no stale one. (Hashes of two saves are not
    # compared: Keras stamps each .keras file with the time it was written.)
    resaved = save_artifact(directory, *args)
    assert not (directory / INTERVAL_FILE).exists()
    assert INTERVAL_FILE not in json.loads((directory / "manifest.json").read_text())
    assert load_artifact(directory, resaved).interval is None
