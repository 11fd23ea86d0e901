"""Series factories and the few trained models the ML tests share.

Training is the expensive part, so each model that several tests inspect is
trained once per session; everything is tiny (hundreds of samples, 8 units).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import numpy.typing as npt
import pytest

from app.ml.architectures import Hyperparameters
from app.ml.calibration import IsotonicCalibrator, PlattCalibrator, fit_calibrator
from app.ml.conformal import ConformalInterval, fit_interval, scale_window_for, split_scales
from app.ml.dataset import Dataset, make_dataset
from app.ml.evaluation import evaluate
from app.ml.training import TrainingResult, predict_scaled, train
from app.services.market_data.frequency import get_frequency

LOOKBACK = 8
TINY = Hyperparameters(lookback=LOOKBACK, units=8, batch_size=32, learning_rate=1e-2, dropout=0.0)


@dataclass(frozen=True)
class Series:
    features: npt.NDArray[np.float32]
    close: npt.NDArray[np.float64]


def planted_series(n_bars: int = 1500, seed: int = 0, strength: float = 0.8) -> Series:
    """Feature 0 leads the next bar's return: r[t+1] = σ(strength·x[t] + noise),
    so the best possible 1-bar forecast has correlation ≈ strength/sqrt(1+strength²)
    with the realised return.  Features 1-2 are noise."""
    rng = np.random.default_rng(seed)
    features = rng.standard_normal((n_bars, 3)).astype(np.float32)
    returns = np.zeros(n_bars)
    returns[1:] = 0.01 * (strength * features[:-1, 0] + rng.standard_normal(n_bars - 1))
    return Series(features, 100.0 * np.exp(np.cumsum(returns)))


def interaction_series(n_bars: int = 1500, seed: int = 0) -> Series:
    """The next return follows the *product* of features 0 and 1: no linear model
    of the last bar can see it (their linear correlation with it is 0), a
    network can."""
    rng = np.random.default_rng(seed)
    features = rng.standard_normal((n_bars, 3)).astype(np.float32)
    returns = np.zeros(n_bars)
    returns[1:] = 0.01 * (
        features[:-1, 0] * features[:-1, 1] + 0.5 * rng.standard_normal(n_bars - 1)
    )
    return Series(features, 100.0 * np.exp(np.cumsum(returns)))


def random_walk_series(n_bars: int = 1500, seed: int = 1) -> Series:
    """Gaussian random walk; the features are its own past returns (so they look
    informative) plus noise — nothing predicts the next return."""
    rng = np.random.default_rng(seed)
    returns = 0.01 * rng.standard_normal(n_bars)
    returns[0] = 0.0
    close = 100.0 * np.exp(np.cumsum(returns))
    features = np.column_stack([returns, rng.standard_normal(n_bars)]).astype(np.float32)
    return Series(features, close)


def dataset_of(series: Series, lookback: int = LOOKBACK, horizon_bars: int = 1) -> Dataset:
    return make_dataset(series.features, series.close, lookback=lookback, horizon_bars=horizon_bars)


@dataclass(frozen=True)
class Trained:
    dataset: Dataset
    result: TrainingResult
    calibrator: PlattCalibrator | IsotonicCalibrator
    predicted_test: npt.NDArray[np.float64]
    confidence_test: npt.NDArray[np.float64]
    metrics: dict[str, float | int | bool | None]


def train_and_evaluate(dataset: Dataset, architecture: str = "LSTM", epochs: int = 5) -> Trained:
    """The worker's sequence: train, calibrate on validation, evaluate on test."""
    result = train(dataset, architecture, TINY, epochs)
    splits = dataset.splits
    calibrator = fit_calibrator(
        predict_scaled(result.model, dataset, splits.validation),
        dataset.split_log_returns(splits.validation),
    )
    scaled_test = predict_scaled(result.model, dataset, splits.test)
    predicted = dataset.scaler.unscale_target(scaled_test)
    confidence = calibrator.confidence(scaled_test)
    metrics = evaluate(
        dataset, predicted, confidence, bars_per_year=get_frequency("1d").bars_per_year
    )
    return Trained(dataset, result, calibrator, predicted, confidence, metrics)


@pytest.fixture(scope="session")
def planted() -> Trained:
    return train_and_evaluate(dataset_of(planted_series()))


@pytest.fixture(scope="session")
def random_walk() -> Trained:
    return train_and_evaluate(dataset_of(random_walk_series()), epochs=3)


def interval_of(trained: Trained) -> ConformalInterval:
    """The worker's prediction interval for a trained model (fitted on validation)."""
    ds = trained.dataset
    window = scale_window_for(ds.lookback)
    interval = fit_interval(
        ds.scaler.unscale_target(predict_scaled(trained.result.model, ds, ds.splits.validation)),
        ds.split_log_returns(ds.splits.validation),
        split_scales(ds, ds.splits.validation, window),
        scale_window=window,
    )
    assert interval is not None
    return interval
