"""Prediction interval: split-conformal on the validation split's forecast residuals.

A version's interval says where the horizon log return ``y`` should land with
probability `coverage` (`NOMINAL_COVERAGE`, 0.80, unless a caller asks otherwise): the
interval around a forecast ``ŷ`` is ``ŷ ± q·s``. It is fitted on the validation split —
after the training split in time, never seen by the optimiser — from the residuals
``y − ŷ`` in raw log-return units:

* **normalised score** (served when the caller gives the recent closes): ``s`` is the
  root mean square of the last `scale_window` one-bar log returns of the closes up to
  and including the decision bar (the bars of the sample's input window, so nothing
  after the decision is read and serving can compute it from the bars it has), floored
  at `SCALE_FLOOR_FRACTION` of the validation median so that a run of unchanged closes
  cannot collapse the interval. The score is ``|y − ŷ| / s``: the interval widens in a
  volatile market and narrows in a calm one, so a change of volatility regime between
  validation and the day of the forecast does not move its coverage far from nominal.
* **absolute score** (the fallback without closes): ``s = 1``, a fixed width.

``q`` is the finite-sample split-conformal quantile of the validation scores: the
``ceil((n + 1)·coverage)``-th smallest of the ``n`` scores (no interval when that rank
exceeds ``n``). The guarantee assumes exchangeable samples; consecutive horizon returns
overlap by ``h − 1`` bars and volatility clusters, so it holds only approximately —
overlap makes ``q`` noisier, not biased, and the test split's coverage is measured and
reported (`interval_metrics`). Pure NumPy; for users: docs/MODELS.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from app.ml.dataset import Dataset, SplitRange

# The coverage every version's interval is fitted for: 80 % of realised horizon returns
# should fall inside. Narrow enough to be informative on noisy returns, wide enough that
# a validation split of a few hundred samples pins its quantile down.
NOMINAL_COVERAGE = 0.80
# The normalised score's volatility uses at most this many one-bar returns (fewer when
# the look-back is shorter: the scale only reads the input window's closes).
MAX_SCALE_WINDOW = 10
# Below this many one-bar returns a volatility estimate is too noisy to normalise by.
MIN_SCALE_WINDOW = 5
# The scale never falls below this fraction of its validation median.
SCALE_FLOOR_FRACTION = 0.1
# Below this median scale the closes do not move at all: only the absolute score is fitted.
_TINY = 1e-12

Array = npt.NDArray[np.float64]


def scale_window_for(lookback: int) -> int | None:
    """One-bar returns in the scale: those of the input window's ``lookback`` closes,
    at most `MAX_SCALE_WINDOW`; None when there are fewer than `MIN_SCALE_WINDOW`."""
    window = min(lookback - 1, MAX_SCALE_WINDOW)
    return window if window >= MIN_SCALE_WINDOW else None


def conformal_quantile(scores: npt.ArrayLike, coverage: float = NOMINAL_COVERAGE) -> float | None:
    """The ``ceil((n + 1)·coverage)``-th smallest of ``n`` scores; None when that rank
    exceeds ``n`` (too few scores for the coverage: the interval would be unbounded)."""
    if not 0.0 < coverage < 1.0:
        raise ValueError(f"coverage must lie strictly between 0 and 1, got {coverage}")
    values = np.sort(np.asarray(scores, dtype=np.float64).reshape(-1))
    n = values.shape[0]
    # The tolerance keeps (n + 1)·coverage = 8.000000000000002 at rank 8.
    rank = math.ceil((n + 1) * coverage - 1e-9)
    if n == 0 or rank > n:
        return None
    return float(values[max(rank, 1) - 1])


def volatility_scale(closes: npt.ArrayLike, window: int) -> float | None:
    """RMS of the last ``window`` one-bar log returns of ``closes`` (oldest first, the
    last being the decision bar's close); None with fewer than ``window + 1`` closes or
    a close that is not a positive finite number."""
    values = np.asarray(closes, dtype=np.float64).reshape(-1)
    if window < 1 or values.shape[0] < window + 1:
        return None
    tail = values[-(window + 1) :]
    if not (np.isfinite(tail).all() and (tail > 0).all()):
        return None
    returns = np.diff(np.log(tail))
    return float(np.sqrt(np.mean(returns**2)))


def window_scales(close: npt.ArrayLike, decision_bars: npt.ArrayLike, window: int) -> Array:
    """`volatility_scale` at each decision bar ``t`` of ``close`` (bars ``t − window ..
    t``), vectorised; a bar with fewer than ``window`` returns behind it uses those it has."""
    log_close = np.log(np.asarray(close, dtype=np.float64))
    squared = np.concatenate([[0.0], np.cumsum(np.diff(log_close) ** 2)])  # prefix sums
    ends = np.asarray(decision_bars, dtype=np.int64)
    starts = np.maximum(ends - window, 0)
    counts = np.maximum(ends - starts, 1)
    return np.asarray(np.sqrt((squared[ends] - squared[starts]) / counts), dtype=np.float64)


@dataclass(frozen=True)
class ConformalInterval:
    """``ŷ ± quantile·max(s, scale_floor)`` with ``s`` the closes' volatility over
    `scale_window` returns, or ``ŷ ± absolute_quantile`` without closes (see the module
    docstring). ``quantile`` / ``scale_window`` are None when only the absolute score
    was fitted (a look-back too short for a volatility, or closes that never moved)."""

    coverage: float
    absolute_quantile: float
    quantile: float | None
    scale_window: int | None
    scale_floor: float
    n_samples: int
    method: str = "split_conformal"

    @property
    def normalised(self) -> bool:
        return self.quantile is not None and self.scale_window is not None

    def half_width(self, scale: float | None = None) -> float:
        """Half-width in log-return units for a volatility ``scale`` (None: absolute)."""
        if scale is None or not self.normalised or not math.isfinite(scale):
            return self.absolute_quantile
        assert self.quantile is not None
        return self.quantile * max(scale, self.scale_floor)

    def half_widths(self, scales: npt.ArrayLike) -> Array:
        """`half_width` for an array of volatility scales (normalised score only)."""
        if self.quantile is None:
            raise ValueError("this interval has no normalised score")
        s = np.asarray(scales, dtype=np.float64).reshape(-1)
        return self.quantile * np.maximum(s, self.scale_floor)

    def scale_from_closes(self, closes: npt.ArrayLike | None) -> float | None:
        """The serving-time scale from the recent closes; None without enough of them."""
        if closes is None or self.scale_window is None:
            return None
        return volatility_scale(closes, self.scale_window)

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "coverage": self.coverage,
            "absolute_quantile": self.absolute_quantile,
            "quantile": self.quantile,
            "scale_window": self.scale_window,
            "scale_floor": self.scale_floor,
            "n_samples": self.n_samples,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConformalInterval:
        if data.get("method", "split_conformal") != "split_conformal":
            raise ValueError(f"unknown interval method {data.get('method')!r}")
        quantile = data.get("quantile")
        window = data.get("scale_window")
        return cls(
            coverage=float(data["coverage"]),
            absolute_quantile=float(data["absolute_quantile"]),
            quantile=None if quantile is None else float(quantile),
            scale_window=None if window is None else int(window),
            scale_floor=float(data.get("scale_floor", 0.0)),
            n_samples=int(data["n_samples"]),
        )


def fit_interval(
    predicted: npt.ArrayLike,
    realised: npt.ArrayLike,
    scales: npt.ArrayLike | None,
    *,
    scale_window: int | None,
    coverage: float = NOMINAL_COVERAGE,
) -> ConformalInterval | None:
    """Fit on validation forecasts ``predicted`` and outcomes ``realised`` (raw log
    returns) with each sample's volatility ``scales`` (`window_scales` over
    ``scale_window`` returns; None: absolute score only). None when the split is too
    small for the coverage."""
    pred = np.asarray(predicted, dtype=np.float64).reshape(-1)
    real = np.asarray(realised, dtype=np.float64).reshape(-1)
    if pred.shape != real.shape:
        raise ValueError(f"{pred.shape[0]} forecasts for {real.shape[0]} outcomes")
    residual = np.abs(real - pred)
    absolute = conformal_quantile(residual, coverage)
    if absolute is None:
        return None
    quantile: float | None = None
    floor = 0.0
    if scales is not None and scale_window is not None:
        s = np.asarray(scales, dtype=np.float64).reshape(-1)
        if s.shape != pred.shape:
            raise ValueError(f"{s.shape[0]} scales for {pred.shape[0]} forecasts")
        median = float(np.median(s))
        if math.isfinite(median) and median > _TINY:
            floor = SCALE_FLOOR_FRACTION * median
            quantile = conformal_quantile(residual / np.maximum(s, floor), coverage)
    return ConformalInterval(
        coverage=coverage,
        absolute_quantile=absolute,
        quantile=quantile,
        scale_window=scale_window if quantile is not None else None,
        scale_floor=floor,
        n_samples=int(pred.shape[0]),
    )


def interval_metrics(
    interval: ConformalInterval | None,
    predicted: npt.ArrayLike,
    realised: npt.ArrayLike,
    scales: npt.ArrayLike | None,
) -> dict[str, float | str | None]:
    """The test split's report: nominal coverage, the share of realised returns inside
    the served interval (normalised when fitted) and its median width in log-return
    units, and the coverage of the absolute (no-closes) fallback."""
    if interval is None:
        return {
            "interval_coverage": None,
            "interval_coverage_test": None,
            "interval_width_test": None,
            "interval_score": None,
            "interval_coverage_test_absolute": None,
        }
    pred = np.asarray(predicted, dtype=np.float64).reshape(-1)
    miss = np.abs(np.asarray(realised, dtype=np.float64).reshape(-1) - pred)
    normalised = interval.normalised and scales is not None
    if normalised:
        assert scales is not None
        served = interval.half_widths(scales)
    else:
        served = np.full(pred.shape, interval.absolute_quantile)
    if served.shape != pred.shape:
        raise ValueError(f"{served.shape[0]} scales for {pred.shape[0]} forecasts")
    n = pred.shape[0]
    return {
        "interval_coverage": interval.coverage,
        "interval_coverage_test": float(np.mean(miss <= served)) if n else None,
        "interval_width_test": float(np.median(2.0 * served)) if n else None,
        "interval_score": "normalised" if normalised else "absolute",
        "interval_coverage_test_absolute": (
            float(np.mean(miss <= interval.absolute_quantile)) if n else None
        ),
    }


def split_scales(dataset: Dataset, split: SplitRange, window: int | None) -> Array | None:
    """`window_scales` at the decision bars of ``split``'s samples (None without a window)."""
    if window is None:
        return None
    return window_scales(dataset.close, dataset.end_bar(split.indices), window)
