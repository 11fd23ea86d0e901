"""Train one agent model: early stopping, progress, cancellation, divergence.

Import-light (Keras is imported inside `train`), so the worker's parent process and the
API can import the exceptions and result types for free. A run is `TrainingDiverged`
only when the optimiser failed: a non-finite loss, or a training loss that never fell
below the untrained model's. A validation loss that never improves is not a failure
(the model converged but has no skill, which evaluation reports); the weights
returned are the best validation epoch's. For users: docs/MODELS.md.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from app.ml.architectures import Hyperparameters, normalise_architecture
from app.ml.dataset import Dataset, SplitRange

if TYPE_CHECKING:
    import keras

EpochCallback = Callable[[int, int, float, float], None]
"""``on_epoch(epoch, epochs, loss, val_loss)``, epoch 1-based, called after each
epoch; the caller decides how often to write it anywhere."""
StopCheck = Callable[[], bool]
"""``should_stop()`` → true to cancel; polled at most every
``cancel_check_interval_s`` between batches and after every epoch."""

# Validation and bulk prediction run forward passes only; larger batches there
# cut per-step overhead without changing the (mean) loss.
_EVAL_BATCH = 512
# "Fell below" means by more than float rounding: an optimiser that did not move
# the weights leaves the training loss equal to the untrained one up to summation
# order, which must not read as progress.
_MIN_TRAIN_IMPROVEMENT = 1e-5


class TrainingDiverged(Exception):
    """Training did not converge; ``reason`` is meant for the agent's failure_reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TrainingCancelled(Exception):
    """The caller asked to stop (``should_stop()`` returned true)."""


@dataclass(frozen=True)
class EpochRecord:
    epoch: int  # 1-based
    loss: float
    val_loss: float


@dataclass
class TrainingResult:
    model: keras.Model
    architecture: str
    hyperparameters: Hyperparameters
    history: list[EpochRecord]
    best_epoch: int
    best_val_loss: float
    untrained_val_loss: float
    untrained_train_loss: float
    best_train_loss: float
    stopped_early: bool
    fit_seconds: float
    train_samples: int

    @property
    def epochs_run(self) -> int:
        return len(self.history)

    @property
    def samples_per_second(self) -> float:
        return self.train_samples * self.epochs_run / self.fit_seconds if self.fit_seconds else 0.0

    def loss_curve(self) -> dict[str, Any]:
        """JSON-ready curve for the agent row and the quant dashboard."""
        return {
            "epoch": [r.epoch for r in self.history],
            "loss": [r.loss for r in self.history],
            "val_loss": [r.val_loss for r in self.history],
            "best_epoch": self.best_epoch,
            "untrained_val_loss": self.untrained_val_loss,
            "untrained_train_loss": self.untrained_train_loss,
        }


def train(
    dataset: Dataset,
    architecture: str,
    hp: Hyperparameters,
    epochs: int,
    *,
    on_epoch: EpochCallback | None = None,
    should_stop: StopCheck | None = None,
    cancel_check_interval_s: float = 0.5,
) -> TrainingResult:
    """Train ``architecture`` on ``dataset``'s training split.

    Raises `TrainingDiverged` (non-finite inputs or loss, or a training loss that
    never fell below the untrained model's: the optimiser failed) and
    `TrainingCancelled`. A validation loss that never falls below the untrained
    model's is *not* a failure: the best validation epoch's weights are returned
    and evaluation on the test split says whether the model has skill.
    """
    _check_inputs(dataset, hp, epochs)
    if should_stop is not None and should_stop():
        raise TrainingCancelled("training cancelled before it started")

    from app.ml.architectures import build_model
    from app.ml.callbacks import Supervisor
    from app.ml.windows import window_batches

    splits = dataset.splits
    model = build_model(architecture, hp, dataset.n_features)
    train_batches = window_batches(dataset, splits.train, hp.batch_size, shuffle=True, seed=hp.seed)
    val_batches = window_batches(dataset, splits.validation, max(hp.batch_size, _EVAL_BATCH))

    train_eval_batches = window_batches(dataset, splits.train, max(hp.batch_size, _EVAL_BATCH))

    untrained_val_loss = float(model.evaluate(val_batches, verbose=0))
    untrained_train_loss = float(model.evaluate(train_eval_batches, verbose=0))
    if not math.isfinite(untrained_val_loss):
        raise TrainingDiverged(f"the untrained model's validation loss is {untrained_val_loss}")
    # A non-finite training loss is caught (and reported by epoch) during the fit.

    supervisor = Supervisor(epochs, hp.patience, on_epoch, should_stop, cancel_check_interval_s)
    started = time.perf_counter()
    model.fit(
        train_batches,
        validation_data=val_batches,
        epochs=epochs,
        callbacks=[supervisor],
        shuffle=False,
        verbose=0,
    )
    fit_seconds = time.perf_counter() - started

    state = supervisor.state
    bar = untrained_train_loss * (1.0 - _MIN_TRAIN_IMPROVEMENT)
    # The epochs' training losses are running means (dropout on); if none is under
    # the bar, the final weights are measured the way the untrained ones were.
    best_train_loss = min((r.loss for r in state.history), default=math.inf)
    if not best_train_loss < bar:
        best_train_loss = min(best_train_loss, float(model.evaluate(train_eval_batches, verbose=0)))
    if not best_train_loss < bar:
        raise TrainingDiverged(
            f"training loss never fell below the untrained model's "
            f"(best {best_train_loss:.6g} vs untrained {untrained_train_loss:.6g}): "
            "the optimiser made no progress; try a higher learning rate or more epochs"
        )
    supervisor.restore_best()
    return TrainingResult(
        model=model,
        architecture=normalise_architecture(architecture),
        hyperparameters=hp,
        history=list(state.history),
        best_epoch=state.best_epoch,
        best_val_loss=state.best_val_loss,
        untrained_val_loss=untrained_val_loss,
        untrained_train_loss=untrained_train_loss,
        best_train_loss=best_train_loss,
        stopped_early=state.stopped_early,
        fit_seconds=fit_seconds,
        train_samples=len(splits.train),
    )


def predict_scaled(
    model: keras.Model, dataset: Dataset, split: SplitRange
) -> npt.NDArray[np.float64]:
    """The model's scaled predictions for every sample of ``split`` (bulk, for
    calibration and evaluation; single requests go through `app.ml.inference`)."""
    from app.ml.windows import window_batches

    batches = window_batches(dataset, split, _EVAL_BATCH, with_targets=False)
    return np.asarray(model.predict(batches, verbose=0), dtype=np.float64).reshape(-1)


def configure_threads(intra_op: int, inter_op: int = 1) -> None:
    """Cap TensorFlow's thread pools; call in a training process before any TF work
    so a run leaves CPU to the API on a small machine. Once TensorFlow has
    initialised (never so in the worker's child; possible in a process that
    trained before, such as a test session) the pools are fixed and left as they are."""
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(intra_op)
        tf.config.threading.set_inter_op_parallelism_threads(inter_op)
    except RuntimeError:
        pass


def _check_inputs(dataset: Dataset, hp: Hyperparameters, epochs: int) -> None:
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    if hp.lookback != dataset.lookback:
        raise ValueError(
            f"hyperparameters' lookback {hp.lookback} != dataset lookback {dataset.lookback}"
        )
    if not (np.isfinite(dataset.features).all() and np.isfinite(dataset.targets).all()):
        raise TrainingDiverged("the training data contain non-finite values (NaN or inf)")
