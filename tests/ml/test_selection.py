"""`auto`'s choice: by validation loss only, whatever the test split says."""

from __future__ import annotations

import math

import numpy as np

from app.ml import selection
from app.ml.selection import Candidate, choose, leaderboard


def _candidates(lstm: float, cnn: float, transformer: float) -> list[Candidate]:
    return [
        Candidate("LSTM", best_val_loss=lstm, untrained_val_loss=1.2, best_epoch=2, epochs_run=2),
        Candidate("CNN", best_val_loss=cnn, untrained_val_loss=1.1, best_epoch=1, epochs_run=2),
        Candidate("Transformer", best_val_loss=transformer, untrained_val_loss=1.0),
    ]


def test_chooses_by_validation_even_when_the_test_split_disagrees() -> None:
    candidates = _candidates(0.90, 0.80, 0.95)
    # On test the Transformer looks best and CNN worst: that must not matter.
    scores = {
        "LSTM": {"test_rmse_ratio_naive": 0.99, "test_directional_accuracy": 0.52},
        "CNN": {"test_rmse_ratio_naive": 1.20, "test_directional_accuracy": 0.45},
        "Transformer": {"test_rmse_ratio_naive": 0.90, "test_directional_accuracy": 0.60},
    }
    chosen = choose(candidates)
    assert chosen == 1
    board = leaderboard(candidates, chosen, scores)
    assert [e["architecture"] for e in board] == ["LSTM", "CNN", "Transformer"]
    assert [e["chosen"] for e in board] == [False, True, False]
    assert board[1]["test_rmse_ratio_naive"] == 1.20  # kept for comparison only
    assert board[1]["best_val_loss"] == min(e["best_val_loss"] for e in board)


def test_ties_go_to_the_earlier_architecture() -> None:
    assert choose(_candidates(0.5, 0.5, 0.5)) == 0
    assert choose(_candidates(0.9, 0.5, 0.5)) == 1


def test_diverged_and_non_finite_candidates_lose() -> None:
    candidates = _candidates(0.1, 0.8, math.nan)
    candidates[0] = Candidate("LSTM", diverged="the loss became NaN")
    assert choose(candidates) == 1
    board = leaderboard(candidates, 1)
    assert board[0]["diverged"] == "the loss became NaN" and not board[0]["chosen"]
    assert board[2]["best_val_loss"] is None  # JSON-safe
    assert choose([Candidate("LSTM", diverged="x"), Candidate("CNN", diverged="y")]) is None


def test_candidate_scores() -> None:
    realised = np.array([0.01, -0.02, 0.03, -0.01])
    scores = selection.candidate_scores(realised * 0.5, realised)
    assert scores["test_directional_accuracy"] == 1.0
    assert scores["test_rmse_ratio_naive"] == 0.5
    assert selection.candidate_scores(np.zeros(0), np.zeros(0))["test_directional_accuracy"] is None


def test_display_names() -> None:
    assert selection.display_name("transformer") == "Transformer"
    assert selection.is_auto(" AUTO ") and not selection.is_auto("LSTM")
