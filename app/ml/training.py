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
from app.ml.checkpoint import CheckpointError, TrainingCheckpoint, fingerprint
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


class TrainingInterrupted(Exception):
    """The caller asked to pause (``should_pause()`` returned true at an epoch's end):
    ``checkpoint`` resumes the run (`train(..., resume=checkpoint)`) where it stopped."""

    def __init__(self, checkpoint: TrainingCheckpoint) -> None:
        super().__init__(f"training interrupted after epoch {checkpoint.epoch}")
        self.checkpoint = checkpoint


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
    resumed_from_epoch: int = 0  # the checkpoint's epoch this run continued from, or 0

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
    should_pause: StopCheck | None = None,
    resume: TrainingCheckpoint | None = None,
) -> TrainingResult:
    """Train ``architecture`` on ``dataset``'s training split.

    Raises `TrainingDiverged` (non-finite inputs or loss, or a training loss that
    never fell below the untrained model's: the optimiser failed),
    `TrainingCancelled`, and `TrainingInterrupted` with a checkpoint when
    ``should_pause()`` is true at an epoch's end; ``resume`` (such a checkpoint, of
    the same data, architecture, hyperparameters and epochs, else it is ignored)
    continues that run exactly where it stopped. A validation loss that never falls
    below the untrained model's is *not* a failure: the best validation epoch's
    weights are returned and evaluation on the test split says whether the model
    has skill.
    """
    _check_inputs(dataset, hp, epochs)
    if should_stop is not None and should_stop():
        raise TrainingCancelled("training cancelled before it started")

    from app.ml.architectures import build_model
    from app.ml.backend import current as current_backend
    from app.ml.callbacks import Supervisor, SupervisorState
    from app.ml.windows import epoch_batches, steps_per_epoch, window_batches

    splits = dataset.splits
    model = build_model(architecture, hp, dataset.n_features)
    # A checkpoint resumes on the backend that wrote it (the batch order and the
    # dropout generators' state are the backend's); TensorFlow's fingerprints are as before.
    hp_json = hp.to_json()
    if current_backend() != "tensorflow":
        hp_json["keras_backend"] = current_backend()
    run_id = fingerprint(
        dataset.features,
        dataset.targets,
        normalise_architecture(architecture),
        hp_json,
        epochs,
    )
    val_batches = window_batches(dataset, splits.validation, max(hp.batch_size, _EVAL_BATCH))
    train_eval_batches = window_batches(dataset, splits.train, max(hp.batch_size, _EVAL_BATCH))

    supervisor = Supervisor(
        epochs, hp.patience, on_epoch, should_stop, cancel_check_interval_s, should_pause
    )
    first_epoch, fit_seconds = 0, 0.0
    if resume is not None and not (resume.fingerprint == run_id and resume.epoch < epochs):
        resume = None  # another run's: start afresh
    if resume is not None:
        try:
            restore_state(model, resume)
        except CheckpointError:
            model, resume = build_model(architecture, hp, dataset.n_features), None
    if resume is not None:
        first_epoch, fit_seconds = resume.epoch, resume.fit_seconds
        untrained_val_loss = resume.untrained_val_loss
        untrained_train_loss = resume.untrained_train_loss
        supervisor.state = SupervisorState(
            history=[EpochRecord(*record) for record in resume.history],
            best_val_loss=resume.best_val_loss,
            best_epoch=resume.best_epoch,
            best_weights=resume.best_weights,
        )
    else:
        untrained_val_loss = float(model.evaluate(val_batches, verbose=0))
        untrained_train_loss = float(model.evaluate(train_eval_batches, verbose=0))
    if not math.isfinite(untrained_val_loss):
        raise TrainingDiverged(f"the untrained model's validation loss is {untrained_val_loss}")
    # A non-finite training loss is caught (and reported by epoch) during the fit.

    # Each epoch's order is drawn from (seed, epoch): a resumed run sees the batches
    # an uninterrupted one would have.
    train_batches = epoch_batches(
        dataset, splits.train, hp.batch_size, seed=hp.seed, first_epoch=first_epoch, epochs=epochs
    )
    started = time.perf_counter()
    model.fit(
        train_batches,
        validation_data=val_batches,
        epochs=epochs,
        initial_epoch=first_epoch,
        steps_per_epoch=steps_per_epoch(splits.train, hp.batch_size),
        callbacks=[supervisor],
        shuffle=False,
        verbose=0,
    )
    fit_seconds += time.perf_counter() - started
    if supervisor.paused:
        raise TrainingInterrupted(
            capture_state(
                model,
                supervisor.state,
                fingerprint=run_id,
                epochs=epochs,
                untrained_val_loss=untrained_val_loss,
                untrained_train_loss=untrained_train_loss,
                fit_seconds=fit_seconds,
            )
        )

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
        resumed_from_epoch=first_epoch,
    )


def _state_variables(model: keras.Model) -> list[Any]:
    """The model's variables a checkpoint holds: weights and the seed generators'
    state (dropout), not the metrics' (reset every epoch)."""
    metrics = {id(v) for v in model.metrics_variables}
    return [v for v in model.variables if id(v) not in metrics]


def capture_state(
    model: keras.Model,
    state: Any,
    *,
    fingerprint: str,
    epochs: int,
    untrained_val_loss: float,
    untrained_train_loss: float,
    fit_seconds: float,
) -> TrainingCheckpoint:
    """A checkpoint of ``model`` (and its optimizer) at the end of the last epoch in
    ``state`` (the `Supervisor`'s)."""
    history = state.history
    return TrainingCheckpoint(
        fingerprint=fingerprint,
        epoch=history[-1].epoch if history else 0,
        epochs=epochs,
        history=[(r.epoch, r.loss, r.val_loss) for r in history],
        best_epoch=state.best_epoch,
        best_val_loss=state.best_val_loss,
        untrained_val_loss=untrained_val_loss,
        untrained_train_loss=untrained_train_loss,
        fit_seconds=fit_seconds,
        model_state=[np.array(v.numpy()) for v in _state_variables(model)],
        optimizer_state=[np.array(v.numpy()) for v in model.optimizer.variables],
        best_weights=None if state.best_weights is None else list(state.best_weights),
    )


def restore_state(model: keras.Model, checkpoint: TrainingCheckpoint) -> None:
    """Put a checkpoint's model and optimizer variables into a freshly built ``model``
    of the same architecture and hyperparameters."""
    variables = _state_variables(model)
    model.optimizer.build(model.trainable_variables)
    optimizer = list(model.optimizer.variables)
    if len(variables) != len(checkpoint.model_state) or len(optimizer) != len(
        checkpoint.optimizer_state
    ):
        raise CheckpointError("the checkpoint does not fit this model")
    for variable, value in zip(
        [*variables, *optimizer],
        [*checkpoint.model_state, *checkpoint.optimizer_state],
        strict=True,
    ):
        if tuple(variable.shape) != value.shape:
            raise CheckpointError(f"the checkpoint's {variable.path} has another shape")
        variable.assign(value)


def predict_scaled(
    model: keras.Model, dataset: Dataset, split: SplitRange
) -> npt.NDArray[np.float64]:
    """The model's scaled predictions for every sample of ``split`` (bulk, for
    calibration and evaluation; single requests go through `app.ml.inference`)."""
    from app.ml.windows import window_batches

    batches = window_batches(dataset, split, _EVAL_BATCH, with_targets=False)
    return np.asarray(model.predict(batches, verbose=0), dtype=np.float64).reshape(-1)


def configure_threads(intra_op: int, inter_op: int = 1) -> None:
    """Cap the backend's thread pools; call in a training process before any TF work
    so a run leaves CPU to the API on a small machine. Once TensorFlow has
    initialised (never so in the worker's child; possible in a process that
    trained before, such as a test session) the pools are fixed and left as they are.
    Under JAX (`app.ml.backend`) the process is confined to ``intra_op`` cores before
    JAX starts (`_confine_xla`); TensorFlow is not imported."""
    from app.ml.backend import current

    if current() == "jax":
        _confine_xla(intra_op)
        return
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(intra_op)
        tf.config.threading.set_inter_op_parallelism_threads(inter_op)
    except RuntimeError:
        pass


def _confine_xla(cores: int) -> None:
    """XLA has no thread-count flag (an unknown one aborts the process; a word without
    ``--`` is ignored, or read as a file name when it comes first): its CPU client sizes
    its pools by the cores the process may run on when JAX starts. So the process is
    pinned to the ``cores`` least busy now, which its later threads inherit; on one
    core Eigen's pool inside an op goes too. Only threads started later are confined:
    call it before JAX's first computation (importing Keras does not start it)."""
    import os

    allowed = sorted(os.sched_getaffinity(0))
    if cores < len(allowed):
        os.sched_setaffinity(0, _least_busy(allowed, cores))
    flags = os.environ.get("XLA_FLAGS", "")
    if cores == 1 and "--xla_cpu_multi_thread_eigen" not in flags:
        os.environ["XLA_FLAGS"] = f"{flags} --xla_cpu_multi_thread_eigen=false".strip()


def _least_busy(cores: list[int], count: int, sample_s: float = 0.1) -> set[int]:
    """The ``count`` of ``cores`` least busy over ``sample_s`` (the last ones when
    /proc/stat cannot tell): a second training child beside a first takes the other core."""
    before = _busy_ticks()
    time.sleep(sample_s)
    after = _busy_ticks()
    ranked = sorted(cores, key=lambda core: (after.get(core, 0) - before.get(core, 0), -core))
    return set(ranked[:count])


def _busy_ticks() -> dict[int, int]:
    """Each core's non-idle clock ticks since boot (idle and iowait excluded)."""
    ticks: dict[int, int] = {}
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            for line in stat:
                name, *values = line.split()
                if name.startswith("cpu") and name[3:].isdigit():
                    counts = [int(value) for value in values]
                    ticks[int(name[3:])] = sum(counts) - sum(counts[3:5])
    except OSError:
        pass
    return ticks


def _check_inputs(dataset: Dataset, hp: Hyperparameters, epochs: int) -> None:
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    if hp.lookback != dataset.lookback:
        raise ValueError(
            f"hyperparameters' lookback {hp.lookback} != dataset lookback {dataset.lookback}"
        )
    if not (np.isfinite(dataset.features).all() and np.isfinite(dataset.targets).all()):
        raise TrainingDiverged("the training data contain non-finite values (NaN or inf)")
