"""Confidence calibration and the ECE definition."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.ml.calibration import (
    BLOCK_PRIOR_SAMPLES,
    CONFIDENCE_CEILING,
    MIN_BLOCK_SAMPLES,
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


# --- no claim beyond the evidence --------------------------------------------------

RANDOM_WALK_CEILING = 0.65
VALIDATION = 3000


def zero_skill(n: int, horizon_bars: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A Gaussian random walk's realised ``h``-bar returns (overlapping for h > 1)
    and predictions that know nothing of it: the same overlapping sums of an
    independent walk, so both are autocorrelated as a real model's output is."""
    rng = np.random.default_rng(seed)
    kernel = np.ones(horizon_bars)
    realised = np.convolve(rng.normal(size=n + horizon_bars - 1), kernel, "valid")
    predicted = np.convolve(rng.normal(size=n + horizon_bars - 1), kernel, "valid")
    return predicted / np.sqrt(horizon_bars), realised


@pytest.mark.parametrize(
    ("horizon_bars", "isotonic_min_samples", "method"),
    [
        (1, 2000, "isotonic"),  # 3,000 independent outcomes
        (20, 2000, "platt"),  # 150 effective outcomes: thin evidence
        (5, 500, "isotonic"),  # overlapping outcomes through isotonic's weights
    ],
)
def test_a_random_walk_never_earns_a_confident_call(
    horizon_bars: int, isotonic_min_samples: int, method: str
) -> None:
    """Over 20 seeds no call — on the validation predictions, a fresh draw, or
    any |p| up to 50 — reaches 0.65, and none is 1.0 (an unshrunk isotonic top
    block of one lucky sample used to be exactly 1.0)."""
    grid = np.linspace(0.0, 50.0, 501)
    highest = []
    for seed in range(20):
        predicted, realised = zero_skill(VALIDATION, horizon_bars, seed)
        calibrator = fit_calibrator(
            predicted,
            realised,
            horizon_bars=horizon_bars,
            isotonic_min_samples=isotonic_min_samples,
        )
        assert calibrator.method == method
        fresh, _ = zero_skill(VALIDATION, horizon_bars, 1000 + seed)
        conf = calibrator.confidence(np.concatenate([predicted, fresh, grid, -grid]))
        assert conf.min() >= 0.5
        highest.append(float(conf.max()))
    assert max(highest) < RANDOM_WALK_CEILING, highest
    assert 1.0 not in highest


def test_every_isotonic_step_holds_the_minimum_evidence() -> None:
    for horizon_bars in (1, 5):
        predicted, realised = zero_skill(VALIDATION, horizon_bars, seed=3)
        calibrator = fit_calibrator(
            predicted, realised, horizon_bars=horizon_bars, isotonic_min_samples=500
        )
        assert isinstance(calibrator, IsotonicCalibrator)
        x = np.abs(predicted)
        knots = np.asarray(calibrator.knots_x).reshape(-1, 2)
        for lo, hi in knots:
            in_step = int(np.count_nonzero((x >= lo) & (x <= hi)))
            assert in_step / horizon_bars >= MIN_BLOCK_SAMPLES, (lo, hi, in_step)


def test_a_perfect_streak_at_the_top_is_shrunk_toward_the_base_rate() -> None:
    """100 big calls, all right, above 2,900 coin flips: the top step is those
    calls and reports ``(W + k·base) / (W + k)``, about 0.84 — a hundred
    outcomes are strong evidence, not certainty."""
    rng = np.random.default_rng(4)
    predicted = np.concatenate([rng.uniform(0.0, 1.0, 2900), rng.uniform(2.0, 3.0, 100)])
    realised = np.concatenate([rng.choice([-1.0, 1.0], 2900), np.ones(100)])
    calibrator = fit_calibrator(predicted, realised)
    assert isinstance(calibrator, IsotonicCalibrator)
    right = direction_correct(predicted, realised)
    top = predicted >= calibrator.knots_x[-2]  # the samples of the top step
    assert top[-100:].all() and right[top].all()  # every big call, each right
    base = (right.sum() + 1) / (right.size + 2)
    expected = (top.sum() + BLOCK_PRIOR_SAMPLES * base) / (top.sum() + BLOCK_PRIOR_SAMPLES)
    assert calibrator.confidence([2.5, 10.0]) == pytest.approx([expected, expected])
    assert 0.8 < expected < 0.9


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_a_planted_signal_still_earns_confidence_that_rises_with_accuracy(seed: int) -> None:
    predicted, realised, _ = calibrated_sample(VALIDATION, seed=seed)
    calibrator = fit_calibrator(predicted, realised)
    assert isinstance(calibrator, IsotonicCalibrator)
    grid = np.linspace(0.0, 4.0, 401)
    curve = calibrator.confidence(grid)
    assert np.all(np.diff(curve) >= 0)  # non-decreasing in |p| …
    assert curve[-1] - curve[0] > 0.25  # … and really rising (q: 0.5 → 0.89)
    test_pred, test_real, _ = calibrated_sample(20_000, seed=100 + seed)
    conf = calibrator.confidence(test_pred)
    hits = direction_correct(test_pred, test_real)
    assert expected_calibration_error(conf, hits) <= 0.05
    # Higher confidence, more often right: accuracy by confidence tercile rises.
    low, high = np.quantile(conf, [1 / 3, 2 / 3])
    by_tercile = [hits[conf <= low].mean(), hits[(conf > low) & (conf <= high)].mean()]
    by_tercile.append(hits[conf > high].mean())
    assert by_tercile[0] + 0.05 < by_tercile[1] < by_tercile[2] - 0.05


@pytest.mark.parametrize("threshold", [10_000, 100])  # Platt, then isotonic
def test_no_call_is_certain_even_when_every_validation_call_was_right(threshold: int) -> None:
    predicted = np.linspace(-3, 3, 3000)
    predicted = predicted[predicted != 0]
    calibrator = fit_calibrator(predicted, predicted, isotonic_min_samples=threshold)
    conf = calibrator.confidence(np.linspace(0, 100, 1001))
    assert conf.max() > 0.9  # the evidence earns a lot …
    assert conf.max() <= CONFIDENCE_CEILING < 1.0  # … never certainty
    assert round(float(conf.max()), 2) < 1.0  # nor a displayed 1.00


def test_platt_is_flat_above_the_calls_it_saw_often_enough() -> None:
    predicted, realised, _ = calibrated_sample(1500, seed=9)
    calibrator = fit_calibrator(predicted, realised)
    assert isinstance(calibrator, PlattCalibrator) and calibrator.x_max is not None
    assert calibrator.slope > 0
    top = calibrator.x_max
    assert np.mean(np.abs(predicted) > top) == pytest.approx(0.1, abs=0.01)
    below, at, beyond = calibrator.confidence([0.5 * top, top, 10 * top])
    assert below < at == beyond


def test_artifacts_saved_before_the_evidence_rules_still_load_and_are_capped() -> None:
    platt = calibrator_from_json(
        {"method": "platt", "intercept": 0.1, "slope": 2.0, "n_samples": 900}
    )
    assert isinstance(platt, PlattCalibrator) and platt.x_max is None
    assert platt.to_json() == {"method": "platt", "intercept": 0.1, "slope": 2.0, "n_samples": 900}
    assert platt.confidence([0.0])[0] == pytest.approx(0.52498, abs=1e-5)
    assert platt.confidence([40.0])[0] == CONFIDENCE_CEILING
    isotonic = calibrator_from_json(
        {
            "method": "isotonic",
            "knots_x": [0.0, 1.0, 2.5, 2.5],
            "knots_y": [0.4, 0.6, 1.0, 1.0],
            "n_samples": 2500,
        }
    )
    np.testing.assert_allclose(
        isotonic.confidence([0.0, 0.5, 1.0, 3.0]), [0.5, 0.5, 0.6, CONFIDENCE_CEILING]
    )
