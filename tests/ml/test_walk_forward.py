"""Walk-forward evaluation: folds in time order with their purge, fold datasets that
see nothing after their test block, and a pooled verdict that finds a planted signal
and refuses a random walk."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from app.ml.dataset import Dataset, InvalidSeries, Scaler, SplitRange
from app.ml.evaluation import Metrics, ridge_baseline
from app.ml.training import predict_scaled, train
from app.ml.walk_forward import (
    DEFAULT_MAX_FOLDS,
    MIN_TEST_SAMPLES,
    Fold,
    default_min_train,
    fold_dataset,
    folds_for,
    walk_forward,
    walk_forward_folds,
)
from tests.ml.conftest import (
    LOOKBACK,
    TINY,
    Series,
    dataset_of,
    planted_series,
    random_walk_series,
)


def ridge_fit_predict(ds: Dataset) -> np.ndarray:
    """A fast stand-in for a network: ridge fitted on the fold's train split."""
    return ridge_baseline(ds)[0]


def _num(value: object) -> float:
    assert isinstance(value, int | float), value
    return float(value)


def _check_folds(folds: list[Fold], n_samples: int, h: int, min_train: int) -> None:
    assert [f.index for f in folds] == list(range(len(folds)))
    assert folds[-1].test.stop == n_samples  # the last block ends at the latest sample
    for fold in folds:
        train, val, test = fold.train, fold.validation, fold.test
        assert train.start == 0 and len(train) >= min_train
        assert len(val) >= 1 and len(test) >= 1
        assert val.start - train.stop == h  # purge train → validation
        assert test.start - val.stop == h  # purge validation → test
        # No label used for fitting covers a test decision: the last validation
        # target ends at bar (val.stop − 1) + L − 1 + h, the first test decision
        # bar is test.start + L − 1.
        assert (val.stop - 1) + h < test.start
    for earlier, later in itertools.pairwise(folds):
        assert later.test.start == earlier.test.stop  # contiguous, non-overlapping
        assert len(later.test) == len(earlier.test)
        assert later.train.stop > earlier.train.stop  # expanding window


@pytest.mark.parametrize("n_samples", [200, 500, 1492, 20_000])
@pytest.mark.parametrize("h", [1, 4, 12])
def test_folds_are_ordered_contiguous_and_purged(n_samples: int, h: int) -> None:
    k = folds_for(n_samples, h)
    assert 1 <= k <= DEFAULT_MAX_FOLDS
    folds = walk_forward_folds(n_samples, h, n_folds=k)
    assert len(folds) == k
    _check_folds(folds, n_samples, h, default_min_train(n_samples))
    assert all(len(f.test) >= MIN_TEST_SAMPLES for f in folds)


def test_explicit_sizes_are_honoured() -> None:
    folds = walk_forward_folds(1000, 2, n_folds=4, min_train=300, test_size=50)
    _check_folds(folds, 1000, 2, 300)
    assert [f.test.start for f in folds] == [800, 850, 900, 950]
    with pytest.raises(InvalidSeries, match="too few"):
        walk_forward_folds(1000, 2, n_folds=4, min_train=900, test_size=50)
    with pytest.raises(InvalidSeries):
        walk_forward_folds(60, 1, n_folds=3, min_train=50)
    with pytest.raises(ValueError, match="n_folds"):
        walk_forward_folds(1000, 1, n_folds=0)


def test_the_fold_count_follows_the_history() -> None:
    assert folds_for(5_000, 1) == DEFAULT_MAX_FOLDS
    assert folds_for(5_000, 1, max_folds=8) == 8
    assert folds_for(5_000, 1, max_folds=2) == 2
    # About half the history is tested: 3 blocks of ≥ 30 need ~200 samples.
    assert folds_for(200, 1) >= 3
    assert folds_for(120, 1) in (1, 2)
    assert folds_for(40, 1) == 1  # never below one; walk_forward_folds says why
    for n in range(60, 2_000, 37):
        for h in (1, 5):
            k = folds_for(n, h, max_folds=6, min_train=40)
            assert 1 <= k <= 6
            try:
                folds = walk_forward_folds(n, h, n_folds=k, min_train=40)
            except InvalidSeries:
                assert k == 1
                continue
            if k > 1:
                assert len(folds[0].test) >= MIN_TEST_SAMPLES
            if k < 6:  # one more fold would not fit, or make the blocks too small
                try:
                    more = walk_forward_folds(n, h, n_folds=k + 1, min_train=40)
                except InvalidSeries:
                    continue
                assert len(more[0].test) < MIN_TEST_SAMPLES


@pytest.fixture(scope="module")
def planted() -> tuple[Series, Dataset]:
    series = planted_series(n_bars=1500, seed=0)
    return series, dataset_of(series)


def test_a_planted_signal_is_an_edge_in_every_fold_and_pooled(
    planted: tuple[Series, Dataset],
) -> None:
    series, ds = planted
    folds = walk_forward_folds(ds.n_samples, 1, n_folds=folds_for(ds.n_samples, 1))
    report = walk_forward(ds, folds, ridge_fit_predict, raw_features=series.features)
    assert report.n_folds == 5
    assert all(f["skill"] == "edge" for f in report.folds)
    assert report.folds_beating_naive == 5
    assert report.skill == "edge" and report.beats_naive_baseline
    pooled = report.pooled
    assert pooled["n_test"] == sum(_num(f["n_test"]) for f in report.folds)
    assert pooled["n_test"] == ds.n_samples - folds[0].test.start
    assert isinstance(pooled["rmse_ratio_naive"], float) and pooled["rmse_ratio_naive"] < 0.85
    # The "model" is ridge itself: it cannot beat ridge by a margin.
    assert report.beats_linear_baseline is False

    # Pooling tightens the interval: narrower than any one fold's.
    def width(m: Metrics) -> float:
        return _num(m["directional_accuracy_ci_high"]) - _num(m["directional_accuracy_ci_low"])

    assert all(width(pooled) < width(f) for f in report.folds)
    body = report.to_json()
    json.dumps(body, allow_nan=False)
    assert body["folds"][0]["test_start"] == folds[0].test.start
    summary = report.summary_metrics()
    assert summary["walk_forward_skill"] == "edge"
    assert summary["walk_forward_n_folds"] == 5
    assert summary["walk_forward_folds_beating_naive"] == 5
    assert all(isinstance(v, bool | int | float | str) or v is None for v in summary.values())


def test_a_random_walk_has_no_edge() -> None:
    series = random_walk_series(n_bars=1500, seed=1)
    ds = dataset_of(series, horizon_bars=3)
    folds = walk_forward_folds(ds.n_samples, 3, n_folds=folds_for(ds.n_samples, 3))
    report = walk_forward(ds, folds, ridge_fit_predict, raw_features=series.features)
    assert report.skill == "no_edge" and not report.beats_naive_baseline
    assert report.folds_beating_naive == 0
    pooled = report.pooled
    assert pooled["directional_n_effective"] == pytest.approx(_num(pooled["n_test"]) / 3)


def test_a_fold_sees_nothing_after_its_test_block(planted: tuple[Series, Dataset]) -> None:
    """Rewriting every bar after fold 0's test block (features and prices) leaves
    its dataset and predictions bit-for-bit unchanged; rewriting a bar of its
    training period does not."""
    series, ds = planted
    folds = walk_forward_folds(ds.n_samples, 1, n_folds=3)
    fold = folds[0]
    last_bar = fold.test.stop - 1 + LOOKBACK - 1 + 1  # the last test target's bar
    features = series.features.copy()
    close = series.close.copy()
    rng = np.random.default_rng(99)
    features[last_bar + 1 :] = 10 * rng.standard_normal(features[last_bar + 1 :].shape)
    close[last_bar + 1 :] *= np.exp(
        np.cumsum(0.05 * rng.standard_normal(len(close) - last_bar - 1))
    )
    changed = dataset_of(Series(features, close))
    # The whole run's scaler did move (its training split reaches past fold 0's test).
    assert changed.scaler != ds.scaler

    before = fold_dataset(ds, series.features, fold)
    after = fold_dataset(changed, features, fold)
    assert before.n_samples == fold.test.stop
    assert before.scaler == after.scaler
    np.testing.assert_array_equal(before.features, after.features)
    np.testing.assert_array_equal(before.targets, after.targets)
    np.testing.assert_array_equal(ridge_fit_predict(before), ridge_fit_predict(after))
    report_before = walk_forward(ds, folds, ridge_fit_predict, raw_features=series.features)
    report_after = walk_forward(changed, folds, ridge_fit_predict, raw_features=features)
    assert report_before.folds[0] == report_after.folds[0]

    # The scaler is the fold's own: fitted on its training bars and targets only.
    train_bars = fold.train.stop - 1 + LOOKBACK
    expected = Scaler.fit(series.features[:train_bars], ds.log_returns[fold.train.as_slice()])
    assert before.scaler == expected

    # Sanity: the check can fail — a change inside the training period shows.
    early = series.features.copy()
    early[10] += 5.0
    moved = fold_dataset(dataset_of(Series(early, series.close)), early, fold)
    assert moved.scaler != before.scaler


def test_fold_dataset_refuses_mismatched_inputs(planted: tuple[Series, Dataset]) -> None:
    series, ds = planted
    fold = walk_forward_folds(ds.n_samples, 1, n_folds=2)[0]
    with pytest.raises(ValueError, match="raw_features"):
        fold_dataset(ds, series.features[:-1], fold)
    overlapping = Fold(0, fold.train, fold.validation, SplitRange(fold.validation.stop, 900))
    with pytest.raises(ValueError, match="purge"):
        fold_dataset(ds, series.features, overlapping)


def test_the_training_closure_shape_with_a_real_network() -> None:
    """What the training job will pass: train the chosen architecture for a fixed
    number of epochs on the fold's dataset, predict its test block, unscale."""
    series = planted_series(n_bars=420, seed=4)
    ds = dataset_of(series)

    def keras_fit_predict(fold_ds: Dataset) -> np.ndarray:
        result = train(fold_ds, "LSTM", TINY, 2)
        scaled = predict_scaled(result.model, fold_ds, fold_ds.splits.test)
        return fold_ds.scaler.unscale_target(scaled)

    folds = walk_forward_folds(ds.n_samples, 1, n_folds=2)
    report = walk_forward(ds, folds, keras_fit_predict, raw_features=series.features)
    assert report.n_folds == 2
    assert report.pooled["n_test"] == ds.n_samples - folds[0].test.start
    assert all(f["rmse"] is not None and f["gbm_rmse"] is not None for f in report.folds)
    json.dumps(report.to_json(), allow_nan=False)
