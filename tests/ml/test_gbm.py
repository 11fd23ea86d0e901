"""The LightGBM baseline: it learns what trees can learn (a linear signal well
enough, an interaction ridge cannot see), claims nothing on a random walk, is
deterministic, and costs the processes that never fit one nothing at import."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from app.ml.dataset import Dataset
from app.ml.evaluation import DEFAULT_RMSE_MARGIN, evaluate, gbm_baseline, ridge_baseline
from app.ml.gbm import MAX_TREES, fit_gbm, min_data_in_leaf
from tests.ml.conftest import dataset_of, interaction_series, planted_series, random_walk_series


@pytest.fixture(scope="module")
def linear_ds() -> Dataset:
    return dataset_of(planted_series())


@pytest.fixture(scope="module")
def interaction_ds() -> Dataset:
    return dataset_of(interaction_series())


@pytest.fixture(scope="module")
def walk_ds() -> Dataset:
    return dataset_of(random_walk_series())


def _report_for_ridge(ds: Dataset) -> dict[str, float | int | bool | str | None]:
    """`evaluate` with the ridge forecasts standing in for the model's."""
    linear, _ = ridge_baseline(ds)
    return evaluate(ds, linear, np.full_like(linear, 0.5), bars_per_year=252)


def _f(value: object) -> float:
    assert isinstance(value, float | int), value
    return float(value)


def test_a_linear_signal_is_learned_by_ridge_and_by_the_trees(linear_ds: Dataset) -> None:
    m = _report_for_ridge(linear_ds)
    assert _f(m["linear_rmse"]) / _f(m["naive_rmse"]) < 0.9
    assert _f(m["gbm_rmse"]) / _f(m["naive_rmse"]) < 0.9
    assert _f(m["gbm_directional_accuracy"]) > 0.65
    assert _f(m["gbm_ic"]) > 0.5
    # Ridge is (near) optimal on a linear relation; the trees come close, not ahead.
    assert _f(m["rmse_ratio_gbm"]) < 1.0


def test_an_interaction_is_seen_by_the_trees_and_not_by_ridge(interaction_ds: Dataset) -> None:
    m = _report_for_ridge(interaction_ds)  # the "model" here is ridge
    assert _f(m["gbm_rmse"]) < 0.8 * _f(m["linear_rmse"])
    assert _f(m["gbm_directional_accuracy"]) > 0.7
    assert _f(m["linear_directional_accuracy"]) < 0.56
    assert m["beats_gbm_baseline"] is False  # ridge does not beat the trees
    assert _f(m["rmse_ratio_gbm"]) > 1.5


def test_the_trees_find_nothing_in_a_random_walk(walk_ds: Dataset) -> None:
    realised = walk_ds.split_log_returns(walk_ds.splits.test)
    gbm, n_trees = gbm_baseline(walk_ds)
    naive_rmse = float(np.sqrt(np.mean(realised**2)))
    gbm_rmse = float(np.sqrt(np.mean((gbm - realised) ** 2)))
    assert gbm_rmse >= (1 - DEFAULT_RMSE_MARGIN) * naive_rmse
    # Scored as the model, the trees earn no edge either.
    m = evaluate(walk_ds, gbm, np.full_like(gbm, 0.5), bars_per_year=252)
    assert m["skill"] == "no_edge" and m["beats_naive_baseline"] is False
    assert m["gbm_n_trees"] == n_trees


def test_the_baseline_is_deterministic_small_and_early_stopped(linear_ds: Dataset) -> None:
    first, trees = gbm_baseline(linear_ds)
    again, trees_again = gbm_baseline(linear_ds)
    np.testing.assert_array_equal(first, again)
    assert trees == trees_again and 1 <= trees <= MAX_TREES
    assert min_data_in_leaf(100) == 10 and min_data_in_leaf(5_000) == 100
    assert min_data_in_leaf(1_000_000) == 200


def test_early_stopping_reads_the_validation_set_only() -> None:
    """Validation targets unrelated to the inputs stop the boosting almost at once,
    whatever the training set teaches: the tree count is chosen on validation."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1000, 2))
    y = x[:, 0] + 0.1 * rng.standard_normal(1000)
    x_val = rng.standard_normal((200, 2))
    learned = fit_gbm(x, y, x_val, x_val[:, 0])
    unrelated = fit_gbm(x, y, x_val, rng.standard_normal(200))
    assert learned.n_trees > 50
    assert unrelated.n_trees < 10


def test_evaluate_reports_the_gbm_baseline(linear_ds: Dataset) -> None:
    realised = linear_ds.split_log_returns(linear_ds.splits.test)
    m = evaluate(linear_ds, realised, np.ones_like(realised), bars_per_year=252)
    for key in (
        "gbm_rmse",
        "gbm_mae",
        "rmse_ratio_gbm",
        "mae_ratio_gbm",
        "gbm_directional_accuracy",
        "gbm_ic",
        "gbm_n_trees",
        "beats_gbm_baseline",
    ):
        assert key in m, key
    assert m["beats_gbm_baseline"] is True  # perfect forecasts beat everything
    assert m["rmse_ratio_gbm"] == 0.0
    json.dumps(m, allow_nan=False)


def test_importing_evaluation_does_not_import_lightgbm() -> None:
    code = "import sys, app.ml.evaluation, app.ml.walk_forward; print('lightgbm' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "False"
