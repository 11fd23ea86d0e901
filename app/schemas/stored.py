"""The shapes of the JSON columns the API returns as stored.

Each is a TypedDict used through `app.schemas.base.Stored`: the document names the
keys and types, while the value is passed on as the row holds it. Keys an older row
(or an unfinished version) may lack are not required. The metric descriptions are
the API's glossary (docs/API.md, docs/MODELS.md).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field
from typing_extensions import TypedDict

from app.core.vocabulary import Skill
from app.schemas.base import shape


class IntervalScore(StrEnum):
    """The score behind a prediction interval."""

    normalised = "normalised"
    absolute = "absolute"


def _(text: str) -> object:
    return Field(description=text)


@shape
class AgentRiskParams(TypedDict, total=False):
    """The agent's risk settings, used when its backtest replays the signal rule
    (an agent from before they were stored has `{}`)."""

    capital_at_risk: Annotated[float, _("Fraction of equity risked per trade.")]
    confidence_level: Annotated[float, _("The confidence a call needs to be acted on.")]


@shape
class Hyperparameters(TypedDict, total=False):
    """The model and optimiser settings the agent trains with (`seed` only when a quant
    fixed it; an agent from before they were stored has `{}`)."""

    lookback: Annotated[int, _("Bars in each input window.")]
    layers: int
    units: int
    dropout: float
    learning_rate: float
    batch_size: int
    patience: Annotated[int, _("Epochs without validation improvement before stopping.")]
    heads: Annotated[int, _("Attention heads (Transformer).")]
    kernel_size: Annotated[int, _("Convolution width (CNN).")]
    seed: Annotated[int, _("Set only when the quant fixed it; otherwise each version draws one.")]


@shape
class Progress(TypedDict, total=False):
    """The last finished epoch while the agent trains; `{}` before the first."""

    epoch: int
    epochs: int
    loss: float | None
    val_loss: float | None
    resumed_from_epoch: Annotated[int, _("Set when the run resumed from a checkpoint.")]
    fold: Annotated[int, _("Walk-forward fold being trained (EVALUATING), 1-based.")]
    folds: Annotated[int, _("Walk-forward folds in all.")]
    candidate: Annotated[
        str, _("`auto` only: the architecture training now (LSTM, CNN, Transformer).")
    ]
    candidates: Annotated[int, _("`auto` only: architectures trained in all (3).")]


@shape
class LossPoint(TypedDict):
    """One epoch of the training curve (losses on scaled targets; null if not finite)."""

    epoch: int
    loss: float | None
    val_loss: float | None


Num = float | None


@shape
class LeaderboardEntry(TypedDict, total=False):
    """One architecture `auto` trained on the version's split, with the same settings
    and seed as the others; the lowest best_val_loss is served (ties: LSTM, CNN,
    Transformer). The test-split figures are for comparison only: never used to choose."""

    architecture: Annotated[str, _("LSTM, CNN or Transformer.")]
    chosen: Annotated[bool, _("True for the one architecture the version serves.")]
    best_val_loss: Annotated[Num, _("Lowest validation loss (scaled targets): the criterion.")]
    untrained_val_loss: Annotated[Num, _("The untrained model's validation loss.")]
    best_epoch: int
    epochs_run: int
    fit_seconds: float
    test_rmse_ratio_naive: Annotated[
        Num, _("rmse / naive_rmse on the test split; not used for choosing.")
    ]
    test_directional_accuracy: Annotated[
        Num, _("Directional accuracy on the test split; not used for choosing.")
    ]
    diverged: Annotated[str, _("Why its training failed; it was skipped.")]


@shape
class AgentMetrics(TypedDict, total=False):
    """A version's evaluation on the test split only (`{}` until it is READY)."""

    n_test: Annotated[int, _("Test samples.")]
    horizon_bars: Annotated[int, _("The horizon in bars.")]
    rmse: Annotated[
        Num,
        _(
            "Root-mean-square error of the predicted log return over the horizon, "
            "log(close[t+h]/close[t]); lower is better."
        ),
    ]
    mae: Annotated[Num, _("Mean absolute error of the predicted log return.")]
    naive_rmse: Annotated[Num, _('RMSE of the naive "no change" forecast (a return of 0).')]
    naive_mae: Annotated[Num, _('MAE of the naive "no change" forecast.')]
    linear_rmse: Annotated[Num, _("RMSE of the ridge-regression baseline.")]
    linear_mae: Annotated[Num, _("MAE of the ridge-regression baseline.")]
    rmse_ratio_naive: Annotated[
        Num, _('rmse / naive_rmse: below 1 is closer than "no change"; null for a zero base.')
    ]
    rmse_ratio_linear: Annotated[Num, _("rmse / linear_rmse.")]
    mae_ratio_naive: Annotated[Num, _("mae / naive_mae.")]
    mae_ratio_linear: Annotated[Num, _("mae / linear_mae.")]
    directional_accuracy: Annotated[
        Num,
        _(
            "Share of test calls whose direction was right (predicted × realised > 0; "
            "no move counts as wrong)."
        ),
    ]
    directional_accuracy_ci_low: Annotated[
        Num, _("Low end of its 95 % Wilson interval, on directional_n_effective calls.")
    ]
    directional_accuracy_ci_high: Annotated[Num, _("High end of that interval.")]
    directional_n: Annotated[int, _("Test calls counted.")]
    directional_n_effective: Annotated[
        float, _("n / horizon in bars: overlapping returns are not independent.")
    ]
    always_up_rate: Annotated[
        Num,
        _(
            'The accuracy of always saying "up": compare directional_accuracy with it, '
            "not with 0.5 alone."
        ),
    ]
    linear_directional_accuracy: Annotated[Num, _("The ridge baseline's accuracy.")]
    linear_ridge_alpha: Annotated[float, _("The ridge baseline's alpha, chosen on validation.")]
    ic: Annotated[
        Num,
        _(
            "Information coefficient: Pearson correlation of predicted and realised "
            "returns; 0 is no information."
        ),
    ]
    rank_ic: Annotated[Num, _("Spearman (rank) information coefficient.")]
    linear_ic: Annotated[Num, _("The ridge baseline's IC.")]
    ece: Annotated[
        Num,
        _(
            "Expected calibration error: how far stated confidences are from the hit "
            "rates they achieved (0 is perfect)."
        ),
    ]
    mean_confidence: Annotated[
        Num,
        _(
            "Mean calibrated confidence that the direction is right; 0.50 is a coin flip "
            "(the model knows nothing about the direction)."
        ),
    ]
    confidence_min: Annotated[Num, _("Lowest test-split confidence.")]
    confidence_median: Annotated[Num, _("Median test-split confidence.")]
    confidence_max: Annotated[
        Num,
        _("Highest test-split confidence: well below your threshold means the agent Holds."),
    ]
    rmse_margin: Annotated[float, _("The margin beats_naive_baseline asks for (0.01).")]
    beats_naive_baseline: Annotated[
        bool,
        _(
            "Exactly: rmse < (1 − rmse_margin) × naive_rmse and directional_accuracy_ci_low "
            '> 0.5 (closer than "no change" by the margin and better than a coin at 95 %), '
            "on the walk-forward folds' pooled out-of-sample calls when there are folds "
            "(walk_forward_n_folds), else on the test split."
        ),
    ]
    skill: Annotated[
        Skill,
        _('"edge" when beats_naive_baseline is true, else "no_edge" (still READY and served).'),
    ]
    beats_linear_baseline: Annotated[
        bool,
        _(
            "rmse < (1 − rmse_margin) × linear_rmse and directional_accuracy ≥ "
            "linear_directional_accuracy (pooled over the folds when there are folds)."
        ),
    ]
    gbm_rmse: Annotated[Num, _("RMSE of the gradient-boosted-trees (LightGBM) baseline.")]
    gbm_mae: Annotated[Num, _("MAE of the LightGBM baseline.")]
    rmse_ratio_gbm: Annotated[Num, _("rmse / gbm_rmse.")]
    mae_ratio_gbm: Annotated[Num, _("mae / gbm_mae.")]
    gbm_directional_accuracy: Annotated[Num, _("The LightGBM baseline's accuracy.")]
    gbm_ic: Annotated[Num, _("The LightGBM baseline's IC.")]
    gbm_n_trees: Annotated[int, _("Trees the LightGBM baseline kept (chosen on validation).")]
    beats_gbm_baseline: Annotated[
        bool,
        _(
            "rmse < (1 − rmse_margin) × gbm_rmse and directional_accuracy ≥ "
            "gbm_directional_accuracy (pooled over the folds when there are folds)."
        ),
    ]
    test_skill: Annotated[Skill, _("The skill verdict of the single test split alone.")]
    test_beats_naive_baseline: Annotated[bool, _("beats_naive_baseline on the test split.")]
    test_beats_linear_baseline: Annotated[bool, _("beats_linear_baseline on the test split.")]
    test_beats_gbm_baseline: Annotated[bool, _("beats_gbm_baseline on the test split.")]
    walk_forward_n_folds: Annotated[int, _("Rolling-origin folds the verdict pools.")]
    walk_forward_folds_beating_naive: Annotated[
        int, _("Folds that beat the naive forecast on their own test block.")
    ]
    walk_forward_n_test: Annotated[int, _("Out-of-sample calls over all folds.")]
    walk_forward_rmse_ratio_naive: Annotated[Num, _("Pooled rmse / naive_rmse.")]
    walk_forward_rmse_ratio_linear: Annotated[Num, _("Pooled rmse / linear_rmse.")]
    walk_forward_rmse_ratio_gbm: Annotated[Num, _("Pooled rmse / gbm_rmse.")]
    walk_forward_directional_accuracy: Annotated[Num, _("Pooled directional accuracy.")]
    walk_forward_directional_accuracy_ci_low: Annotated[
        Num, _("Low end of its 95 % Wilson interval (effective size n / horizon_bars).")
    ]
    walk_forward_directional_accuracy_ci_high: Annotated[Num, _("High end of that interval.")]
    walk_forward_ic: Annotated[Num, _("Pooled information coefficient.")]
    backtest_periods: Annotated[int, _("Horizon-long periods in the backtest.")]
    backtest_total_return: Annotated[Num, _("Compounded return of the replayed signals.")]
    backtest_sharpe: Annotated[Num, _("Annualised Sharpe ratio; null when undefined.")]
    backtest_sortino: Annotated[Num, _("Annualised Sortino ratio; null without a loss.")]
    backtest_max_drawdown: Annotated[Num, _("Largest fall from a peak, a positive fraction.")]
    backtest_n_trades: Annotated[int, _("Periods with a position.")]
    backtest_hit_rate: Annotated[Num, _("Share of trades that gained after costs.")]
    backtest_profit_factor: Annotated[Num, _("Gains / losses over trades; null without a loss.")]
    backtest_turnover: Annotated[Num, _("Equity traded per period.")]
    backtest_buy_and_hold_return: Annotated[Num, _("Buy and hold over the same periods.")]
    backtest_cost_bp: Annotated[float, _("Round-trip cost charged per trade, basis points.")]
    backtest_bars_per_year: Annotated[float, _("Annualisation basis.")]
    interval_coverage: Annotated[
        Num, _("Nominal coverage of the prediction interval (0.8); null without one.")
    ]
    interval_coverage_test: Annotated[Num, _("Share of test outcomes inside the served interval.")]
    interval_width_test: Annotated[Num, _("Median interval width, in log-return units.")]
    interval_score: Annotated[IntervalScore | None, _("The score behind the interval.")]
    interval_coverage_test_absolute: Annotated[Num, _("Test coverage of the fixed-width one.")]
    epochs_run: int
    best_epoch: int
    train_samples: int
    validation_samples: int
    samples_per_second: float
    training_backend: Annotated[
        str,
        _(
            "The Keras backend that trained the version (jax or tensorflow), which "
            "samples_per_second was measured on; every version is served under TensorFlow."
        ),
    ]
    data_warnings: Annotated[list[str], _("What to know about the version's data.")]


@shape
class FoldMetrics(TypedDict, total=False):
    """One walk-forward fold (or the pooled calls of all folds): its sample ranges
    and how the model and its baselines did on its test block."""

    fold: Annotated[int, _("0 for the earliest fold (absent on the pooled calls).")]
    train_start: int
    train_stop: int
    validation_start: int
    validation_stop: int
    test_start: Annotated[int, _("First test sample (samples are bars after the look-back).")]
    test_stop: int
    n_test: int
    rmse: Num
    mae: Num
    naive_rmse: Num
    naive_mae: Num
    linear_rmse: Num
    linear_mae: Num
    gbm_rmse: Num
    gbm_mae: Num
    rmse_ratio_naive: Num
    rmse_ratio_linear: Num
    rmse_ratio_gbm: Num
    mae_ratio_naive: Num
    mae_ratio_linear: Num
    mae_ratio_gbm: Num
    directional_accuracy: Num
    directional_accuracy_ci_low: Num
    directional_accuracy_ci_high: Num
    directional_n: int
    directional_n_effective: float
    always_up_rate: Num
    linear_directional_accuracy: Num
    gbm_directional_accuracy: Num
    ic: Num
    rank_ic: Num
    linear_ic: Num
    gbm_ic: Num
    rmse_margin: float
    beats_naive_baseline: bool
    skill: Skill
    beats_linear_baseline: bool
    beats_gbm_baseline: bool
    linear_ridge_alpha: float
    gbm_n_trees: int


@shape
class WalkForward(TypedDict, total=False):
    """Rolling-origin evaluation: each fold trains afresh on the history before its
    test block (expanding window, a purge of one horizon between them) with the
    version's hyperparameters; the verdict pools every fold's out-of-sample calls."""

    n_folds: int
    horizon_bars: int
    skill: Skill
    beats_naive_baseline: bool
    beats_linear_baseline: bool
    beats_gbm_baseline: bool
    folds_beating_naive: int
    pooled: FoldMetrics
    folds: list[FoldMetrics]


@shape
class HeldOutScore(TypedDict, total=False):
    """How one version forecast the challenger's test period."""

    version_id: str
    version: int
    n_test: int
    rmse: Num
    rmse_ratio_naive: Num
    directional_accuracy: Num
    directional_accuracy_ci_low: Num
    directional_accuracy_ci_high: Num
    error: Annotated[str, _("Why the version could not be scored, when it could not.")]


@shape
class Decision(TypedDict, total=False):
    """The champion/challenger gate's verdict on a retrained version, with both
    evaluations on the same most recent held-out period (the challenger's test split)."""

    promote: Annotated[bool, _("True: the challenger serves; false: it stays a candidate.")]
    reason: Annotated[str, _("Why, in plain words, with the numbers.")]
    rule: Annotated[str, _("The rule applied (docs/MODELS.md, Champion and challenger).")]
    challenger: HeldOutScore
    champion: HeldOutScore
    promoted_by_user: Annotated[str, _("Set when a user promoted the version or rolled back.")]


@shape
class StaleReason(TypedDict, total=False):
    """One reason an agent is flagged for retraining (docs/MODELS.md, Staleness)."""

    reason: Annotated[str, _("data_age, drift or live_record.")]
    detail: Annotated[str, _("The reason in plain English, with its numbers.")]
