"""When a call's direction was right: one rule for accuracy, confidence and track record.

A call is right iff predicted move × realised move > 0. A zero realised move is wrong
(the move the forecast promised did not happen), and so is a zero predicted move (no
call). The test-split directional accuracy, the calibration that turns a forecast into a
confidence (and its ECE), and an agent's live track record all count with this rule, so
the accuracy a model is judged on, the confidence it serves and the record it earns
measure the same thing (docs/MODELS.md, docs/OUTCOMES.md).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def directions_right(
    predicted_move: npt.ArrayLike, realised_move: npt.ArrayLike
) -> npt.NDArray[np.bool_]:
    """Element-wise ``predicted_move * realised_move > 0``."""
    predicted = np.asarray(predicted_move, dtype=np.float64)
    return predicted * np.asarray(realised_move, dtype=np.float64) > 0


def direction_right(predicted_move: float, realised_move: float) -> bool:
    """One call: `directions_right` on scalars."""
    return bool(directions_right(predicted_move, realised_move))
