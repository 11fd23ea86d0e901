"""Confidence: the calibrated probability that the predicted direction is right.

Fitted on the validation split (never seen by the optimiser) from ``|p|``, the magnitude
of the scaled predicted return: Platt scaling, or isotonic regression once there are
`ISOTONIC_MIN_SAMPLES` effective samples (below that a step function overfits). Neither
may claim more than its evidence earned: Platt's curve stops rising where the validation
calls thin out, and every isotonic step holds `MIN_BLOCK_SAMPLES` effective samples and
is shrunk toward the base rate, so a lucky handful of big calls is never reported as a
sure thing. Outputs lie in [0.5, `CONFIDENCE_CEILING`]: a direction the model is less
than even about is a coin flip, never a confident call the other way, and no call is
certain. "Direction right" is the platform's one rule (`app.core.direction`), used here
for calibration and ECE as in evaluation and the track record. Pure NumPy; for users:
docs/MODELS.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from app.core.direction import directions_right

ISOTONIC_MIN_SAMPLES = 2000
PRIOR_SAMPLES = 10.0
# Isotonic: each step's least evidence (effective samples), and the strength (in
# effective samples) of the prior at the base rate that each step is shrunk toward.
MIN_BLOCK_SAMPLES = 100.0
BLOCK_PRIOR_SAMPLES = 50.0
# Platt: the curve is flat above this quantile of the validation |p|; fewer calls than
# that were bigger, too few to say that confidence keeps rising with size.
PLATT_TOP_QUANTILE = 0.9
CONFIDENCE_FLOOR = 0.5
# No call is certain. Fresh fits stay below 1 by construction (shrinkage, smoothed
# targets); the ceiling also bounds artifacts fitted before that, and 0.99 never
# rounds to a displayed 1.00.
CONFIDENCE_CEILING = 0.99

BoolArray = npt.NDArray[np.bool_]
Array = npt.NDArray[np.float64]


def direction_correct(predicted: npt.ArrayLike, realised: npt.ArrayLike) -> BoolArray:
    """``True`` where ``predicted * realised > 0``: the call had the realised sign.

    A zero realised return (no move) or a zero prediction (no call) counts as
    not correct — the platform's one rule, `app.core.direction.directions_right`.
    """
    return directions_right(predicted, realised)


class Calibrator(Protocol):
    method: str

    def confidence(self, predicted_scaled: npt.ArrayLike) -> Array: ...

    def to_json(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class PlattCalibrator:
    """``sigmoid(a + b·min(|p|, x_max))``; ``x_max`` is None in artifacts saved
    before it existed (the curve then rises to the ceiling)."""

    intercept: float
    slope: float
    n_samples: int
    x_max: float | None = None
    method: str = "platt"

    def confidence(self, predicted_scaled: npt.ArrayLike) -> Array:
        x = np.abs(np.asarray(predicted_scaled, dtype=np.float64))
        if self.x_max is not None:
            x = np.minimum(x, self.x_max)
        return _clip(_sigmoid(self.intercept + self.slope * x))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "method": self.method,
            "intercept": self.intercept,
            "slope": self.slope,
            "n_samples": self.n_samples,
        }
        if self.x_max is not None:
            data["x_max"] = self.x_max
        return data


@dataclass(frozen=True)
class IsotonicCalibrator:
    """Piecewise-linear through the PAV blocks: constant across each block's
    range of ``|p|``, linear between blocks, flat beyond the ends."""

    knots_x: tuple[float, ...]
    knots_y: tuple[float, ...]
    n_samples: int
    method: str = "isotonic"

    def confidence(self, predicted_scaled: npt.ArrayLike) -> Array:
        x = np.abs(np.asarray(predicted_scaled, dtype=np.float64))
        return _clip(np.interp(x, np.asarray(self.knots_x), np.asarray(self.knots_y)))

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "knots_x": list(self.knots_x),
            "knots_y": list(self.knots_y),
            "n_samples": self.n_samples,
        }


def calibrator_from_json(data: dict[str, Any]) -> PlattCalibrator | IsotonicCalibrator:
    """Loads what `to_json` wrote, including files written before ``x_max``."""
    if data["method"] == "platt":
        x_max = data.get("x_max")
        return PlattCalibrator(
            float(data["intercept"]),
            float(data["slope"]),
            int(data["n_samples"]),
            None if x_max is None else float(x_max),
        )
    if data["method"] == "isotonic":
        return IsotonicCalibrator(
            tuple(map(float, data["knots_x"])),
            tuple(map(float, data["knots_y"])),
            int(data["n_samples"]),
        )
    raise ValueError(f"unknown calibration method {data['method']!r}")


def fit_calibrator(
    predicted_scaled: npt.ArrayLike,
    realised: npt.ArrayLike,
    *,
    horizon_bars: int = 1,
    isotonic_min_samples: int = ISOTONIC_MIN_SAMPLES,
) -> PlattCalibrator | IsotonicCalibrator:
    """Fit on the validation split's scaled predictions and realised returns.

    With a horizon of h bars, consecutive samples share h − 1 bars of their
    outcome: 7,000 one-hour outcomes on 1-minute bars are about 117 independent
    ones.  So the evidence is counted as ``n / h`` — each sample weighs ``1/h`` in
    Platt's fit and its smoothed targets, isotonic needs ``n / h`` above the
    threshold, and each isotonic step's evidence and shrinkage count ``1/h`` per
    sample — else a trend inside the validation window reads as skill.
    """
    x = np.abs(np.asarray(predicted_scaled, dtype=np.float64))
    correct = direction_correct(predicted_scaled, realised)
    if x.shape[0] < 2:
        raise ValueError("calibration needs at least two validation samples")
    weight = 1.0 / max(1, horizon_bars)
    if x.shape[0] * weight >= isotonic_min_samples:
        return _fit_isotonic(x, correct, weight)
    return _fit_platt(x, correct, weight)


def expected_calibration_error(
    confidence: npt.ArrayLike, correct: npt.ArrayLike, bins: int = 10
) -> float:
    """ECE = Σ_b (n_b / N) · |mean(correct in b) − mean(confidence in b)|.

    ``bins`` equal-width bins over [0.5, 1] — the range confidence lives in;
    bins over [0, 1] would leave half of them empty.  Values below 0.5 fall in
    the first bin, 1.0 in the last.  0 for an empty input.
    """
    conf = np.asarray(confidence, dtype=np.float64)
    hits = np.asarray(correct, dtype=np.float64)
    if conf.shape[0] == 0:
        return 0.0
    edges = np.linspace(CONFIDENCE_FLOOR, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, conf, side="right") - 1, 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    conf_sum = np.bincount(which, weights=conf, minlength=bins)
    hit_sum = np.bincount(which, weights=hits, minlength=bins)
    used = counts > 0
    gaps = np.abs(hit_sum[used] - conf_sum[used])  # n_b · |acc_b − conf_b|
    return float(gaps.sum() / conf.shape[0])


def _sigmoid(z: Array) -> Array:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free logistic


def _clip(confidence: Array) -> Array:
    return np.clip(confidence, CONFIDENCE_FLOOR, CONFIDENCE_CEILING)


def _fit_platt(
    x: Array, correct: BoolArray, weight: float = 1.0, iterations: int = 50
) -> PlattCalibrator:
    n_pos = float(correct.sum()) * weight
    n_neg = float(correct.shape[0]) * weight - n_pos
    target = np.where(correct, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))
    # Fit on x / scale for conditioning, then fold the scale back into the slope.
    scale = float(x.std()) or 1.0
    design = np.column_stack([np.ones_like(x), x / scale])
    weights = np.zeros(2)
    # A weak prior at the coin flip, worth PRIOR_SAMPLES outcomes (each adds 1/4 to
    # the Hessian at p = 1/2): little evidence stays near 0.5, much overrides it.
    ridge = 0.25 * PRIOR_SAMPLES * np.eye(2)
    for _ in range(iterations):
        p = _sigmoid(design @ weights)
        gradient = weight * (design.T @ (p - target)) + ridge @ weights
        hessian = weight * ((design * (p * (1 - p))[:, None]).T @ design) + ridge
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return PlattCalibrator(
        float(weights[0]),
        float(weights[1] / scale),
        int(x.shape[0]),
        float(np.quantile(x, PLATT_TOP_QUANTILE)),
    )


@dataclass
class _Block:
    """A run of samples sorted by ``|p|``: its share right, its effective
    evidence, and its range of ``|p|``."""

    value: float
    weight: float
    lo: float
    hi: float

    def absorb(self, other: _Block) -> None:
        """Become the pool of this block and a neighbour (either side)."""
        total = self.weight + other.weight
        self.value = (self.value * self.weight + other.value * other.weight) / total
        self.weight = total
        self.lo, self.hi = min(self.lo, other.lo), max(self.hi, other.hi)


def _pool(blocks: list[_Block], *, merge_ties: bool = False) -> list[_Block]:
    """Pool adjacent violators: merge until the values strictly increase (and, with
    ``merge_ties``, until no two blocks share an ``|p|``, so one x has one value)."""
    pooled: list[_Block] = []
    for block in blocks:
        pooled.append(block)
        while len(pooled) > 1 and (
            pooled[-2].value >= pooled[-1].value or (merge_ties and pooled[-1].lo == pooled[-2].hi)
        ):
            pooled[-2].absorb(pooled.pop())
    return pooled


def _at_least(blocks: list[_Block], evidence: float) -> list[_Block]:
    """Merge neighbours until each block holds ``evidence``, from the largest
    ``|p|`` down — the top, where a confident claim would sit, gets the first
    full block of the biggest calls — and a short remainder at the bottom joins
    the block above it.  Merging neighbours of a non-decreasing sequence keeps it
    non-decreasing."""
    merged: list[_Block] = []
    open_block: _Block | None = None
    for block in reversed(blocks):
        if open_block is None:
            open_block = block
        else:
            open_block.absorb(block)
        if open_block.weight >= evidence:
            merged.append(open_block)
            open_block = None
    if open_block is not None:
        if merged:
            merged[-1].absorb(open_block)
        else:
            merged.append(open_block)
    return merged[::-1]


def _fit_isotonic(x: Array, correct: BoolArray, weight: float = 1.0) -> IsotonicCalibrator:
    """PAV on (|p|, right), then no claim beyond the evidence: blocks are merged
    until each holds `MIN_BLOCK_SAMPLES` effective samples, and each block's share
    right ``v`` (on ``W`` effective samples) becomes
    ``(W·v + k·base) / (W + k)`` with ``k`` = `BLOCK_PRIOR_SAMPLES` and ``base``
    the Laplace-smoothed share right of the whole split, strictly inside (0, 1).
    Shrinking can reorder blocks of unequal evidence, so PAV runs once more on the
    shrunk values weighted by ``W + k`` (a pooled block is the same estimate with
    the pooled prior).  Every step is then a weighted mean of numbers below 1."""
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], correct[order]
    blocks = _pool(
        [_Block(float(y), weight, float(a), float(a)) for a, y in zip(xs, ys, strict=True)],
        merge_ties=True,
    )
    blocks = _at_least(blocks, MIN_BLOCK_SAMPLES)
    total = sum(b.weight for b in blocks)
    base = (sum(b.value * b.weight for b in blocks) + 1.0) / (total + 2.0)
    k = BLOCK_PRIOR_SAMPLES
    shrunk = [
        _Block((b.weight * b.value + k * base) / (b.weight + k), b.weight + k, b.lo, b.hi)
        for b in blocks
    ]
    knots_x: list[float] = []
    knots_y: list[float] = []
    for block in _pool(shrunk):
        knots_x.extend((block.lo, block.hi))
        knots_y.extend((block.value, block.value))
    return IsotonicCalibrator(tuple(knots_x), tuple(knots_y), int(x.shape[0]))
