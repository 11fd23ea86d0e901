"""Training: it learns what can be learned, claims nothing on noise, stops when
asked, and refuses to call a diverged run a model."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest

from app.ml.dataset import Dataset
from app.ml.training import TrainingCancelled, TrainingDiverged, predict_scaled, train
from tests.ml.conftest import (
    LOOKBACK,
    TINY,
    Trained,
    dataset_of,
    interaction_series,
    planted_series,
    random_walk_series,
    train_and_evaluate,
)


@pytest.fixture(scope="module")
def small_planted() -> Dataset:
    return dataset_of(planted_series(n_bars=600, seed=3))


def test_a_planted_signal_is_learned_and_beats_the_naive_forecast(planted: Trained) -> None:
    m = planted.metrics
    assert m["rmse_ratio_naive"] is not None and m["rmse_ratio_naive"] < 0.85
    assert m["directional_accuracy"] is not None and m["directional_accuracy"] > 0.65
    assert m["directional_accuracy_ci_low"] is not None and m["directional_accuracy_ci_low"] > 0.55
    assert m["ic"] is not None and m["ic"] > 0.5
    assert m["beats_naive_baseline"] is True
    assert m["skill"] == "edge"
    # The planted relation is linear in the last bar, so ridge is (near) optimal:
    # the network must not be reported as beating it by a margin it lacks.
    assert m["rmse_ratio_linear"] is not None and m["rmse_ratio_linear"] > 0.97
    assert m["beats_linear_baseline"] is False


def test_a_nonlinear_signal_lets_the_network_beat_the_linear_baseline() -> None:
    m = train_and_evaluate(dataset_of(interaction_series()), epochs=6).metrics
    assert m["beats_naive_baseline"] is True
    assert m["beats_linear_baseline"] is True
    assert m["rmse_ratio_linear"] is not None and m["rmse_ratio_linear"] < 0.8
    assert m["linear_directional_accuracy"] is not None
    assert m["linear_directional_accuracy"] < 0.56  # ridge sees nothing here


def test_a_random_walk_gives_no_claim_of_skill(random_walk: Trained) -> None:
    m = random_walk.metrics
    assert m["beats_naive_baseline"] is False
    assert m["skill"] == "no_edge"
    assert m["rmse_ratio_naive"] is not None and m["rmse_ratio_naive"] > 0.98
    assert m["directional_accuracy_ci_low"] is not None and m["directional_accuracy_ci_low"] < 0.5
    assert m["mean_confidence"] is not None and m["mean_confidence"] < 0.56


def test_best_weights_are_restored_and_the_curve_is_recorded(planted: Trained) -> None:
    result = planted.result
    val_losses = [r.val_loss for r in result.history]
    assert [r.epoch for r in result.history] == list(range(1, result.epochs_run + 1))
    assert result.best_val_loss == min(val_losses)
    assert result.best_epoch == 1 + val_losses.index(min(val_losses))
    assert result.best_val_loss < result.untrained_val_loss
    ds = planted.dataset
    scaled = predict_scaled(result.model, ds, ds.splits.validation)
    mse = float(np.mean((scaled - ds.split_targets(ds.splits.validation)) ** 2))
    assert mse == pytest.approx(result.best_val_loss, rel=1e-4)
    curve = result.loss_curve()
    assert curve["val_loss"] == val_losses and curve["best_epoch"] == result.best_epoch


@pytest.mark.parametrize("architecture", ["LSTM", "CNN", "Transformer"])
def test_each_architecture_trains_one_tiny_epoch(small_planted: Dataset, architecture: str) -> None:
    result = train(small_planted, architecture, TINY, epochs=1)
    assert result.epochs_run == 1
    assert math.isfinite(result.history[0].loss)
    assert result.best_val_loss < result.untrained_val_loss
    assert result.samples_per_second > 0


def test_progress_is_reported_each_epoch_and_cancel_stops_after_it(small_planted: Dataset) -> None:
    calls: list[tuple[int, int, float, float]] = []

    def on_epoch(epoch: int, epochs: int, loss: float, val_loss: float) -> None:
        calls.append((epoch, epochs, loss, val_loss))

    with pytest.raises(TrainingCancelled):
        train(
            small_planted,
            "CNN",
            TINY,
            epochs=10,
            on_epoch=on_epoch,
            should_stop=lambda: len(calls) >= 2,
            cancel_check_interval_s=3600,
        )
    assert [c[:2] for c in calls] == [(1, 10), (2, 10)]
    assert all(math.isfinite(c[2]) and math.isfinite(c[3]) for c in calls)


def test_cancel_is_checked_between_batches(small_planted: Dataset) -> None:
    polls: list[int] = []
    epochs_seen: list[int] = []

    def should_stop() -> bool:
        polls.append(1)
        return len(polls) > 3  # the start check, then two batches, then stop

    with pytest.raises(TrainingCancelled):
        train(
            small_planted,
            "CNN",
            TINY,
            epochs=5,
            should_stop=should_stop,
            on_epoch=lambda e, *_: epochs_seen.append(e),
            cancel_check_interval_s=0.0,
        )
    assert epochs_seen == []  # stopped inside the first epoch
    assert len(polls) == 4


def test_cancel_before_start_builds_nothing(small_planted: Dataset) -> None:
    with pytest.raises(TrainingCancelled):
        train(small_planted, "LSTM", TINY, epochs=1, should_stop=lambda: True)


def test_nan_inputs_are_declared_diverged(small_planted: Dataset) -> None:
    features = small_planted.features.copy()
    features[5, 0] = np.nan
    with pytest.raises(TrainingDiverged, match="non-finite"):
        train(dataclasses.replace(small_planted, features=features), "CNN", TINY, epochs=1)


def test_a_loss_that_overflows_during_training_is_declared_diverged(small_planted: Dataset) -> None:
    # A finite but float32-overflowing input inside the training split: the
    # squared error becomes inf during the first epoch.
    features = small_planted.features.copy()
    features[20 : 20 + LOOKBACK, :] = 1e30
    with pytest.raises(TrainingDiverged, match="non-finite at epoch 1"):
        train(dataclasses.replace(small_planted, features=features), "CNN", TINY, epochs=3)


def test_validation_loss_never_below_the_untrained_model_is_not_a_failure() -> None:
    # The planted relation flips sign after the training split (a regime change):
    # what the model learns makes validation worse than knowing nothing. The
    # optimiser worked (training loss fell), so the run converged: the best
    # validation epoch's weights come back and evaluation judges the skill.
    ds = dataset_of(planted_series(n_bars=600, seed=3, strength=2.0))
    flip = ds.splits.train.stop
    targets = ds.targets.copy()
    targets[flip:] = -targets[flip:]
    result = train(dataclasses.replace(ds, targets=targets), "CNN", TINY, epochs=3)
    assert result.best_val_loss >= result.untrained_val_loss
    assert result.best_train_loss < result.untrained_train_loss
    assert result.best_epoch == 1


def _zero_output_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Untrained models that forecast exactly 0 — the naive "no change" — as a
    well-initialised network nearly does on noise: nothing it learns on a random
    walk can then improve on it out of sample."""
    import app.ml.architectures as architectures

    build = architectures.build_model

    def zeroed(*args: Any, **kwargs: Any) -> Any:
        model = build(*args, **kwargs)
        last = model.layers[-1]
        last.set_weights([np.zeros_like(w) for w in last.get_weights()])
        return model

    monkeypatch.setattr(architectures, "build_model", zeroed)


def test_a_random_walk_that_never_improves_validation_is_served_with_no_edge(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _zero_output_layer(monkeypatch)
    trained = train_and_evaluate(dataset_of(random_walk_series(n_bars=600, seed=1)), epochs=3)
    result = trained.result
    assert result.best_val_loss >= result.untrained_val_loss  # validation never improved
    assert result.best_train_loss < result.untrained_train_loss  # the optimiser did work
    assert trained.metrics["skill"] == "no_edge"
    assert trained.metrics["beats_naive_baseline"] is False


def test_a_training_loss_that_never_falls_is_declared_diverged(
    small_planted: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An optimiser that cannot move the weights (a learning rate of 0): the
    # training loss stays the untrained model's, up to float rounding.
    import keras

    import app.ml.architectures as architectures

    build = architectures.build_model

    def frozen(*args: Any, **kwargs: Any) -> Any:
        model = build(*args, **kwargs)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
        return model

    monkeypatch.setattr(architectures, "build_model", frozen)
    with pytest.raises(TrainingDiverged, match="training loss never fell below the untrained"):
        train(small_planted, "CNN", TINY, epochs=2)


def test_mismatched_lookback_and_bad_epochs_are_refused(small_planted: Dataset) -> None:
    with pytest.raises(ValueError, match="lookback"):
        train(small_planted, "LSTM", TINY.replace(lookback=LOOKBACK + 1), epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        train(small_planted, "LSTM", TINY, epochs=0)
