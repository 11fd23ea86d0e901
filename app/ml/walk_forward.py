"""Walk-forward (rolling-origin) evaluation: skill judged over several folds.

One chronological split judges a model on one stretch of history; a regime that
happened to suit it reads as skill. Here the latest samples are cut into ``k``
contiguous test blocks, and each block is predicted by a model trained only on what
came before it (an expanding window):

* fold ``j``'s test block is ``[s_j, s_j + T)`` with ``s_j = n − (k − j)·T``: the
  blocks are contiguous, in time order, and the last ends at the last sample;
* its training period is every sample before ``s_j − h`` (the ``h``-sample purge:
  sample ``i``'s target covers bars ``t_i .. t_i + h``, so the last one kept ends a
  bar before the first test decision), its tail the validation split (about the
  main split's 15:70 share), itself purged from the training split by ``h``;
* the scaler is refitted on the fold's training split alone and the fold's dataset
  ends with the last bar its test targets read: nothing after the test block
  exists for the fold (`fold_dataset`).

The verdict is pooled: every fold's out-of-sample predictions are concatenated and
judged by `evaluate`'s rules (`compare_with_baselines`), on more samples than one
test split, so a tighter interval. Ridge and LightGBM baselines are refitted per
fold on the same train/validation split. For users: docs/MODELS.md, "Walk-forward
skill".
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from app.ml.dataset import (
    Dataset,
    InvalidSeries,
    Preprocessing,
    Scaler,
    SplitRange,
    Splits,
    horizon_log_returns,
)
from app.ml.evaluation import (
    DEFAULT_RMSE_MARGIN,
    Metrics,
    compare_with_baselines,
    gbm_baseline,
    json_safe,
    ridge_baseline,
)

DEFAULT_MAX_FOLDS = 5
MIN_TEST_SAMPLES = 30
MIN_TRAIN_SAMPLES = 50
DEFAULT_MIN_TRAIN_FRACTION = 0.4
# The main split's validation share of the data the model may learn from: 15 / (70 + 15).
VALIDATION_FRACTION = 0.15 / 0.85

FitPredict = Callable[[Dataset], npt.ArrayLike]
"""``fit_predict(fold_dataset)`` → raw predicted log returns for every sample of
``fold_dataset.splits.test``. It trains on ``fold_dataset.splits.train`` (validation
for early stopping or calibration) — e.g. `app.ml.training.train(fold_dataset, …)`
— and must read nothing else: the fold's dataset holds no bar after its test block."""


@dataclass(frozen=True)
class Fold:
    """One rolling-origin fold, in sample indices of the whole series."""

    index: int
    train: SplitRange
    validation: SplitRange
    test: SplitRange

    @property
    def splits(self) -> Splits:
        return Splits(self.train, self.validation, self.test)

    def to_json(self) -> dict[str, int]:
        return {
            "fold": self.index,
            "train_start": self.train.start,
            "train_stop": self.train.stop,
            "validation_start": self.validation.start,
            "validation_stop": self.validation.stop,
            "test_start": self.test.start,
            "test_stop": self.test.stop,
        }


def default_min_train(n_samples: int) -> int:
    """The first fold's training samples when the caller names none: 40 % of the
    samples (at least `MIN_TRAIN_SAMPLES`), so the folds' test blocks cover about
    the latest half of the history."""
    return max(MIN_TRAIN_SAMPLES, int(DEFAULT_MIN_TRAIN_FRACTION * n_samples))


def _train_validation(
    available: int, horizon_bars: int, validation_fraction: float
) -> tuple[SplitRange, SplitRange]:
    """Train/validation of samples ``[0, available)``: validation its tail, purged."""
    usable = available - horizon_bars
    n_val = max(1, math.floor(usable * validation_fraction))
    n_train = usable - n_val
    return SplitRange(0, n_train), SplitRange(n_train + horizon_bars, available)


def _first_test_start(min_train: int, horizon_bars: int, validation_fraction: float) -> int:
    """The earliest test start whose fold trains on at least ``min_train`` samples."""
    available = math.ceil(min_train / (1.0 - validation_fraction)) + horizon_bars
    while len(_train_validation(available, horizon_bars, validation_fraction)[0]) < min_train:
        available += 1
    return available + horizon_bars


def folds_for(
    n_samples: int,
    horizon_bars: int,
    max_folds: int = DEFAULT_MAX_FOLDS,
    *,
    min_train: int | None = None,
    min_test: int = MIN_TEST_SAMPLES,
    validation_fraction: float = VALIDATION_FRACTION,
) -> int:
    """How many folds the history allows: the most, up to ``max_folds``, whose test
    blocks hold at least ``min_test`` samples each while the first fold still trains
    on ``min_train`` (default `default_min_train`). At least 1: when even one fold
    does not fit, `walk_forward_folds` says why."""
    if max_folds < 1:
        raise ValueError(f"max_folds must be at least 1, got {max_folds}")
    train_floor = default_min_train(n_samples) if min_train is None else min_train
    out_of_sample = n_samples - _first_test_start(train_floor, horizon_bars, validation_fraction)
    for k in range(max_folds, 0, -1):
        if out_of_sample // k >= min_test:
            return k
    return 1


def walk_forward_folds(
    n_samples: int,
    horizon_bars: int,
    *,
    n_folds: int,
    min_train: int | None = None,
    test_size: int | None = None,
    validation_fraction: float = VALIDATION_FRACTION,
) -> list[Fold]:
    """``n_folds`` rolling-origin folds over ``n_samples`` (module docstring).

    ``test_size`` (``T``) defaults to the largest equal block that leaves the first
    fold ``min_train`` training samples (default `default_min_train`); samples
    before the first test block that no fold tests are only ever trained on.
    Raises `InvalidSeries` when the history is too short for that.
    """
    if n_folds < 1:
        raise ValueError(f"n_folds must be at least 1, got {n_folds}")
    if horizon_bars < 1:
        raise ValueError(f"horizon_bars must be at least 1, got {horizon_bars}")
    if not 0.0 < validation_fraction < 1.0:
        raise ValueError(f"validation_fraction must be in (0, 1), got {validation_fraction}")
    train_floor = default_min_train(n_samples) if min_train is None else max(1, min_train)
    first_start = _first_test_start(train_floor, horizon_bars, validation_fraction)
    if test_size is None:
        test_size = (n_samples - first_start) // n_folds
    if test_size < 1 or n_samples - n_folds * test_size < first_start:
        raise InvalidSeries(
            f"{n_samples} samples are too few for {n_folds} walk-forward folds "
            f"with at least {train_floor} training samples each"
            + (f" and test blocks of {test_size}" if test_size >= 1 else "")
        )
    folds = []
    for j in range(n_folds):
        start = n_samples - (n_folds - j) * test_size
        train, validation = _train_validation(
            start - horizon_bars, horizon_bars, validation_fraction
        )
        folds.append(Fold(j, train, validation, SplitRange(start, start + test_size)))
    return folds


def fold_dataset(dataset: Dataset, raw_features: npt.ArrayLike, fold: Fold) -> Dataset:
    """The dataset one fold trains and predicts on: ``dataset``'s bars up to the last
    bar the fold's test targets read (nothing later), its splits the fold's, and the
    scaler refitted — exactly as `make_dataset` fits it — on the fold's training
    split from the unscaled ``raw_features`` (the rows ``dataset`` was made from).
    Scaling with the whole run's scaler would let later bars move a fold's inputs."""
    raw = np.asarray(raw_features)
    if raw.shape != dataset.features.shape:
        raise ValueError(
            f"raw_features have shape {raw.shape}, the dataset's features {dataset.features.shape}"
        )
    lookback, h = dataset.lookback, dataset.horizon_bars
    train, validation, test = fold.train, fold.validation, fold.test
    if not (
        0 <= train.start < train.stop
        and train.stop + h <= validation.start < validation.stop
        and validation.stop + h <= test.start < test.stop <= dataset.n_samples
    ):
        raise ValueError(
            f"fold {fold.index} ({fold.to_json()}) is not ordered train, validation, test "
            f"with a purge of {h} samples inside the dataset's {dataset.n_samples}"
        )
    n_bars = fold.test.stop + lookback - 1 + h  # the last test target's bar, inclusive
    features, close = raw[:n_bars], dataset.close[:n_bars]
    log_returns = horizon_log_returns(close, lookback, h)
    last_train_bar = fold.train.stop - 1 + lookback - 1
    scaler = Scaler.fit(features[: last_train_bar + 1], log_returns[fold.train.as_slice()])
    parent = dataset.preprocessing
    return Dataset(
        features=scaler.transform_features(features),
        targets=scaler.scale_target(log_returns),
        log_returns=log_returns,
        close=close,
        splits=fold.splits,
        preprocessing=Preprocessing(
            lookback, h, parent.feature_names, scaler, parent.feature_version
        ),
    )


@dataclass
class WalkForwardReport:
    """Per-fold metrics and the pooled verdict (all JSON-safe).

    ``folds[j]``: the fold's sample ranges and, on its test block, ``n_test`` and
    every key of `compare_with_baselines` (rmse, naive/linear/gbm rmse and mae,
    their ratios, directional accuracy with its Wilson interval, always-up rate,
    IC, the beats/skill verdicts). ``pooled``: the same on all folds' test samples
    together; ``skill`` and the ``beats_*`` fields are the pooled ones.
    """

    folds: list[Metrics]
    pooled: Metrics
    horizon_bars: int
    predicted: npt.NDArray[np.float64] = field(repr=False)
    realised: npt.NDArray[np.float64] = field(repr=False)

    @property
    def n_folds(self) -> int:
        return len(self.folds)

    @property
    def skill(self) -> str:
        return str(self.pooled["skill"])

    @property
    def beats_naive_baseline(self) -> bool:
        return bool(self.pooled["beats_naive_baseline"])

    @property
    def beats_linear_baseline(self) -> bool:
        return bool(self.pooled["beats_linear_baseline"])

    @property
    def beats_gbm_baseline(self) -> bool:
        return bool(self.pooled["beats_gbm_baseline"])

    @property
    def folds_beating_naive(self) -> int:
        return sum(bool(f["beats_naive_baseline"]) for f in self.folds)

    def summary_metrics(self, prefix: str = "walk_forward_") -> Metrics:
        """Flat scalars to merge into an agent's metrics: the fold count, the folds
        beating naive, and every pooled metric, each under ``prefix``."""
        out: dict[str, Any] = {
            "n_folds": self.n_folds,
            "folds_beating_naive": self.folds_beating_naive,
            **self.pooled,
        }
        return json_safe({f"{prefix}{key}": value for key, value in out.items()})

    def to_json(self) -> dict[str, Any]:
        return {
            "n_folds": self.n_folds,
            "horizon_bars": self.horizon_bars,
            "skill": self.skill,
            "beats_naive_baseline": self.beats_naive_baseline,
            "beats_linear_baseline": self.beats_linear_baseline,
            "beats_gbm_baseline": self.beats_gbm_baseline,
            "folds_beating_naive": self.folds_beating_naive,
            "pooled": dict(self.pooled),
            "folds": [dict(f) for f in self.folds],
        }


def walk_forward(
    dataset: Dataset,
    folds: list[Fold],
    fit_predict: FitPredict,
    *,
    raw_features: npt.ArrayLike,
    rmse_margin: float = DEFAULT_RMSE_MARGIN,
    ridge_window: int = 1,
) -> WalkForwardReport:
    """Score ``fit_predict`` fold by fold and pooled.

    For each fold, ``fit_predict(fold_dataset(dataset, raw_features, fold))`` gives
    raw predicted log returns for the fold's test block; ridge and LightGBM
    baselines are refitted on the fold's train/validation split. The verdict uses
    `evaluate`'s rules on the concatenated out-of-sample predictions:
    ``beats_naive_baseline`` ⇔ pooled ``rmse < (1 − margin)·naive_rmse`` and the
    pooled directional accuracy's 95 % Wilson lower bound (effective size ``n/h``)
    above 0.5; ``skill`` is ``"edge"`` exactly then; ``beats_linear_baseline`` /
    ``beats_gbm_baseline`` ⇔ pooled rmse below the baseline's by the margin and
    accuracy at least the baseline's. ``folds_beating_naive`` counts folds that
    pass the naive rule on their own block.
    """
    if not folds:
        raise ValueError("walk_forward needs at least one fold")
    for earlier, later in itertools.pairwise(folds):
        if later.test.start < earlier.test.stop:
            raise ValueError("folds' test blocks must be in time order and not overlap")
    h = dataset.horizon_bars
    per_fold: list[Metrics] = []
    parts: dict[str, list[npt.NDArray[np.float64]]] = {
        "predicted": [],
        "realised": [],
        "linear": [],
        "gbm": [],
    }
    for fold in folds:
        ds = fold_dataset(dataset, raw_features, fold)
        realised = ds.split_log_returns(ds.splits.test)
        predicted = np.asarray(fit_predict(ds), dtype=np.float64).reshape(-1)
        if predicted.shape != realised.shape:
            raise ValueError(
                f"fold {fold.index}: expected {realised.shape[0]} test predictions, "
                f"got {predicted.shape[0]}"
            )
        linear, alpha = ridge_baseline(ds, ridge_window)
        gbm, n_trees = gbm_baseline(ds, ridge_window)
        metrics: dict[str, Any] = {**fold.to_json(), "n_test": int(realised.shape[0])}
        metrics.update(
            compare_with_baselines(
                predicted, realised, linear=linear, gbm=gbm, horizon_bars=h, rmse_margin=rmse_margin
            )
        )
        metrics["linear_ridge_alpha"] = alpha
        metrics["gbm_n_trees"] = n_trees
        per_fold.append(json_safe(metrics))
        for key, values in (
            ("predicted", predicted),
            ("realised", realised),
            ("linear", linear),
            ("gbm", gbm),
        ):
            parts[key].append(values)

    pooled_arrays = {key: np.concatenate(values) for key, values in parts.items()}
    pooled: dict[str, Any] = {"n_test": int(pooled_arrays["realised"].shape[0])}
    pooled.update(
        compare_with_baselines(
            pooled_arrays["predicted"],
            pooled_arrays["realised"],
            linear=pooled_arrays["linear"],
            gbm=pooled_arrays["gbm"],
            horizon_bars=h,
            rmse_margin=rmse_margin,
        )
    )
    return WalkForwardReport(
        folds=per_fold,
        pooled=json_safe(pooled),
        horizon_bars=h,
        predicted=pooled_arrays["predicted"],
        realised=pooled_arrays["realised"],
    )
