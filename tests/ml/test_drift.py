"""Drift (PSI against a stored training profile) and the live record's binomial test."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from app.ml.drift import (
    PSI_FLOOR,
    PSI_MAJOR,
    PSI_MODERATE,
    binomial_below,
    drift,
    feature_profile,
    population_stability_index,
)


def _profile(seed: int = 0) -> dict[str, dict[str, list[float]]]:
    rng = np.random.default_rng(seed)
    train = np.column_stack([rng.normal(0, 1, 5_000), rng.exponential(2.0, 5_000)])
    return feature_profile(train, ["ret", "vol"])


def test_the_profile_is_deciles_and_json_safe() -> None:
    profile = _profile()
    assert json.loads(json.dumps(profile)) == profile
    for feature in profile.values():
        assert len(feature["edges"]) == 9 and len(feature["proportions"]) == 10
        assert sum(feature["proportions"]) == pytest.approx(1.0)
        assert all(share == pytest.approx(0.1, abs=0.01) for share in feature["proportions"])


def test_a_feature_with_few_values_gets_fewer_bins() -> None:
    flags = np.array([[0.0]] * 900 + [[1.0]] * 100)
    profile = feature_profile(flags, ["flag"])["flag"]
    assert len(profile["edges"]) < 9
    assert population_stability_index(profile, flags[:, 0]) == pytest.approx(0.0, abs=1e-9)


def test_psi_is_about_zero_for_the_same_distribution() -> None:
    profile = _profile()
    rng = np.random.default_rng(1)
    recent = {"ret": rng.normal(0, 1, 500), "vol": rng.exponential(2.0, 500)}
    result = drift(profile, recent)
    assert result["max_psi"] < PSI_MODERATE
    assert set(result["psi"]) == {"ret", "vol"}


def test_psi_exceeds_the_threshold_for_a_shifted_distribution() -> None:
    profile = _profile()
    rng = np.random.default_rng(2)
    recent = {"ret": rng.normal(1.5, 1, 500), "vol": rng.exponential(2.0, 500)}
    result = drift(profile, recent)
    assert result["feature"] == "ret" and result["max_psi"] > PSI_MAJOR
    assert result["psi"]["vol"] < PSI_MODERATE


def test_values_beyond_the_training_range_land_in_the_outer_bins() -> None:
    profile = _profile()["ret"]
    psi = population_stability_index(profile, np.full(100, 50.0))
    # All in the top bin: (1 − 0.1)·ln(1/0.1) + 9 × (floor − 0.1)·ln(floor/0.1), about 8.2.
    expected = 0.9 * math.log(10) + 9 * (PSI_FLOOR - 0.1) * math.log(PSI_FLOOR / 0.1)
    assert psi == pytest.approx(expected, rel=0.05)
    assert math.isfinite(psi)


def test_no_recent_values_means_no_verdict() -> None:
    profile = _profile()
    assert math.isnan(population_stability_index(profile["ret"], [np.nan]))
    assert drift(profile, {"other": [1.0]}) == {"psi": {}, "max_psi": 0.0, "feature": None}


@pytest.mark.parametrize(
    ("k", "n", "p0"), [(0, 10, 0.5), (3, 10, 0.5), (12, 40, 0.6), (25, 50, 0.55), (90, 200, 0.5)]
)
def test_binomial_below_is_the_exact_lower_tail(k: int, n: int, p0: float) -> None:
    exact = sum(math.comb(n, i) * p0**i * (1 - p0) ** (n - i) for i in range(k + 1))
    assert binomial_below(k, n, p0) == pytest.approx(exact, rel=1e-9)


def test_binomial_below_handles_large_n_and_edges() -> None:
    assert 0 < binomial_below(1_400, 3_000, 0.55) < 1e-15  # about 9 standard deviations
    assert binomial_below(1_650, 3_000, 0.55) == pytest.approx(0.5, abs=0.02)
    assert binomial_below(5, 5, 0.9) == 1.0
    assert binomial_below(0, 0, 0.5) == 1.0
    with pytest.raises(ValueError):
        binomial_below(-1, 5, 0.5)
