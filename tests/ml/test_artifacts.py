"""Saving and verified loading of a trained agent."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.ml.artifacts import (
    CALIBRATION_FILE,
    METRICS_FILE,
    MODEL_FILE,
    PREPROCESSING_FILE,
    ArtifactCorrupt,
    ArtifactMissing,
    load_artifact,
    save_artifact,
)
from tests.ml.conftest import Trained


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
