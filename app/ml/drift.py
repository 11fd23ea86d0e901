"""Has the market moved away from what a model learnt, and is it still as good as tested?

A version stores, at training, a *profile* of each raw (unscaled) feature of its
training split: the decile edges and the share of training rows in each bin. The
recent bars' features are binned on the same edges and compared with the
population stability index,

    PSI = Σ_bins (r − t) · ln(r / t)

(t: training share, r: recent share, each floored at `PSI_FLOOR` so an empty bin
is finite). The usual reading: below 0.1 no shift, 0.1–0.25 a moderate one, above
0.25 a major one; the platform flags drift when the largest PSI over the features
exceeds `DRIFT_PSI_THRESHOLD` (0.25 by default).

`binomial_below` is the one-sided exact binomial test a live record is judged
with: how likely so few right calls would be if the model still had its tested
accuracy. Pure NumPy and `math`: no SciPy, which the platform does not depend on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

# The share an empty bin counts as: ln(0) would make any new value infinitely drifted.
PSI_FLOOR = 1e-4
PSI_MODERATE = 0.1
PSI_MAJOR = 0.25
BINS = 10


def _finite(values: Any) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64).ravel()
    return array[np.isfinite(array)]


def _shares(edges: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Share of `values` in each of the len(edges) + 1 bins (open at both ends, so a
    value beyond the training range still lands in the outermost bin)."""
    index = np.searchsorted(edges, values, side="right")
    counts = np.bincount(index, minlength=len(edges) + 1).astype(np.float64)
    return counts / max(1, len(values))


def feature_profile(
    train_features: Any, names: Sequence[str], bins: int = BINS
) -> dict[str, dict[str, list[float]]]:
    """Per feature, the training split's inner bin edges (deciles by default) and the
    training share per bin: `{name: {"edges": [...], "proportions": [...]}}`.

    Edges are deduplicated, so a feature with few distinct values (a flag, a
    sentiment score that is mostly 0) gets fewer, honest bins. Plain floats: the
    profile is stored as JSON with the version.
    """
    matrix = np.asarray(train_features, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] != len(names):
        raise ValueError(f"expected a 2-D array with {len(names)} columns, got {matrix.shape}")
    quantiles = np.linspace(0.0, 1.0, bins + 1)[1:-1]
    profile: dict[str, dict[str, list[float]]] = {}
    for column, name in enumerate(names):
        values = _finite(matrix[:, column])
        if values.size == 0:
            continue
        edges = np.unique(np.quantile(values, quantiles))
        profile[str(name)] = {
            "edges": [float(edge) for edge in edges],
            "proportions": [float(share) for share in _shares(edges, values)],
        }
    return profile


def population_stability_index(
    profile: Mapping[str, Sequence[float]], recent_values: Any, floor: float = PSI_FLOOR
) -> float:
    """PSI of `recent_values` against one feature's training profile (0: the same
    distribution). NaN when there is no finite recent value to compare."""
    values = _finite(recent_values)
    if values.size == 0:
        return math.nan
    edges = np.asarray(profile["edges"], dtype=np.float64)
    expected = np.maximum(np.asarray(profile["proportions"], dtype=np.float64), floor)
    actual = np.maximum(_shares(edges, values), floor)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def drift(
    profile: Mapping[str, Mapping[str, Sequence[float]]],
    recent_features_by_name: Mapping[str, Any],
) -> dict[str, Any]:
    """PSI of every profiled feature that has recent values, and the largest:
    `{"psi": {name: value}, "max_psi": float, "feature": name | None}`."""
    psi: dict[str, float] = {}
    for name, feature in profile.items():
        if name not in recent_features_by_name:
            continue
        value = population_stability_index(feature, recent_features_by_name[name])
        if math.isfinite(value):
            psi[name] = round(value, 6)
    worst = max(psi, key=lambda name: psi[name]) if psi else None
    return {"psi": psi, "max_psi": psi[worst] if worst else 0.0, "feature": worst}


def binomial_below(successes: int, n: int, p0: float) -> float:
    """P(X ≤ successes) for X ~ Binomial(n, p0): the one-sided p-value that the true
    success rate is below `p0`. Summed in log space, exact for n in the thousands."""
    if n < 0 or successes < 0 or not 0.0 <= p0 <= 1.0:
        raise ValueError("need n >= 0, successes >= 0 and 0 <= p0 <= 1")
    if successes >= n:
        return 1.0
    if p0 <= 0.0:
        return 1.0
    if p0 >= 1.0:
        return 0.0
    log_p, log_q = math.log(p0), math.log1p(-p0)
    log_n = math.lgamma(n + 1)
    terms = [
        log_n - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * log_p + (n - k) * log_q
        for k in range(successes + 1)
    ]
    top = max(terms)
    total = top + math.log(sum(math.exp(term - top) for term in terms))
    return min(1.0, math.exp(total))
