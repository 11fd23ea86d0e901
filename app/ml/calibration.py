"""Confidence: the calibrated probability that the predicted direction is right.

Fitted on the validation split (never seen by the optimiser) from ``|p|``, the magnitude
of the scaled predicted return: Platt scaling, or isotonic regression once there are
`ISOTONIC_MIN_SAMPLES` effective samples (below that a step function overfits). Both are
clipped to [0.5, 1]: a direction the model is less than even about is a coin flip, never
a confident call the other way. "Direction right" is pinned once, in `direction_correct`,
for calibration and evaluation alike. Pure NumPy; for users: docs/MODELS.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

ISOTONIC_MIN_SAMPLES = 2000
PRIOR_SAMPLES = 10.0
CONFIDENCE_FLOOR = 0.5

BoolArray = npt.NDArray[np.bool_]
Array = npt.NDArray[np.float64]


def direction_correct(predicted: npt.ArrayLike, realised: npt.ArrayLike) -> BoolArray:
    """``True`` where ``predicted * realised > 0``: the call had the realised sign.

    A zero realised return (no move) or a zero prediction (no call) counts as
    not correct.
    """
    return np.asarray(predicted, dtype=np.float64) * np.asarray(realised, dtype=np.float64) > 0


class Calibrator(Protocol):
    method: str

    def confidence(self, predicted_scaled: npt.ArrayLike) -> Array: ...

    def to_json(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class PlattCalibrator:
    intercept: float
    slope: float
    n_samples: int
    method: str = "platt"

    def confidence(self, predicted_scaled: npt.ArrayLike) -> Array:
        x = np.abs(np.asarray(predicted_scaled, dtype=np.float64))
        return np.clip(_sigmoid(self.intercept + self.slope * x), CONFIDENCE_FLOOR, 1.0)

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "intercept": self.intercept,
            "slope": self.slope,
            "n_samples": self.n_samples,
        }


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
        y = np.interp(x, np.asarray(self.knots_x), np.asarray(self.knots_y))
        return np.clip(y, CONFIDENCE_FLOOR, 1.0)

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "knots_x": list(self.knots_x),
            "knots_y": list(self.knots_y),
            "n_samples": self.n_samples,
        }


def calibrator_from_json(data: dict[str, Any]) -> PlattCalibrator | IsotonicCalibrator:
    if data["method"] == "platt":
        return PlattCalibrator(
            float(data["intercept"]), float(data["slope"]), int(data["n_samples"])
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
    Platt's fit and its smoothed targets, and isotonic needs ``n / h`` above the
    threshold — else a trend inside the validation window reads as skill.
    """
    x = np.abs(np.asarray(predicted_scaled, dtype=np.float64))
    correct = direction_correct(predicted_scaled, realised)
    if x.shape[0] < 2:
        raise ValueError("calibration needs at least two validation samples")
    weight = 1.0 / max(1, horizon_bars)
    if x.shape[0] * weight >= isotonic_min_samples:
        return _fit_isotonic(x, correct)
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
    return PlattCalibrator(float(weights[0]), float(weights[1] / scale), int(x.shape[0]))


def _fit_isotonic(x: Array, correct: BoolArray) -> IsotonicCalibrator:
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], correct[order].astype(np.float64)
    # Pool-adjacent-violators on (value, weight, x-range) blocks.
    values: list[float] = []
    weights: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    for xi, yi in zip(xs, ys, strict=True):
        values.append(yi)
        weights.append(1.0)
        lo.append(xi)
        hi.append(xi)
        while len(values) > 1 and (values[-2] >= values[-1] or lo[-1] == hi[-2]):
            # Merge on a violation, and also on tied x so one x maps to one value.
            w = weights[-2] + weights[-1]
            values[-2] = (values[-2] * weights[-2] + values[-1] * weights[-1]) / w
            weights[-2] = w
            hi[-2] = hi[-1]
            del values[-1], weights[-1], lo[-1], hi[-1]
    knots_x: list[float] = []
    knots_y: list[float] = []
    for v, a, b in zip(values, lo, hi, strict=True):
        knots_x.extend((float(a), float(b)))
        knots_y.extend((float(v), float(v)))
    return IsotonicCalibrator(tuple(knots_x), tuple(knots_y), int(x.shape[0]))
