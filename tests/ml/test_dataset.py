"""Windowing, targets, splits, purging, scaling and the absence of look-ahead."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pytest

from app.ml.dataset import (
    InvalidSeries,
    Preprocessing,
    chronological_split,
    make_dataset,
)


def ramp(n_bars: int = 200, n_features: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Feature j of bar t is 1000·j + t: a window's values name its bars."""
    t = np.arange(n_bars, dtype=np.float32)
    features = np.stack([1000 * j + t for j in range(n_features)], axis=1)
    close = 100 * np.exp(np.cumsum(np.random.default_rng(seed).normal(0, 0.01, n_bars)))
    return features, close


def test_window_i_covers_bars_i_to_i_plus_lookback_minus_1() -> None:
    features, close = ramp()
    ds = make_dataset(features, close, lookback=5, horizon_bars=3)
    raw = ds.scaler.transform_features(features)
    windows = ds.windows()
    assert windows.shape == (ds.n_samples, 5, 3)
    for i in (0, 1, 57, ds.n_samples - 1):
        np.testing.assert_array_equal(windows[i], raw[i : i + 5])
        assert ds.end_bar(i) == i + 4


def test_targets_are_log_returns_over_the_horizon_from_the_window_end() -> None:
    features, close = ramp()
    lookback, h = 5, 3
    ds = make_dataset(features, close, lookback=lookback, horizon_bars=h)
    assert ds.n_samples == len(close) - lookback - h + 1
    for i in (0, 10, ds.n_samples - 1):
        t = i + lookback - 1
        assert ds.log_returns[i] == pytest.approx(np.log(close[t + h] / close[t]))
        assert ds.targets[i] == pytest.approx(ds.log_returns[i] / ds.scaler.target_std, rel=1e-6)
    # The last sample's target reads the very last bar.
    t_last = ds.end_bar(ds.n_samples - 1)
    assert t_last + h == len(close) - 1


def test_windows_are_views_not_copies() -> None:
    features, close = ramp()
    ds = make_dataset(features, close, lookback=7, horizon_bars=2)
    for split in (ds.splits.train, ds.splits.validation, ds.splits.test):
        windows = ds.windows(split)
        assert np.shares_memory(windows, ds.features)
        assert windows.base is not None
    assert ds.windows().nbytes > ds.features.nbytes  # the view is larger than its storage


def test_split_sizes_order_and_purge_gaps() -> None:
    splits = chronological_split(1000, horizon_bars=5)
    usable = 1000 - 2 * 5
    assert len(splits.train) == int(usable * 0.70)
    assert len(splits.validation) == int(usable * 0.15)
    assert len(splits.train) + len(splits.validation) + len(splits.test) == usable
    assert splits.train.start == 0 and splits.test.stop == 1000
    assert splits.validation.start - splits.train.stop == 5
    assert splits.test.start - splits.validation.stop == 5


@pytest.mark.parametrize("lookback,h", [(1, 1), (6, 4), (20, 12)])
def test_no_training_label_reaches_a_later_decision_bar(lookback: int, h: int) -> None:
    features, close = ramp(400)
    ds = make_dataset(features, close, lookback=lookback, horizon_bars=h)
    s = ds.splits
    last_train_label_bar = ds.end_bar(s.train.stop - 1) + h
    assert last_train_label_bar < ds.end_bar(s.validation.start)
    last_val_label_bar = ds.end_bar(s.validation.stop - 1) + h
    assert last_val_label_bar < ds.end_bar(s.test.start)


def test_scaler_is_fitted_on_the_training_bars_only() -> None:
    features, close = ramp(300)
    ds = make_dataset(features, close, lookback=6, horizon_bars=2)
    train_bars = features[: ds.end_bar(ds.splits.train.stop - 1) + 1]
    np.testing.assert_allclose(ds.scaler.feature_mean, train_bars.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(ds.scaler.feature_std, train_bars.std(axis=0), rtol=1e-6)
    assert ds.scaler.target_std == pytest.approx(np.std(ds.log_returns[ds.splits.train.as_slice()]))
    # A ramp's later bars are far above the training mean: scaled values grow.
    assert ds.features[-1, 0] > 1.0


def test_perturbing_bars_from_the_test_split_on_changes_nothing_in_training() -> None:
    features, close = ramp(400)
    lookback, h = 10, 5
    ds = make_dataset(features, close, lookback=lookback, horizon_bars=h)
    first_test_bar = ds.end_bar(ds.splits.test.start)
    rng = np.random.default_rng(7)
    features2, close2 = features.copy(), close.copy()
    features2[first_test_bar:] += rng.normal(0, 500, features2[first_test_bar:].shape)
    close2[first_test_bar:] *= np.exp(rng.normal(0, 0.2, close2[first_test_bar:].shape))
    ds2 = make_dataset(features2, close2, lookback=lookback, horizon_bars=h)

    train = ds.splits.train
    assert ds2.splits == ds.splits
    assert ds2.scaler == ds.scaler
    np.testing.assert_array_equal(ds2.windows(train), ds.windows(train))
    np.testing.assert_array_equal(ds2.split_targets(train), ds.split_targets(train))
    val = ds.splits.validation
    np.testing.assert_array_equal(ds2.windows(val), ds.windows(val))
    np.testing.assert_array_equal(ds2.split_targets(val), ds.split_targets(val))
    # ...while the test split does see the change (the perturbation is real).
    assert not np.array_equal(ds2.split_targets(ds.splits.test), ds.split_targets(ds.splits.test))


def test_perturbing_the_bar_after_the_last_training_label_leaves_training_unchanged() -> None:
    features, close = ramp(300)
    lookback, h = 4, 3
    ds = make_dataset(features, close, lookback=lookback, horizon_bars=h)
    first_unused = ds.end_bar(ds.splits.train.stop - 1) + h + 1
    close2 = close.copy()
    close2[first_unused:] *= 2.0
    features2 = features.copy()
    features2[first_unused:] = -features2[first_unused:]
    ds2 = make_dataset(features2, close2, lookback=lookback, horizon_bars=h)
    train = ds.splits.train
    assert ds2.scaler == ds.scaler
    np.testing.assert_array_equal(ds2.split_targets(train), ds.split_targets(train))
    np.testing.assert_array_equal(ds2.windows(train), ds.windows(train))
    # One bar earlier is the last training label: moving it must change a target.
    close3 = close.copy()
    close3[first_unused - 1] *= 2.0
    ds3 = make_dataset(features, close3, lookback=lookback, horizon_bars=h)
    assert not np.array_equal(ds3.split_targets(train), ds.split_targets(train))


def test_constant_feature_scales_to_zero_not_nan() -> None:
    features, close = ramp(100)
    features[:, 1] = 3.0
    ds = make_dataset(features, close, lookback=4, horizon_bars=1)
    assert np.isfinite(ds.features).all()
    assert np.all(ds.features[:, 1] == 0)


def test_preprocessing_round_trips_through_json() -> None:
    features, close = ramp(120)
    ds = make_dataset(features, close, lookback=4, horizon_bars=2, feature_names=["a", "b", "c"])
    text = json.dumps(ds.preprocessing.to_json(), allow_nan=False)
    restored = Preprocessing.from_json(json.loads(text))
    assert restored == ds.preprocessing
    np.testing.assert_array_equal(restored.scaler.transform_features(features), ds.features)


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda f, c: (f, c[:-1]), "close has shape"),
        (lambda f, c: (f[:10], c[:10]), "too few"),
        (lambda f, c: (f, np.where(np.arange(len(c)) == 5, -1.0, c)), "bar 5"),
        (lambda f, c: (np.where(np.arange(len(c))[:, None] == 9, np.nan, f), c), "bar 9"),
    ],
)
def test_bad_series_are_refused_with_a_reason(
    mutate: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]], message: str
) -> None:
    features, close = ramp(60)
    bad_features, bad_close = mutate(features, close)
    with pytest.raises(InvalidSeries, match=message):
        make_dataset(bad_features, bad_close, lookback=8, horizon_bars=2)
