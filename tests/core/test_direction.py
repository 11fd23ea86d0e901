"""The one rule for a right call: predicted move × realised move > 0."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.direction import direction_right, directions_right


@pytest.mark.parametrize(
    ("predicted", "realised", "right"),
    [
        (0.5, 0.1, True),
        (-0.5, -2.0, True),
        (0.5, -0.1, False),
        (-0.5, 0.1, False),
        (0.5, 0.0, False),  # no move is wrong
        (-0.5, -0.0, False),
        (0.0, 0.3, False),  # so is no call
        (0.0, 0.0, False),
    ],
)
def test_direction_right(predicted: float, realised: float, right: bool) -> None:
    assert direction_right(predicted, realised) is right
    assert directions_right([predicted], [realised]).tolist() == [right]


def test_the_array_form_is_the_same_rule() -> None:
    rng = np.random.default_rng(0)
    predicted = np.round(rng.normal(size=200))
    realised = np.round(rng.normal(size=200))
    got = directions_right(predicted, realised)
    assert got.dtype == np.bool_
    assert got.tolist() == [direction_right(p, r) for p, r in zip(predicted, realised, strict=True)]
