"""Held-out evaluation: forecast errors, baselines, direction, calibration, backtest.

Deep sequence models often lose to simple baselines on market data; these metrics exist
to show that honestly. Every number is computed on the test split only, on raw horizon
log returns, with its pinned definition where it is computed (listed for users in
docs/MODELS.md). The result is JSON-safe: ``None`` where a value is undefined, never NaN
or inf. Pure NumPy, no TensorFlow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from app.ml.calibration import direction_correct, expected_calibration_error
from app.ml.dataset import Dataset, SplitRange
from app.ml.gbm import fit_gbm

Array = npt.NDArray[np.float64]
Metrics = dict[str, float | int | bool | str | None]

Z_95 = 1.959963984540054
DEFAULT_RMSE_MARGIN = 0.01
DEFAULT_COST_BP = 5.0
RIDGE_ALPHAS = (0.1, 1.0, 10.0, 100.0, 1000.0)

# --- forecast errors --------------------------------------------------------


def rmse(predicted: npt.ArrayLike, realised: npt.ArrayLike) -> float:
    """sqrt(mean((predicted − realised)²))."""
    diff = np.asarray(predicted, dtype=np.float64) - np.asarray(realised, dtype=np.float64)
    return float(np.sqrt(np.mean(diff**2)))


def mae(predicted: npt.ArrayLike, realised: npt.ArrayLike) -> float:
    """mean(|predicted − realised|)."""
    diff = np.asarray(predicted, dtype=np.float64) - np.asarray(realised, dtype=np.float64)
    return float(np.mean(np.abs(diff)))


def information_coefficient(predicted: npt.ArrayLike, realised: npt.ArrayLike) -> float | None:
    """Pearson correlation of predicted and realised returns; None when either is
    constant or there are fewer than 3 samples."""
    p = np.asarray(predicted, dtype=np.float64)
    r = np.asarray(realised, dtype=np.float64)
    if p.shape[0] < 3 or p.std() == 0 or r.std() == 0:
        return None
    return float(np.corrcoef(p, r)[0, 1])


def rank_information_coefficient(predicted: npt.ArrayLike, realised: npt.ArrayLike) -> float | None:
    """Spearman: the Pearson correlation of average ranks (ties share a rank)."""
    return information_coefficient(_average_ranks(predicted), _average_ranks(realised))


def _average_ranks(values: npt.ArrayLike) -> Array:
    v = np.asarray(values, dtype=np.float64)
    order = np.argsort(v, kind="stable")
    ranks = np.empty(v.shape[0])
    ranks[order] = np.arange(v.shape[0], dtype=np.float64)
    _, inverse, counts = np.unique(v, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    return np.asarray(sums[inverse] / counts[inverse], dtype=np.float64)


# --- direction --------------------------------------------------------------


def wilson_interval(successes: float, n: float, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion ``successes / n``:
    centre ``(p̂ + z²/2n) / (1 + z²/n)``, half-width
    ``z·sqrt(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n)``.  ``n`` may be fractional (an
    effective sample size).  (0, 1) when ``n`` is 0."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def directional_stats(
    predicted: npt.ArrayLike, realised: npt.ArrayLike, horizon_bars: int
) -> Metrics:
    """Directional accuracy = share of test samples whose call was right
    (`direction_correct`: predicted × realised > 0), so a zero realised return
    counts as wrong — the rule calibration, its ECE and the live track record use.
    Its 95 % Wilson interval uses the effective sample size ``n / horizon_bars``:
    consecutive ``h``-bar returns share ``h − 1`` bars, so only every ``h``-th is
    independent (for ``h = 1`` this is the ordinary interval).  The always-up rate
    is the share of samples whose realised return was positive — the accuracy of
    always calling "up" under the same rule."""
    p = np.asarray(predicted, dtype=np.float64)
    r = np.asarray(realised, dtype=np.float64)
    n = int(r.shape[0])
    if n == 0:
        return {
            "directional_accuracy": None,
            "directional_accuracy_ci_low": None,
            "directional_accuracy_ci_high": None,
            "directional_n": 0,
            "directional_n_effective": 0.0,
            "always_up_rate": None,
        }
    accuracy = float(direction_correct(p, r).mean())
    n_effective = n / horizon_bars
    low, high = wilson_interval(accuracy * n_effective, n_effective)
    return {
        "directional_accuracy": accuracy,
        "directional_accuracy_ci_low": low,
        "directional_accuracy_ci_high": high,
        "directional_n": n,
        "directional_n_effective": n_effective,
        "always_up_rate": float((r > 0).mean()),
    }


# --- the linear baseline ----------------------------------------------------


@dataclass(frozen=True)
class RidgeModel:
    weights: Array
    intercept: float
    alpha: float

    def predict(self, x: npt.ArrayLike) -> Array:
        return np.asarray(x, dtype=np.float64) @ self.weights + self.intercept


def fit_ridge(x: npt.ArrayLike, y: npt.ArrayLike, alpha: float) -> RidgeModel:
    """Closed-form ridge: ``w = (XcᵀXc + αI)⁻¹ Xcᵀ yc`` on centred X and y, the
    intercept (not penalised) ``mean(y) − mean(X)·w``."""
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    x_mean, y_mean = xs.mean(axis=0), ys.mean()
    xc = xs - x_mean
    gram = xc.T @ xc + alpha * np.eye(xs.shape[1])
    weights = np.linalg.solve(gram, xc.T @ (ys - y_mean))
    return RidgeModel(weights, float(y_mean - x_mean @ weights), alpha)


def ridge_inputs(dataset: Dataset, split: SplitRange, window: int = 1) -> Array:
    """The linear model's features for each sample of ``split``: the scaled
    features of the last ``window`` bars of its window, flattened."""
    return np.asarray(
        dataset.windows(split)[:, -window:, :].reshape(len(split), -1), dtype=np.float64
    )


def ridge_baseline(dataset: Dataset, window: int = 1) -> tuple[Array, float]:
    """Test-split predictions (raw log returns) of a ridge model fitted on the
    train split, its ``alpha`` chosen from `RIDGE_ALPHAS` by validation RMSE —
    the same data the network is fitted and early-stopped on."""
    splits = dataset.splits
    x_train = ridge_inputs(dataset, splits.train, window)
    x_val = ridge_inputs(dataset, splits.validation, window)
    y_train = dataset.split_targets(splits.train)
    y_val = dataset.split_targets(splits.validation)
    models = [fit_ridge(x_train, y_train, alpha) for alpha in RIDGE_ALPHAS]
    best = min(models, key=lambda m: rmse(m.predict(x_val), y_val))
    scaled = best.predict(ridge_inputs(dataset, splits.test, window))
    return dataset.scaler.unscale_target(scaled), best.alpha


def gbm_baseline(dataset: Dataset, window: int = 1) -> tuple[Array, int]:
    """Test-split predictions (raw log returns) of LightGBM on the ridge baseline's
    features (`ridge_inputs`), fitted on the train split with its number of trees
    chosen by early stopping on the validation split (`app.ml.gbm.fit_gbm`); also
    that number of trees."""
    splits = dataset.splits
    model = fit_gbm(
        ridge_inputs(dataset, splits.train, window),
        dataset.split_targets(splits.train),
        ridge_inputs(dataset, splits.validation, window),
        dataset.split_targets(splits.validation),
    )
    scaled = model.predict(ridge_inputs(dataset, splits.test, window))
    return dataset.scaler.unscale_target(scaled), model.n_trees


# --- model versus baselines -------------------------------------------------


def compare_with_baselines(
    predicted: npt.ArrayLike,
    realised: npt.ArrayLike,
    *,
    linear: npt.ArrayLike,
    gbm: npt.ArrayLike,
    horizon_bars: int,
    rmse_margin: float = DEFAULT_RMSE_MARGIN,
) -> dict[str, Any]:
    """Errors, direction, IC and the verdicts of ``predicted`` against "no change"
    (naive), the ``linear`` (ridge) and the ``gbm`` baselines' forecasts of the same
    ``realised`` returns; the rules are `evaluate`'s (one place, so a walk-forward
    verdict means what a single split's does)."""
    pred = np.asarray(predicted, dtype=np.float64)
    real = np.asarray(realised, dtype=np.float64)
    forecasts = {
        "naive": np.zeros_like(real),
        "linear": np.asarray(linear, dtype=np.float64),
        "gbm": np.asarray(gbm, dtype=np.float64),
    }
    model_dir = directional_stats(pred, real, horizon_bars)
    metrics: dict[str, Any] = {"rmse": rmse(pred, real), "mae": mae(pred, real)}
    for base, forecast in forecasts.items():
        metrics[f"{base}_rmse"] = rmse(forecast, real)
        metrics[f"{base}_mae"] = mae(forecast, real)
    for err in ("rmse", "mae"):
        for base in forecasts:
            metrics[f"{err}_ratio_{base}"] = _ratio(metrics[err], metrics[f"{base}_{err}"])
    metrics.update(model_dir)
    base_accuracy = {
        base: directional_stats(forecasts[base], real, horizon_bars)["directional_accuracy"]
        for base in ("linear", "gbm")
    }
    for base in ("linear", "gbm"):
        metrics[f"{base}_directional_accuracy"] = base_accuracy[base]
    metrics["ic"] = information_coefficient(pred, real)
    metrics["rank_ic"] = rank_information_coefficient(pred, real)
    for base in ("linear", "gbm"):
        metrics[f"{base}_ic"] = information_coefficient(forecasts[base], real)
    metrics["rmse_margin"] = rmse_margin
    metrics["beats_naive_baseline"] = _beats(
        metrics["rmse"], metrics["naive_rmse"], rmse_margin
    ) and _above(model_dir["directional_accuracy_ci_low"], 0.5)
    metrics["skill"] = "edge" if metrics["beats_naive_baseline"] else "no_edge"
    for base in ("linear", "gbm"):
        metrics[f"beats_{base}_baseline"] = _beats(
            metrics["rmse"], metrics[f"{base}_rmse"], rmse_margin
        ) and _at_least(model_dir["directional_accuracy"], base_accuracy[base])
    return metrics


# --- backtest ---------------------------------------------------------------


def backtest(
    signals: npt.ArrayLike,
    realised: npt.ArrayLike,
    *,
    horizon_bars: int,
    bars_per_year: float,
    cost_bp: float = DEFAULT_COST_BP,
) -> Metrics:
    """Non-overlapping, horizon-long trades on the test bars.

    Inputs per test bar ``i``: ``signals[i]`` in {+1 long, −1 short, 0 flat} and
    ``realised[i] = log(close[t_i + h] / close[t_i])``.

    * Decision grid: bars ``0, h, 2h, …`` (``K`` periods, contiguous: each ends
      where the next starts).  Signals between grid bars are not traded.
    * Period return ``R_k = s_k·(exp(y_k) − 1) − |s_k|·cost_bp/10⁴``: a trade opens
      at the decision bar's close, closes ``h`` bars later, and pays ``cost_bp``
      once (round trip); a flat period earns 0.
    * ``total_return = Π(1 + R_k) − 1`` (full equity per trade, compounded).
    * ``sharpe = mean(R)/std(R, ddof=1)·sqrt(P)``, ``P = bars_per_year / h``
      periods per year, risk-free rate 0; None if K < 2 or std is 0.
    * ``sortino = mean(R)/sqrt(mean(min(R, 0)²))·sqrt(P)``; None without a loss.
    * ``max_drawdown = max_k(1 − E_k / max_{j≤k} E_j)`` on ``E_k = Π_{j≤k}(1+R_j)``,
      ``E_0 = 1``; a positive fraction.
    * ``n_trades`` = periods with ``s_k ≠ 0``; ``hit_rate`` = share of trades with
      ``R_k > 0`` (after cost); ``profit_factor = ΣR⁺ / |ΣR⁻|`` over trades
      (None without a losing trade).
    * ``turnover = 2·n_trades / K``: equity traded per period, entry and exit
      each counted once.
    * ``buy_and_hold_return = exp(Σ_k y_k) − 1`` over the same periods, no cost.
    """
    s = np.sign(np.asarray(signals, dtype=np.float64))
    y = np.asarray(realised, dtype=np.float64)
    if s.shape != y.shape:
        raise ValueError(f"signals {s.shape} and realised returns {y.shape} differ in shape")
    grid = np.arange(0, y.shape[0], horizon_bars)
    s, y = s[grid], y[grid]
    traded = s != 0
    period = s * np.expm1(y) - np.abs(s) * cost_bp / 1e4
    equity = np.cumprod(1.0 + period)
    peak = np.maximum.accumulate(np.concatenate([[1.0], equity]))[1:]
    per_year = math.sqrt(bars_per_year / horizon_bars)
    trades = period[traded]
    losses = -trades[trades < 0].sum()
    downside = math.sqrt(float(np.mean(np.minimum(period, 0.0) ** 2))) if period.size else 0.0
    std = float(period.std(ddof=1)) if period.size > 1 else 0.0
    return {
        "backtest_periods": int(period.size),
        "backtest_total_return": float(equity[-1] - 1.0) if period.size else 0.0,
        "backtest_sharpe": float(period.mean() / std * per_year) if std > 0 else None,
        "backtest_sortino": float(period.mean() / downside * per_year) if downside > 0 else None,
        "backtest_max_drawdown": float(np.max(1.0 - equity / peak)) if period.size else 0.0,
        "backtest_n_trades": int(traded.sum()),
        "backtest_hit_rate": float((trades > 0).mean()) if trades.size else None,
        "backtest_profit_factor": float(trades[trades > 0].sum() / losses) if losses > 0 else None,
        "backtest_turnover": float(2 * traded.sum() / period.size) if period.size else 0.0,
        "backtest_buy_and_hold_return": float(np.expm1(y.sum())),
        "backtest_cost_bp": float(cost_bp),
        "backtest_bars_per_year": float(bars_per_year),
    }


# --- the whole report -------------------------------------------------------


def evaluate(
    dataset: Dataset,
    predicted: npt.ArrayLike,
    confidence: npt.ArrayLike,
    *,
    bars_per_year: float,
    signals: npt.ArrayLike | None = None,
    cost_bp: float = DEFAULT_COST_BP,
    rmse_margin: float = DEFAULT_RMSE_MARGIN,
    ridge_window: int = 1,
) -> Metrics:
    """All metrics for the model's test-split forecasts.

    ``predicted``: raw predicted log returns for the test samples (unscale the
    model's output first); ``confidence``: their calibrated confidences;
    ``signals``: the signal rule's per-bar decisions (+1/−1/0) for the backtest —
    by default the predicted direction on every bar.

    * ``beats_naive_baseline`` ⇔ ``rmse < (1 − rmse_margin)·naive_rmse`` **and**
      ``directional_accuracy_ci_low > 0.5``: a forecast must both be closer than
      "no change" by the margin and call the direction better than a coin with
      95 % confidence.
    * ``skill`` is ``"edge"`` when ``beats_naive_baseline`` holds, else
      ``"no_edge"``: a model that converged but shows no skill on the test split
      is served, and every call it makes says so.
    * ``beats_linear_baseline`` ⇔ ``rmse < (1 − rmse_margin)·linear_rmse`` **and**
      ``directional_accuracy ≥ linear_directional_accuracy``; ``beats_gbm_baseline``
      likewise against the LightGBM baseline (`gbm_baseline`).
    * Ratios are model / baseline (below 1 is better); None for a zero baseline.
    """
    split = dataset.splits.test
    realised = dataset.split_log_returns(split)
    pred = np.asarray(predicted, dtype=np.float64)
    conf = np.asarray(confidence, dtype=np.float64)
    if pred.shape != realised.shape or conf.shape != realised.shape:
        raise ValueError(
            f"expected {realised.shape[0]} test predictions and confidences, "
            f"got {pred.shape} and {conf.shape}"
        )
    linear, alpha = ridge_baseline(dataset, ridge_window)
    gbm, n_trees = gbm_baseline(dataset, ridge_window)
    h = dataset.horizon_bars
    metrics: dict[str, Any] = {"n_test": int(realised.shape[0]), "horizon_bars": h}
    metrics.update(
        compare_with_baselines(
            pred, realised, linear=linear, gbm=gbm, horizon_bars=h, rmse_margin=rmse_margin
        )
    )
    metrics["linear_ridge_alpha"] = alpha
    metrics["gbm_n_trees"] = n_trees
    metrics["ece"] = expected_calibration_error(conf, direction_correct(pred, realised))
    metrics["mean_confidence"] = float(conf.mean())
    metrics["confidence_min"] = float(conf.min()) if conf.size else None
    metrics["confidence_median"] = float(np.median(conf)) if conf.size else None
    metrics["confidence_max"] = float(conf.max()) if conf.size else None
    chosen = np.sign(pred) if signals is None else np.asarray(signals, dtype=np.float64)
    metrics.update(
        backtest(chosen, realised, horizon_bars=h, bars_per_year=bars_per_year, cost_bp=cost_bp)
    )
    return json_safe(metrics)


def json_safe(metrics: dict[str, Any]) -> Metrics:
    """NumPy scalars → Python; NaN/inf → None."""
    clean: Metrics = {}
    for key, value in metrics.items():
        if isinstance(value, bool | np.bool_):
            clean[key] = bool(value)
        elif isinstance(value, int | np.integer):
            clean[key] = int(value)
        elif isinstance(value, float | np.floating):
            clean[key] = float(value) if math.isfinite(value) else None
        elif value is None or isinstance(value, str):
            clean[key] = value
        else:
            raise TypeError(f"metric {key} has non-scalar value {value!r}")
    return clean


def _ratio(value: Any, base: Any) -> float | None:
    return float(value / base) if base else None


def _beats(value: Any, base: Any, margin: float) -> bool:
    return bool(value < (1.0 - margin) * base)


def _above(value: Any, threshold: float) -> bool:
    return value is not None and bool(value > threshold)


def _at_least(value: Any, other: Any) -> bool:
    return value is not None and (other is None or bool(value >= other))
