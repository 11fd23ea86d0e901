"""A gradient-boosted-trees baseline (LightGBM) on the ridge baseline's features.

On tabular return prediction boosted trees often beat sequence networks (Qlib's
Alpha158 benchmark has LightGBM ahead of LSTM and Transformer), so every agent is
scored against one. It is small and deterministic: fixed seed, one thread, at most
`MAX_TREES` trees, the count chosen by early stopping on the validation split
(never the test split). LightGBM is imported inside `fit_gbm`: importing this
module (and `app.ml.evaluation`) stays cheap for processes that never fit one.
Pure NumPy otherwise, no TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

MAX_TREES = 300
EARLY_STOPPING_ROUNDS = 30
LEARNING_RATE = 0.05
NUM_LEAVES = 15
GBM_SEED = 0


def min_data_in_leaf(n_train: int) -> int:
    """Leaves of about 2 % of the training samples, between 10 and 200: returns are
    mostly noise, and a leaf of a handful of samples fits that noise."""
    return int(np.clip(n_train // 50, 10, 200))


def gbm_params(n_train: int, *, seed: int = GBM_SEED, num_threads: int = 1) -> dict[str, Any]:
    """LightGBM parameters: small, and bit-for-bit reproducible on one build."""
    return {
        "objective": "regression",
        "metric": "l2",
        "learning_rate": LEARNING_RATE,
        "num_leaves": NUM_LEAVES,
        "min_data_in_leaf": min_data_in_leaf(n_train),
        "lambda_l2": 1.0,
        "feature_fraction": 1.0,
        "bagging_fraction": 1.0,
        "seed": seed,
        "deterministic": True,
        "force_col_wise": True,
        "num_threads": num_threads,
        "verbose": -1,
    }


@dataclass(frozen=True)
class GbmModel:
    """A fitted booster and the number of trees it predicts with."""

    booster: Any  # lightgbm.Booster
    n_trees: int

    def predict(self, x: npt.ArrayLike) -> Array:
        out = self.booster.predict(np.asarray(x, dtype=np.float64), num_iteration=self.n_trees)
        return np.asarray(out, dtype=np.float64)


def fit_gbm(
    x_train: npt.ArrayLike,
    y_train: npt.ArrayLike,
    x_val: npt.ArrayLike,
    y_val: npt.ArrayLike,
    *,
    seed: int = GBM_SEED,
    num_threads: int = 1,
    max_trees: int = MAX_TREES,
) -> GbmModel:
    """Boost up to ``max_trees`` trees on the training samples and keep the number
    with the lowest validation L2 (early stopping after `EARLY_STOPPING_ROUNDS`
    rounds without improvement)."""
    import lightgbm as lgb

    xt = np.asarray(x_train, dtype=np.float64)
    xv = np.asarray(x_val, dtype=np.float64)
    params = gbm_params(xt.shape[0], seed=seed, num_threads=num_threads)
    train_set = lgb.Dataset(xt, np.asarray(y_train, dtype=np.float64), params=params)
    val_set = lgb.Dataset(
        xv, np.asarray(y_val, dtype=np.float64), reference=train_set, params=params
    )
    booster = lgb.train(
        params,
        train_set,
        num_boost_round=max_trees,
        valid_sets=[val_set],
        valid_names=["validation"],
        callbacks=[lgb.early_stopping(EARLY_STOPPING_ROUNDS, verbose=False)],
    )
    n_trees = int(booster.best_iteration) or int(booster.current_iteration())
    return GbmModel(booster, n_trees)
