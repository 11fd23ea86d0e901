"""A run stopped at an epoch boundary and resumed from its checkpoint computes what an
uninterrupted run computes, for a pinned seed (tiny CNN, dropout on)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from app.ml.checkpoint import CheckpointError, TrainingCheckpoint
from app.ml.dataset import Dataset
from app.ml.training import TrainingInterrupted, predict_scaled, train
from tests.ml.conftest import TINY, dataset_of, planted_series

EPOCHS = 4
HP = dataclasses.replace(TINY, dropout=0.2, patience=10, seed=7)


@pytest.fixture(scope="module")
def data() -> Dataset:
    return dataset_of(planted_series(n_bars=500, seed=5))


def _interrupted(data: Dataset, after: int) -> TrainingCheckpoint:
    seen: list[int] = []

    def on_epoch(epoch: int, epochs: int, loss: float, val_loss: float) -> None:
        seen.append(epoch)

    with pytest.raises(TrainingInterrupted) as stopped:
        train(data, "CNN", HP, EPOCHS, on_epoch=on_epoch, should_pause=lambda: len(seen) >= after)
    assert seen == list(range(1, after + 1))
    return stopped.value.checkpoint


def test_interrupt_and_resume_equals_an_uninterrupted_run(data: Dataset) -> None:
    whole = train(data, "CNN", HP, EPOCHS)
    checkpoint = _interrupted(data, after=2)
    assert checkpoint.epoch == 2 and checkpoint.epochs == EPOCHS
    # Through bytes, as the job stores it, and on another "worker": a fresh model.
    restored = TrainingCheckpoint.from_bytes(checkpoint.to_bytes())
    epochs_seen: list[int] = []
    resumed = train(
        data, "CNN", HP, EPOCHS, resume=restored, on_epoch=lambda e, *_: epochs_seen.append(e)
    )
    assert resumed.resumed_from_epoch == 2 and epochs_seen == [3, 4]
    assert [r.epoch for r in resumed.history] == [1, 2, 3, 4]
    # Exactly equal: same batches per epoch, optimizer moments, dropout seeds.
    assert resumed.history == whole.history
    assert resumed.best_epoch == whole.best_epoch
    assert resumed.best_val_loss == whole.best_val_loss
    for a, b in zip(resumed.model.get_weights(), whole.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    test = data.splits.test
    np.testing.assert_array_equal(
        predict_scaled(resumed.model, data, test), predict_scaled(whole.model, data, test)
    )


def test_a_checkpoint_of_another_run_is_ignored(data: Dataset) -> None:
    checkpoint = _interrupted(data, after=1)
    other = dataclasses.replace(HP, seed=8)
    result = train(data, "CNN", other, 2, resume=checkpoint)
    assert result.resumed_from_epoch == 0 and result.epochs_run == 2


def test_a_truncated_checkpoint_is_refused() -> None:
    with pytest.raises(CheckpointError):
        TrainingCheckpoint.from_bytes(b"not a checkpoint")
