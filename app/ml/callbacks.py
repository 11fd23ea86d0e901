"""The Keras callback that supervises a training run.

One callback does early stopping, best-weight tracking, progress reporting,
divergence, cancellation and pausing at an epoch boundary (for a checkpoint),
because they share state (the best epoch, the curve) and because every extra
per-batch hook costs throughput.  The cancel check uses ``on_train_batch_begin``:
Keras 3 dispatches batch *ends* synchronously, converting the logs to Python
numbers (a device sync per step), as soon as any callback overrides
``on_train_batch_end``; batch *begins* cost nothing.  Imports Keras: worker-only.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

from app.ml.training import (
    EpochCallback,
    EpochRecord,
    StopCheck,
    TrainingCancelled,
    TrainingDiverged,
)


@dataclass
class SupervisorState:
    history: list[EpochRecord] = field(default_factory=list)
    best_val_loss: float = math.inf
    best_epoch: int = 0
    best_weights: list[np.ndarray] | None = None
    stopped_early: bool = False


class Supervisor(keras.callbacks.Callback):
    """Early stopping on ``val_loss`` (best weights restored at the end whether or
    not it stopped early — Keras' own `EarlyStopping` keeps the last weights when
    the run reaches ``epochs``), progress, divergence and cancellation."""

    def __init__(
        self,
        epochs: int,
        patience: int,
        on_epoch: EpochCallback | None = None,
        should_stop: StopCheck | None = None,
        cancel_check_interval_s: float = 0.5,
        should_pause: StopCheck | None = None,
    ) -> None:
        super().__init__()
        self.epochs = epochs
        self.should_pause = should_pause
        self.paused = False  # stopped at an epoch boundary when asked, to resume later
        self.patience = patience
        self.on_epoch = on_epoch
        self.should_stop = should_stop
        self.cancel_check_interval_s = cancel_check_interval_s
        self.state = SupervisorState()
        self._next_check = 0.0

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        # Throttled by wall time: should_stop may read a flag in Redis or a DB row.
        now = time.monotonic()
        if self.should_stop is not None and now >= self._next_check:
            self._next_check = now + self.cancel_check_interval_s
            self._check_cancel()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        loss = float(logs.get("loss", math.nan))
        val_loss = float(logs.get("val_loss", math.nan))
        record = EpochRecord(epoch + 1, loss, val_loss)
        self.state.history.append(record)
        if not (math.isfinite(loss) and math.isfinite(val_loss)):
            self.model.stop_training = True
            raise TrainingDiverged(
                f"loss became non-finite at epoch {record.epoch} "
                f"(loss={loss}, val_loss={val_loss}); try a lower learning rate"
            )
        if val_loss < self.state.best_val_loss:
            self.state.best_val_loss = val_loss
            self.state.best_epoch = record.epoch
            self.state.best_weights = self.model.get_weights()
        elif record.epoch - self.state.best_epoch >= self.patience:
            self.state.stopped_early = True
            self.model.stop_training = True
        if self.on_epoch is not None:
            self.on_epoch(record.epoch, self.epochs, loss, val_loss)
        if self.should_stop is not None:
            self._check_cancel()
        # Asked to stop (the worker is shutting down): end the fit at this epoch's
        # boundary so the caller can checkpoint; the last epoch, or an early stop,
        # simply ends the run as usual.
        if (
            self.should_pause is not None
            and not self.model.stop_training
            and record.epoch < self.epochs
            and self.should_pause()
        ):
            self.paused = True
            self.model.stop_training = True

    def restore_best(self) -> None:
        if self.state.best_weights is not None:
            self.model.set_weights(self.state.best_weights)

    def _check_cancel(self) -> None:
        if self.should_stop is not None and self.should_stop():
            self.model.stop_training = True
            raise TrainingCancelled("training cancelled")
