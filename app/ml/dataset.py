"""Windowed, chronologically split, leakage-free training data (docs/MODELS.md).

Pinned, and every module of `app.ml` relies on it: sample ``i`` decides at the close of
bar ``t_i = i + lookback - 1`` (window bars ``i .. t_i``, target
``log(close[t_i + h] / close[t_i])``). Splits are ``train = [0, a)``,
``validation = [a + h, b)`` and ``test = [b + h, n_samples)``: the ``h``-sample purge
keeps training labels off the periods validation predicts (likewise validation/test),
and the scaler sees training bars and targets only. No TensorFlow is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

FloatArray = npt.NDArray[np.floating[Any]]
DEFAULT_FRACTIONS = (0.70, 0.15, 0.15)


class InvalidSeries(ValueError):
    """The bars cannot make a dataset (too short, non-finite, mismatched)."""


@dataclass(frozen=True)
class SplitRange:
    """Sample indices ``[start, stop)`` of one split."""

    start: int
    stop: int

    def __len__(self) -> int:
        return self.stop - self.start

    @property
    def indices(self) -> npt.NDArray[np.int64]:
        return np.arange(self.start, self.stop, dtype=np.int64)

    def as_slice(self) -> slice:
        return slice(self.start, self.stop)


@dataclass(frozen=True)
class Splits:
    train: SplitRange
    validation: SplitRange
    test: SplitRange


def chronological_split(
    n_samples: int,
    horizon_bars: int,
    fractions: tuple[float, float, float] = DEFAULT_FRACTIONS,
) -> Splits:
    """Split ``n_samples`` in time order with a purge of ``horizon_bars`` samples
    between consecutive splits (see the module docstring for the exact ranges)."""
    if len(fractions) != 3 or any(f <= 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(f"fractions must be three positive numbers summing to 1, got {fractions}")
    usable = n_samples - 2 * horizon_bars
    n_train = int(np.floor(usable * fractions[0]))
    n_val = int(np.floor(usable * fractions[1]))
    n_test = usable - n_train - n_val
    if min(n_train, n_val, n_test) < 1:
        raise InvalidSeries(
            f"{n_samples} samples are too few for a train/validation/test split "
            f"with a purge of {horizon_bars} bars between splits"
        )
    val_start = n_train + horizon_bars
    test_start = val_start + n_val + horizon_bars
    return Splits(
        train=SplitRange(0, n_train),
        validation=SplitRange(val_start, val_start + n_val),
        test=SplitRange(test_start, n_samples),
    )


@dataclass(frozen=True)
class Scaler:
    """Per-feature standardisation and a target scale, fitted on the train split.

    The target is divided by its standard deviation but *not* centred: the sign
    of a scaled prediction is then the sign of the predicted return, which is
    what the direction, the calibration and the signal rule read.
    """

    feature_mean: tuple[float, ...]
    feature_std: tuple[float, ...]
    target_std: float

    @classmethod
    def fit(cls, features: FloatArray, targets: FloatArray) -> Scaler:
        mean = features.mean(axis=0, dtype=np.float64)
        std = features.std(axis=0, dtype=np.float64)
        # A constant feature carries no information; dividing by 1 keeps it at 0
        # instead of producing inf/NaN.
        std = np.where(std > 1e-12, std, 1.0)
        target_std = float(np.std(targets, dtype=np.float64))
        return cls(
            feature_mean=tuple(float(v) for v in mean),
            feature_std=tuple(float(v) for v in std),
            target_std=target_std if target_std > 1e-12 else 1.0,
        )

    def transform_features(self, features: FloatArray) -> npt.NDArray[np.float32]:
        mean = np.asarray(self.feature_mean, dtype=np.float32)
        std = np.asarray(self.feature_std, dtype=np.float32)
        scaled = (np.asarray(features, dtype=np.float32) - mean) / std
        return scaled.astype(np.float32, copy=False)

    def scale_target(self, log_returns: FloatArray) -> npt.NDArray[np.float32]:
        return (np.asarray(log_returns, dtype=np.float64) / self.target_std).astype(np.float32)

    def unscale_target(self, scaled: FloatArray) -> npt.NDArray[np.float64]:
        return np.asarray(scaled, dtype=np.float64) * self.target_std

    def to_json(self) -> dict[str, Any]:
        return {
            "feature_mean": list(self.feature_mean),
            "feature_std": list(self.feature_std),
            "target_std": self.target_std,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Scaler:
        return cls(
            feature_mean=tuple(float(v) for v in data["feature_mean"]),
            feature_std=tuple(float(v) for v in data["feature_std"]),
            target_std=float(data["target_std"]),
        )


@dataclass(frozen=True)
class Preprocessing:
    """Everything inference needs to turn raw feature rows into a model input.

    `feature_version` is the version of the features' definitions the model was
    trained on (the feature engine's `FEATURE_VERSION`; 1 for artifacts that predate
    the field), so a server whose columns changed meaning can refuse the model.
    """

    lookback: int
    horizon_bars: int
    feature_names: tuple[str, ...]
    scaler: Scaler
    feature_version: int = 1

    def to_json(self) -> dict[str, Any]:
        return {
            "lookback": self.lookback,
            "horizon_bars": self.horizon_bars,
            "feature_names": list(self.feature_names),
            "scaler": self.scaler.to_json(),
            "feature_version": self.feature_version,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Preprocessing:
        return cls(
            lookback=int(data["lookback"]),
            horizon_bars=int(data["horizon_bars"]),
            feature_names=tuple(str(n) for n in data["feature_names"]),
            scaler=Scaler.from_json(data["scaler"]),
            feature_version=int(data.get("feature_version", 1)),
        )


@dataclass(frozen=True)
class Dataset:
    """Scaled series plus the index bookkeeping of the module docstring.

    ``features`` is the scaled ``float32[n_bars, n_features]`` series (the only
    copy); ``targets`` the scaled targets, ``log_returns`` the raw ones, both
    ``[n_samples]``.
    """

    features: npt.NDArray[np.float32]
    targets: npt.NDArray[np.float32]
    log_returns: npt.NDArray[np.float64]
    close: npt.NDArray[np.float64]
    splits: Splits
    preprocessing: Preprocessing

    @property
    def lookback(self) -> int:
        return self.preprocessing.lookback

    @property
    def horizon_bars(self) -> int:
        return self.preprocessing.horizon_bars

    @property
    def scaler(self) -> Scaler:
        return self.preprocessing.scaler

    @property
    def n_samples(self) -> int:
        return int(self.targets.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.features.shape[1])

    def end_bar(self, sample: int | npt.NDArray[np.int64]) -> Any:
        """Bar index of the decision bar of ``sample`` (the window's last bar)."""
        return sample + self.lookback - 1

    def windows(self, split: SplitRange | None = None) -> npt.NDArray[np.float32]:
        """``[samples, lookback, n_features]`` view (no copy) of the windows."""
        view = windowed(self.features, self.lookback)[: self.n_samples]
        return view if split is None else view[split.as_slice()]

    def split_targets(self, split: SplitRange) -> npt.NDArray[np.float32]:
        return self.targets[split.as_slice()]

    def split_log_returns(self, split: SplitRange) -> npt.NDArray[np.float64]:
        return self.log_returns[split.as_slice()]


def windowed(series: npt.NDArray[np.float32], lookback: int) -> npt.NDArray[np.float32]:
    """All ``lookback``-bar windows of ``series`` as a strided view.

    ``sliding_window_view`` puts the window axis last; the transpose to
    ``[window, time, feature]`` is also a view.
    """
    return sliding_window_view(series, lookback, axis=0).transpose(0, 2, 1)


def horizon_log_returns(
    close: FloatArray, lookback: int, horizon_bars: int
) -> npt.NDArray[np.float64]:
    """``y_i = log(close[t_i + h] / close[t_i])`` for every sample ``i``."""
    log_close = np.log(np.asarray(close, dtype=np.float64))
    return log_close[lookback - 1 + horizon_bars :] - log_close[lookback - 1 : -horizon_bars]


def make_dataset(
    features: FloatArray,
    close: FloatArray,
    *,
    lookback: int,
    horizon_bars: int,
    feature_names: tuple[str, ...] | list[str] | None = None,
    fractions: tuple[float, float, float] = DEFAULT_FRACTIONS,
) -> Dataset:
    """Build the dataset from raw (unscaled) features and closes of the same bars."""
    features = np.asarray(features)
    closes = np.asarray(close, dtype=np.float64)
    _validate(features, closes, lookback, horizon_bars)
    n_features = features.shape[1]
    names = (
        tuple(feature_names)
        if feature_names is not None
        else tuple(f"f{j}" for j in range(n_features))
    )
    if len(names) != n_features:
        raise InvalidSeries(f"{len(names)} feature names for {n_features} feature columns")

    log_returns = horizon_log_returns(closes, lookback, horizon_bars)
    splits = chronological_split(log_returns.shape[0], horizon_bars, fractions)
    # Bars read by training inputs: 0 .. last training decision bar (inclusive).
    last_train_bar = splits.train.stop - 1 + lookback - 1
    scaler = Scaler.fit(features[: last_train_bar + 1], log_returns[splits.train.as_slice()])
    return Dataset(
        features=scaler.transform_features(features),
        targets=scaler.scale_target(log_returns),
        log_returns=log_returns,
        close=closes,
        splits=splits,
        preprocessing=Preprocessing(lookback, horizon_bars, names, scaler),
    )


def _validate(features: FloatArray, close: FloatArray, lookback: int, horizon_bars: int) -> None:
    if features.ndim != 2:
        raise InvalidSeries(f"features must be [n_bars, n_features], got shape {features.shape}")
    if close.ndim != 1 or close.shape[0] != features.shape[0]:
        raise InvalidSeries(
            f"close has shape {close.shape} but features have {features.shape[0]} bars"
        )
    if lookback < 1 or horizon_bars < 1:
        raise InvalidSeries("lookback and horizon_bars must be at least 1")
    if features.shape[0] < lookback + horizon_bars + 2:
        raise InvalidSeries(
            f"{features.shape[0]} bars are too few for lookback {lookback} "
            f"and horizon {horizon_bars}"
        )
    bad_close = ~np.isfinite(close) | (close <= 0)
    if bad_close.any():
        raise InvalidSeries(f"non-positive or non-finite close at bar {int(np.argmax(bad_close))}")
    bad_rows = ~np.isfinite(features).all(axis=1)
    if bad_rows.any():
        raise InvalidSeries(f"non-finite feature value at bar {int(np.argmax(bad_rows))}")
