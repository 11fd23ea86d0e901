"""A training run's checkpoint at an epoch boundary, to resume it on another worker.

A worker told to stop (a deploy's SIGTERM) has its training child finish the epoch
it is in and save everything the rest of the run depends on: the model's variables
(weights and the dropout layers' seed-generator state), the optimizer's (Adam's step
count and moments), the epochs done, the early-stopping state (best epoch, its
validation loss and weights), the loss curve so far, the untrained losses the
divergence check compares with, and the fit time spent. With the training order
drawn per epoch from (seed, epoch) (`app.ml.windows.epoch_batches`) the resumed
run computes what an uninterrupted one would have. The checkpoint is one `.npz`
(no pickle), stored with the job, so the next worker need not share a disk.

Import-light (NumPy only): the worker's parent process stores and loads the bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

FORMAT = 1


class CheckpointError(ValueError):
    """The bytes are not a checkpoint this code can resume from."""


@dataclass
class TrainingCheckpoint:
    fingerprint: str  # of the data, architecture, hyperparameters and epochs
    epoch: int  # epochs completed (1-based count); the run resumes at epoch + 1
    epochs: int
    history: list[tuple[int, float, float]]  # (epoch, loss, val_loss) so far
    best_epoch: int
    best_val_loss: float
    untrained_val_loss: float
    untrained_train_loss: float
    fit_seconds: float
    model_state: list[np.ndarray] = field(default_factory=list)
    optimizer_state: list[np.ndarray] = field(default_factory=list)
    best_weights: list[np.ndarray] | None = None

    def to_bytes(self) -> bytes:
        meta = {
            "format": FORMAT,
            "fingerprint": self.fingerprint,
            "epoch": self.epoch,
            "epochs": self.epochs,
            "history": [[e, _json_float(lo), _json_float(vl)] for e, lo, vl in self.history],
            "best_epoch": self.best_epoch,
            "best_val_loss": _json_float(self.best_val_loss),
            "untrained_val_loss": self.untrained_val_loss,
            "untrained_train_loss": self.untrained_train_loss,
            "fit_seconds": self.fit_seconds,
            "n_model": len(self.model_state),
            "n_optimizer": len(self.optimizer_state),
            "n_best": -1 if self.best_weights is None else len(self.best_weights),
        }
        arrays: dict[str, np.ndarray] = {"meta": np.frombuffer(json.dumps(meta).encode(), np.uint8)}
        for prefix, values in (
            ("model", self.model_state),
            ("optimizer", self.optimizer_state),
            ("best", self.best_weights or []),
        ):
            for i, value in enumerate(values):
                arrays[f"{prefix}_{i}"] = np.asarray(value)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)  # type: ignore[arg-type]
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TrainingCheckpoint:
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                meta = json.loads(npz["meta"].tobytes().decode())
                if meta.get("format") != FORMAT:
                    raise CheckpointError(f"unknown checkpoint format {meta.get('format')!r}")

                def group(prefix: str, n: int) -> list[np.ndarray]:
                    return [npz[f"{prefix}_{i}"] for i in range(n)]

                n_best = int(meta["n_best"])
                return cls(
                    fingerprint=str(meta["fingerprint"]),
                    epoch=int(meta["epoch"]),
                    epochs=int(meta["epochs"]),
                    history=[(int(e), _float(lo), _float(vl)) for e, lo, vl in meta["history"]],
                    best_epoch=int(meta["best_epoch"]),
                    best_val_loss=_float(meta["best_val_loss"]),
                    untrained_val_loss=float(meta["untrained_val_loss"]),
                    untrained_train_loss=float(meta["untrained_train_loss"]),
                    fit_seconds=float(meta["fit_seconds"]),
                    model_state=group("model", int(meta["n_model"])),
                    optimizer_state=group("optimizer", int(meta["n_optimizer"])),
                    best_weights=None if n_best < 0 else group("best", n_best),
                )
        except CheckpointError:
            raise
        except Exception as exc:  # a truncated or foreign blob
            raise CheckpointError(f"unreadable checkpoint: {type(exc).__name__}: {exc}") from None


def fingerprint(
    features: np.ndarray, targets: np.ndarray, architecture: str, hp: dict[str, Any], epochs: int
) -> str:
    """What a checkpoint is only valid for: the same data, model and schedule."""
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(features).tobytes())
    digest.update(np.ascontiguousarray(targets).tobytes())
    digest.update(json.dumps([architecture, hp, epochs], sort_keys=True).encode())
    return digest.hexdigest()


def _json_float(value: float) -> float | str:
    return value if np.isfinite(value) else repr(float(value))


def _float(value: float | str) -> float:
    return float(value)
