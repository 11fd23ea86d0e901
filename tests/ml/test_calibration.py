"""Confidence calibration and the ECE definition."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.ml.calibration import (
    IsotonicCalibrator,
    PlattCalibrator,
    calibrator_from_json,
    direction_correct,
    expected_calibration_error,
    fit_calibrator,
)


def calibrated_sample(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scaled predictions whose direction is right with a known probability
    ``q(|p|) = 0.5 + 0.4·(1 − exp(−|p|))``; returns (predicted, realised, q)."""
    rng = np.random.default_rng(seed)
    predicted = rng.normal(0, 1.0, n)
    q = 0.5 + 0.4 * (1 - np.exp(-np.abs(predicted)))
    right = rng.random(n) < q
    magnitude = rng.exponential(0.01, n) + 1e-6
    realised = np.where(right, 1, -1) * np.sign(predicted) * magnitude
    return predicted, realised, q


def test_direction_correct_counts_zero_moves_and_zero_calls_as_wrong() -> None:
    got = direction_correct([0.1, -0.2, 0.3, 0.0, 0.5], [0.2, -0.1, -0.3, 0.1, 0.0])
    assert got.tolist() == [True, True, False, False, False]


def test_ece_on_a_hand_computed_case() -> None:
    # Bins of width 0.05 over [0.5, 1]. Bin [0.5, 0.55): conf 0.5, 0.5 → 1 of 2
    # right: gap 0. Bin [0.9, 0.95): conf 0.9, 0.9 → 0 of 2 right: gap 0.9.
    # Bin [0.95, 1]: conf 1.0 → right: gap 0.  ECE = (2·0 + 2·0.9 + 0)/5 = 0.36.
    conf = [0.5, 0.5, 0.9, 0.9, 1.0]
    correct = [True, False, False, False, True]
    assert expected_calibration_error(conf, correct, bins=10) == pytest.approx(0.36)
    assert expected_calibration_error([0.7] * 4, [True, True, True, False]) == pytest.approx(0.05)
    assert expected_calibration_error([], []) == 0.0


def test_platt_on_a_calibrated_sample_is_calibrated() -> None:
    predicted, realised, _ = calibrated_sample(1500, seed=1)
    calibrator = fit_calibrator(predicted, realised)
    assert isinstance(calibrator, PlattCalibrator)
    assert calibrator.slope > 0  # bigger calls are more often right
    test_pred, test_real, test_q = calibrated_sample(20_000, seed=2)
    conf = calibrator.confidence(test_pred)
    assert conf.min() >= 0.5 and conf.max() <= 1.0
    ece = expected_calibration_error(conf, direction_correct(test_pred, test_real))
    assert ece < 0.03
    assert np.mean(np.abs(conf - test_q)) < 0.04


def test_isotonic_is_used_for_large_validation_splits_and_is_calibrated() -> None:
    predicted, realised, _ = calibrated_sample(6000, seed=3)
    calibrator = fit_calibrator(predicted, realised)
    assert isinstance(calibrator, IsotonicCalibrator)
    assert np.all(np.diff(calibrator.knots_y) >= 0)  # monotone in |p|
    test_pred, test_real, _ = calibrated_sample(20_000, seed=4)
    conf = calibrator.confidence(test_pred)
    assert conf.min() >= 0.5 and conf.max() <= 1.0
    assert expected_calibration_error(conf, direction_correct(test_pred, test_real)) < 0.03


def test_a_model_that_is_always_wrong_gets_the_floor_not_inverted_confidence() -> None:
    predicted = np.linspace(-2, 2, 400)
    realised = -predicted
    for threshold in (10_000, 100):  # Platt, then isotonic
        calibrator = fit_calibrator(predicted, realised, isotonic_min_samples=threshold)
        assert np.all(calibrator.confidence(predicted) == 0.5)


def test_noise_gives_confidence_near_one_half() -> None:
    rng = np.random.default_rng(5)
    calibrator = fit_calibrator(rng.normal(size=800), rng.normal(size=800))
    assert np.mean(calibrator.confidence(rng.normal(size=1000))) < 0.56


@pytest.mark.parametrize("n", [300, 3000])
def test_calibrators_round_trip_through_json(n: int) -> None:
    predicted, realised, _ = calibrated_sample(n, seed=6)
    calibrator = fit_calibrator(predicted, realised)
    text = json.dumps(calibrator.to_json(), allow_nan=False)
    restored = calibrator_from_json(json.loads(text))
    assert restored == calibrator
    np.testing.assert_array_equal(restored.confidence(predicted), calibrator.confidence(predicted))


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown calibration"):
        calibrator_from_json({"method": "magic"})


def test_overlapping_outcomes_count_as_fewer_samples() -> None:
    """6,000 one-hour outcomes on 1-minute bars are 100 independent ones: Platt,
    not isotonic, and a lucky streak in the validation window is pulled towards
    the coin flip more than if the samples were independent."""
    rng = np.random.default_rng(8)
    predicted = rng.normal(size=6000)
    block = np.repeat(rng.choice([-1.0, 1.0], size=100, p=[0.35, 0.65]), 60)
    realised = np.abs(rng.normal(size=6000)) * np.where(
        block > 0, np.sign(predicted), -np.sign(predicted)
    )
    independent = fit_calibrator(predicted, realised, isotonic_min_samples=10_000)
    overlapping = fit_calibrator(predicted, realised, horizon_bars=60)
    assert isinstance(overlapping, PlattCalibrator)
    assert isinstance(fit_calibrator(predicted, realised), IsotonicCalibrator)
    mean_independent = float(np.mean(independent.confidence(predicted)))
    mean_overlapping = float(np.mean(overlapping.confidence(predicted)))
    assert 0.5 <= mean_overlapping < mean_independent
