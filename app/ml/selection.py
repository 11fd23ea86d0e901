"""`auto`: choose among architectures trained on the same split, by validation loss.

The choice looks only at each candidate's best validation loss (the data early
stopping already used), never at the test split: test figures picked from three
candidates would flatter the winner, so they go on the leaderboard for comparison
after the choice and nothing else. Import-light (NumPy only) and pure, so the rule
can be tested without Keras. For users: docs/MODELS.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from app.ml.architectures import normalise_architecture

AUTO = "auto"
# The candidates, in the order they train and that breaks a tie.
CANDIDATES = ("LSTM", "CNN", "Transformer")
_DISPLAY = {normalise_architecture(name): name for name in CANDIDATES}


def is_auto(architecture: str) -> bool:
    return architecture.strip().lower() == AUTO


def display_name(architecture: str) -> str:
    """The API's spelling of a concrete architecture ("transformer" → "Transformer")."""
    return _DISPLAY[normalise_architecture(architecture)]


@dataclass(frozen=True)
class Candidate:
    """One architecture's training, as the choice and the leaderboard see it."""

    architecture: str
    best_val_loss: float | None = None
    untrained_val_loss: float | None = None
    best_epoch: int = 0
    epochs_run: int = 0
    fit_seconds: float = 0.0
    diverged: str | None = None  # why its training failed; then it is not chosen

    @classmethod
    def of(cls, architecture: str, result: Any) -> Candidate:
        """From an `app.ml.training.TrainingResult`."""
        return cls(
            architecture=display_name(architecture),
            best_val_loss=float(result.best_val_loss),
            untrained_val_loss=float(result.untrained_val_loss),
            best_epoch=int(result.best_epoch),
            epochs_run=int(result.epochs_run),
            fit_seconds=float(result.fit_seconds),
        )


def choose(candidates: Sequence[Candidate]) -> int | None:
    """Index of the candidate with the lowest finite best validation loss (ties: the
    earlier one); a diverged candidate never wins; None when all diverged."""
    best: tuple[int, float, int] | None = None
    for index, candidate in enumerate(candidates):
        if candidate.diverged is not None:
            continue
        loss = candidate.best_val_loss
        finite = loss is not None and math.isfinite(loss)
        key = (0, float(loss), index) if finite and loss is not None else (1, 0.0, index)
        if best is None or key < best:
            best = key
    return None if best is None else best[2]


def candidate_scores(predicted: npt.ArrayLike, realised: npt.ArrayLike) -> dict[str, float | None]:
    """A candidate's test-split figures for the leaderboard (not for choosing): RMSE
    over the "no change" forecast's, and the share of right directions (a zero
    realised return counts as wrong, as in the agent's metrics)."""
    p = np.asarray(predicted, dtype=np.float64)
    r = np.asarray(realised, dtype=np.float64)
    if r.size == 0:
        return {"test_rmse_ratio_naive": None, "test_directional_accuracy": None}
    naive = float(np.sqrt(np.mean(r**2)))
    rmse = float(np.sqrt(np.mean((p - r) ** 2)))
    return {
        "test_rmse_ratio_naive": _finite(rmse / naive) if naive else None,
        "test_directional_accuracy": _finite(float((p * r > 0).mean())),
    }


def leaderboard(
    candidates: Sequence[Candidate],
    chosen: int,
    scores: Mapping[str, Mapping[str, float | None]] | None = None,
) -> list[dict[str, Any]]:
    """The JSON entries (`app.schemas.stored.LeaderboardEntry`), in training order;
    `scores` maps an architecture to its `candidate_scores`."""
    entries: list[dict[str, Any]] = []
    for index, c in enumerate(candidates):
        entry: dict[str, Any] = {
            "architecture": c.architecture,
            "chosen": index == chosen,
            "best_val_loss": _finite(c.best_val_loss),
            "untrained_val_loss": _finite(c.untrained_val_loss),
            "best_epoch": c.best_epoch,
            "epochs_run": c.epochs_run,
            "fit_seconds": round(c.fit_seconds, 3),
        }
        if c.diverged is not None:
            entry["diverged"] = c.diverged
        else:
            entry.update((scores or {}).get(c.architecture, {}))
        entries.append(entry)
    return entries


def _finite(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None
