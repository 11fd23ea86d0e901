"""Metric definitions on hand-computed toy cases, and the report's JSON safety."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from app.ml.calibration import direction_correct
from app.ml.dataset import Dataset
from app.ml.evaluation import (
    backtest,
    directional_stats,
    evaluate,
    fit_ridge,
    information_coefficient,
    json_safe,
    mae,
    rank_information_coefficient,
    rmse,
    wilson_interval,
)
from tests.ml.conftest import dataset_of, planted_series


def test_rmse_and_mae() -> None:
    assert rmse([1, 2, 3], [1, 2, 7]) == pytest.approx(math.sqrt(16 / 3))
    assert mae([1, 2, 3], [2, 0, 3]) == pytest.approx(1.0)


def test_wilson_interval_matches_the_textbook_values() -> None:
    low, high = wilson_interval(8, 10)
    assert (low, high) == (pytest.approx(0.4902, abs=1e-4), pytest.approx(0.9433, abs=1e-4))
    low, high = wilson_interval(50, 100)
    assert 0.5 - low == pytest.approx(high - 0.5)
    assert low == pytest.approx(0.4038, abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    # Around ±6 points at 53 % of 250 (SPEC §5): 53 % cannot be told from 50 %.
    low, high = wilson_interval(0.53 * 250, 250)
    assert low < 0.5 < high and high - low == pytest.approx(0.123, abs=0.003)


def test_directional_stats_count_zero_moves_and_use_the_effective_sample_size() -> None:
    predicted = [0.1, 0.2, -0.1, 0.3, 0.1, -0.2]
    realised = [0.5, -0.1, -0.2, 0.0, 0.3, 0.4]
    stats = directional_stats(predicted, realised, horizon_bars=1)
    assert stats["directional_n"] == 6  # the zero move is a sample, and a wrong one
    assert stats["directional_accuracy"] == pytest.approx(3 / 6)
    assert stats["always_up_rate"] == pytest.approx(3 / 6)
    assert (stats["directional_accuracy_ci_low"], stats["directional_accuracy_ci_high"]) == (
        pytest.approx(wilson_interval(3, 6)[0]),
        pytest.approx(wilson_interval(3, 6)[1]),
    )
    wide = directional_stats(predicted, realised, horizon_bars=6)
    assert wide["directional_n_effective"] == pytest.approx(1.0)
    assert wide["directional_accuracy_ci_low"] == pytest.approx(wilson_interval(0.5, 1.0)[0])


def test_directional_accuracy_counts_a_zero_realised_move_as_wrong() -> None:
    # Every call that moved was right; the two flat ones were not.
    stats = directional_stats([0.2, -0.1, 0.3, -0.4], [0.1, -0.5, 0.0, 0.0], horizon_bars=1)
    assert stats["directional_accuracy"] == pytest.approx(0.5)
    assert stats["always_up_rate"] == pytest.approx(0.25)
    assert directional_stats([], [], horizon_bars=1)["directional_accuracy"] is None


def test_accuracy_and_calibration_count_right_with_one_rule() -> None:
    """The accuracy reported and the hits the ECE is scored on are the same
    calls, on prices with plenty of zero moves."""
    rng = np.random.default_rng(12)
    predicted = rng.normal(size=500) * (rng.random(500) > 0.1)
    realised = np.round(rng.normal(size=500))  # about 38 % exactly zero
    stats = directional_stats(predicted, realised, horizon_bars=1)
    hits = direction_correct(predicted, realised)
    assert stats["directional_accuracy"] == pytest.approx(hits.mean())
    assert stats["directional_n"] == 500


def test_information_coefficients() -> None:
    assert information_coefficient([1, 2, 3, 4], [2, 4, 6, 8]) == pytest.approx(1.0)
    assert information_coefficient([1, 1, 1], [1, 2, 3]) is None
    # Monotone but not linear: rank IC is 1, Pearson is not.
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert rank_information_coefficient(x, np.exp(3 * x)) == pytest.approx(1.0)
    pearson = information_coefficient(x, np.exp(3 * x))
    assert pearson is not None and pearson < 0.95
    # Ties share the average rank.
    assert rank_information_coefficient([1, 1, 2], [1, 2, 3]) == pytest.approx(math.sqrt(3) / 2)


def test_backtest_arithmetic_on_a_grid_of_non_overlapping_trades() -> None:
    log = math.log
    # h = 2: decisions at bars 0, 2, 4; signals between them are ignored.
    signals = [1, -1, -1, 1, 0, 1]
    realised = [log(1.10), 9.9, log(0.95), 9.9, log(1.02), 9.9]
    got = backtest(signals, realised, horizon_bars=2, bars_per_year=252, cost_bp=10)
    periods = np.array([0.10 - 0.001, 0.05 - 0.001, 0.0])  # long +10 %, short −5 %, flat
    assert got["backtest_periods"] == 3
    assert got["backtest_n_trades"] == 2
    assert got["backtest_total_return"] == pytest.approx(1.099 * 1.049 - 1)
    assert got["backtest_buy_and_hold_return"] == pytest.approx(1.10 * 0.95 * 1.02 - 1)
    assert got["backtest_sharpe"] == pytest.approx(
        periods.mean() / periods.std(ddof=1) * math.sqrt(252 / 2)
    )
    assert got["backtest_sortino"] is None  # no losing period
    assert got["backtest_max_drawdown"] == pytest.approx(0.0)
    assert got["backtest_hit_rate"] == pytest.approx(1.0)
    assert got["backtest_profit_factor"] is None  # no losing trade
    assert got["backtest_turnover"] == pytest.approx(4 / 3)


def test_backtest_drawdown_profit_factor_and_sortino() -> None:
    realised = np.log([1.10, 0.80, 1.05, 0.90])
    got = backtest([1, 1, 1, 1], realised, horizon_bars=1, bars_per_year=100, cost_bp=0)
    # Equity 1.1, 0.88, 0.924, 0.8316; peak 1.1 → drawdown 1 − 0.8316/1.1 = 0.244.
    assert got["backtest_max_drawdown"] == pytest.approx(0.244)
    assert got["backtest_total_return"] == pytest.approx(0.8316 - 1)
    assert got["backtest_profit_factor"] == pytest.approx((0.10 + 0.05) / (0.20 + 0.10))
    assert got["backtest_hit_rate"] == pytest.approx(0.5)
    assert got["backtest_turnover"] == pytest.approx(2.0)
    downside = math.sqrt((0.20**2 + 0.10**2) / 4)
    assert got["backtest_sortino"] == pytest.approx(-0.0375 / downside * 10)
    # A short gains what a long loses, before cost.
    short = backtest([-1], [math.log(0.8)], horizon_bars=1, bars_per_year=1, cost_bp=0)
    assert short["backtest_total_return"] == pytest.approx(0.2)


def test_backtest_cost_is_charged_once_per_trade_and_never_when_flat() -> None:
    flat = backtest([0, 0], [0.01, -0.01], horizon_bars=1, bars_per_year=1, cost_bp=50)
    assert flat["backtest_total_return"] == 0.0 and flat["backtest_n_trades"] == 0
    one = backtest([1], [0.0], horizon_bars=1, bars_per_year=1, cost_bp=50)
    assert one["backtest_total_return"] == pytest.approx(-0.005)


def test_ridge_closed_form_recovers_a_linear_relation_and_shrinks() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 3))
    y = 2 * x[:, 0] - x[:, 1] + 3
    model = fit_ridge(x, y, alpha=1e-8)
    np.testing.assert_allclose(model.weights, [2, -1, 0], atol=1e-6)
    assert model.intercept == pytest.approx(3, abs=1e-6)
    shrunk = fit_ridge(x, y, alpha=1e9)
    assert np.all(np.abs(shrunk.weights) < 1e-4)
    assert shrunk.intercept == pytest.approx(y.mean(), abs=1e-3)


@pytest.fixture(scope="module")
def toy_dataset() -> Dataset:
    return dataset_of(planted_series(n_bars=400, seed=11), lookback=4, horizon_bars=2)


def test_perfect_forecasts_beat_both_baselines(toy_dataset: Dataset) -> None:
    realised = toy_dataset.split_log_returns(toy_dataset.splits.test)
    metrics = evaluate(toy_dataset, realised, np.ones_like(realised), bars_per_year=252)
    assert metrics["rmse"] == 0.0
    assert metrics["beats_naive_baseline"] is True
    assert metrics["skill"] == "edge"
    assert metrics["beats_linear_baseline"] is True
    assert metrics["directional_accuracy"] == 1.0
    assert metrics["backtest_hit_rate"] is not None and metrics["backtest_hit_rate"] > 0.99


def test_the_naive_forecast_beats_nothing_and_the_report_is_json_safe(toy_dataset: Dataset) -> None:
    n = len(toy_dataset.splits.test)
    metrics = evaluate(toy_dataset, np.zeros(n), np.full(n, 0.5), bars_per_year=252)
    assert metrics["rmse_ratio_naive"] == pytest.approx(1.0)
    assert metrics["beats_naive_baseline"] is False
    assert metrics["skill"] == "no_edge"
    assert metrics["ic"] is None  # constant forecast: correlation undefined, not NaN
    assert metrics["backtest_n_trades"] == 0
    json.dumps(metrics, allow_nan=False)
    assert all(isinstance(v, bool | int | float | str) or v is None for v in metrics.values())


def test_evaluate_refuses_misaligned_inputs(toy_dataset: Dataset) -> None:
    with pytest.raises(ValueError, match="test predictions"):
        evaluate(toy_dataset, np.zeros(3), np.zeros(3), bars_per_year=252)


def test_json_safe_turns_nan_into_none() -> None:
    clean = json_safe(
        {"a": float("nan"), "b": np.float64(1.5), "c": np.int64(2), "d": np.bool_(True)}
    )
    assert clean == {"a": None, "b": 1.5, "c": 2, "d": True}
    assert type(clean["c"]) is int and type(clean["d"]) is bool
