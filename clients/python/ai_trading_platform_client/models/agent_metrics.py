from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.interval_score import IntervalScore
from ..models.skill import Skill
from ..types import UNSET, Unset

T = TypeVar("T", bound="AgentMetrics")


@_attrs_define
class AgentMetrics:
    """A version's evaluation on the test split only (`{}` until it is READY).

    Attributes:
        n_test (int | Unset): Test samples.
        horizon_bars (int | Unset): The horizon in bars.
        rmse (float | None | Unset): Root-mean-square error of the predicted log return over the horizon,
            log(close[t+h]/close[t]); lower is better.
        mae (float | None | Unset): Mean absolute error of the predicted log return.
        naive_rmse (float | None | Unset): RMSE of the naive "no change" forecast (a return of 0).
        naive_mae (float | None | Unset): MAE of the naive "no change" forecast.
        linear_rmse (float | None | Unset): RMSE of the ridge-regression baseline.
        linear_mae (float | None | Unset): MAE of the ridge-regression baseline.
        rmse_ratio_naive (float | None | Unset): rmse / naive_rmse: below 1 is closer than "no change"; null for a zero
            base.
        rmse_ratio_linear (float | None | Unset): rmse / linear_rmse.
        mae_ratio_naive (float | None | Unset): mae / naive_mae.
        mae_ratio_linear (float | None | Unset): mae / linear_mae.
        directional_accuracy (float | None | Unset): Share of test calls whose direction was right (predicted × realised
            > 0; no move counts as wrong).
        directional_accuracy_ci_low (float | None | Unset): Low end of its 95 % Wilson interval, on
            directional_n_effective calls.
        directional_accuracy_ci_high (float | None | Unset): High end of that interval.
        directional_n (int | Unset): Test calls counted.
        directional_n_effective (float | Unset): n / horizon in bars: overlapping returns are not independent.
        always_up_rate (float | None | Unset): The accuracy of always saying "up": compare directional_accuracy with it,
            not with 0.5 alone.
        linear_directional_accuracy (float | None | Unset): The ridge baseline's accuracy.
        linear_ridge_alpha (float | Unset): The ridge baseline's alpha, chosen on validation.
        ic (float | None | Unset): Information coefficient: Pearson correlation of predicted and realised returns; 0 is
            no information.
        rank_ic (float | None | Unset): Spearman (rank) information coefficient.
        linear_ic (float | None | Unset): The ridge baseline's IC.
        ece (float | None | Unset): Expected calibration error: how far stated confidences are from the hit rates they
            achieved (0 is perfect).
        mean_confidence (float | None | Unset): Mean calibrated confidence that the direction is right; 0.50 is a coin
            flip (the model knows nothing about the direction).
        confidence_min (float | None | Unset): Lowest test-split confidence.
        confidence_median (float | None | Unset): Median test-split confidence.
        confidence_max (float | None | Unset): Highest test-split confidence: well below your threshold means the agent
            Holds.
        rmse_margin (float | Unset): The margin beats_naive_baseline asks for (0.01).
        beats_naive_baseline (bool | Unset): Exactly: rmse < (1 − rmse_margin) × naive_rmse and
            directional_accuracy_ci_low > 0.5 (closer than "no change" by the margin and better than a coin at 95 %), on the
            walk-forward folds' pooled out-of-sample calls when there are folds (walk_forward_n_folds), else on the test
            split.
        skill (Skill | Unset): `edge` when the model beat the naive no-change forecast on held-out data.
        beats_linear_baseline (bool | Unset): rmse < (1 − rmse_margin) × linear_rmse and directional_accuracy ≥
            linear_directional_accuracy (pooled over the folds when there are folds).
        gbm_rmse (float | None | Unset): RMSE of the gradient-boosted-trees (LightGBM) baseline.
        gbm_mae (float | None | Unset): MAE of the LightGBM baseline.
        rmse_ratio_gbm (float | None | Unset): rmse / gbm_rmse.
        mae_ratio_gbm (float | None | Unset): mae / gbm_mae.
        gbm_directional_accuracy (float | None | Unset): The LightGBM baseline's accuracy.
        gbm_ic (float | None | Unset): The LightGBM baseline's IC.
        gbm_n_trees (int | Unset): Trees the LightGBM baseline kept (chosen on validation).
        beats_gbm_baseline (bool | Unset): rmse < (1 − rmse_margin) × gbm_rmse and directional_accuracy ≥
            gbm_directional_accuracy (pooled over the folds when there are folds).
        test_skill (Skill | Unset): `edge` when the model beat the naive no-change forecast on held-out data.
        test_beats_naive_baseline (bool | Unset): beats_naive_baseline on the test split.
        test_beats_linear_baseline (bool | Unset): beats_linear_baseline on the test split.
        test_beats_gbm_baseline (bool | Unset): beats_gbm_baseline on the test split.
        walk_forward_n_folds (int | Unset): Rolling-origin folds the verdict pools.
        walk_forward_folds_beating_naive (int | Unset): Folds that beat the naive forecast on their own test block.
        walk_forward_n_test (int | Unset): Out-of-sample calls over all folds.
        walk_forward_rmse_ratio_naive (float | None | Unset): Pooled rmse / naive_rmse.
        walk_forward_rmse_ratio_linear (float | None | Unset): Pooled rmse / linear_rmse.
        walk_forward_rmse_ratio_gbm (float | None | Unset): Pooled rmse / gbm_rmse.
        walk_forward_directional_accuracy (float | None | Unset): Pooled directional accuracy.
        walk_forward_directional_accuracy_ci_low (float | None | Unset): Low end of its 95 % Wilson interval (effective
            size n / horizon_bars).
        walk_forward_directional_accuracy_ci_high (float | None | Unset): High end of that interval.
        walk_forward_ic (float | None | Unset): Pooled information coefficient.
        backtest_periods (int | Unset): Horizon-long periods in the backtest.
        backtest_total_return (float | None | Unset): Compounded return of the replayed signals.
        backtest_sharpe (float | None | Unset): Annualised Sharpe ratio; null when undefined.
        backtest_sortino (float | None | Unset): Annualised Sortino ratio; null without a loss.
        backtest_max_drawdown (float | None | Unset): Largest fall from a peak, a positive fraction.
        backtest_n_trades (int | Unset): Periods with a position.
        backtest_hit_rate (float | None | Unset): Share of trades that gained after costs.
        backtest_profit_factor (float | None | Unset): Gains / losses over trades; null without a loss.
        backtest_turnover (float | None | Unset): Equity traded per period.
        backtest_buy_and_hold_return (float | None | Unset): Buy and hold over the same periods.
        backtest_cost_bp (float | Unset): Round-trip cost charged per trade, basis points.
        backtest_bars_per_year (float | Unset): Annualisation basis.
        interval_coverage (float | None | Unset): Nominal coverage of the prediction interval (0.8); null without one.
        interval_coverage_test (float | None | Unset): Share of test outcomes inside the served interval.
        interval_width_test (float | None | Unset): Median interval width, in log-return units.
        interval_score (IntervalScore | None | Unset): The score behind the interval.
        interval_coverage_test_absolute (float | None | Unset): Test coverage of the fixed-width one.
        epochs_run (int | Unset):
        best_epoch (int | Unset):
        train_samples (int | Unset):
        validation_samples (int | Unset):
        samples_per_second (float | Unset):
        training_backend (str | Unset): The Keras backend that trained the version (jax or tensorflow), which
            samples_per_second was measured on; every version is served under TensorFlow.
        data_warnings (list[str] | Unset): What to know about the version's data.
    """

    n_test: int | Unset = UNSET
    horizon_bars: int | Unset = UNSET
    rmse: float | None | Unset = UNSET
    mae: float | None | Unset = UNSET
    naive_rmse: float | None | Unset = UNSET
    naive_mae: float | None | Unset = UNSET
    linear_rmse: float | None | Unset = UNSET
    linear_mae: float | None | Unset = UNSET
    rmse_ratio_naive: float | None | Unset = UNSET
    rmse_ratio_linear: float | None | Unset = UNSET
    mae_ratio_naive: float | None | Unset = UNSET
    mae_ratio_linear: float | None | Unset = UNSET
    directional_accuracy: float | None | Unset = UNSET
    directional_accuracy_ci_low: float | None | Unset = UNSET
    directional_accuracy_ci_high: float | None | Unset = UNSET
    directional_n: int | Unset = UNSET
    directional_n_effective: float | Unset = UNSET
    always_up_rate: float | None | Unset = UNSET
    linear_directional_accuracy: float | None | Unset = UNSET
    linear_ridge_alpha: float | Unset = UNSET
    ic: float | None | Unset = UNSET
    rank_ic: float | None | Unset = UNSET
    linear_ic: float | None | Unset = UNSET
    ece: float | None | Unset = UNSET
    mean_confidence: float | None | Unset = UNSET
    confidence_min: float | None | Unset = UNSET
    confidence_median: float | None | Unset = UNSET
    confidence_max: float | None | Unset = UNSET
    rmse_margin: float | Unset = UNSET
    beats_naive_baseline: bool | Unset = UNSET
    skill: Skill | Unset = UNSET
    beats_linear_baseline: bool | Unset = UNSET
    gbm_rmse: float | None | Unset = UNSET
    gbm_mae: float | None | Unset = UNSET
    rmse_ratio_gbm: float | None | Unset = UNSET
    mae_ratio_gbm: float | None | Unset = UNSET
    gbm_directional_accuracy: float | None | Unset = UNSET
    gbm_ic: float | None | Unset = UNSET
    gbm_n_trees: int | Unset = UNSET
    beats_gbm_baseline: bool | Unset = UNSET
    test_skill: Skill | Unset = UNSET
    test_beats_naive_baseline: bool | Unset = UNSET
    test_beats_linear_baseline: bool | Unset = UNSET
    test_beats_gbm_baseline: bool | Unset = UNSET
    walk_forward_n_folds: int | Unset = UNSET
    walk_forward_folds_beating_naive: int | Unset = UNSET
    walk_forward_n_test: int | Unset = UNSET
    walk_forward_rmse_ratio_naive: float | None | Unset = UNSET
    walk_forward_rmse_ratio_linear: float | None | Unset = UNSET
    walk_forward_rmse_ratio_gbm: float | None | Unset = UNSET
    walk_forward_directional_accuracy: float | None | Unset = UNSET
    walk_forward_directional_accuracy_ci_low: float | None | Unset = UNSET
    walk_forward_directional_accuracy_ci_high: float | None | Unset = UNSET
    walk_forward_ic: float | None | Unset = UNSET
    backtest_periods: int | Unset = UNSET
    backtest_total_return: float | None | Unset = UNSET
    backtest_sharpe: float | None | Unset = UNSET
    backtest_sortino: float | None | Unset = UNSET
    backtest_max_drawdown: float | None | Unset = UNSET
    backtest_n_trades: int | Unset = UNSET
    backtest_hit_rate: float | None | Unset = UNSET
    backtest_profit_factor: float | None | Unset = UNSET
    backtest_turnover: float | None | Unset = UNSET
    backtest_buy_and_hold_return: float | None | Unset = UNSET
    backtest_cost_bp: float | Unset = UNSET
    backtest_bars_per_year: float | Unset = UNSET
    interval_coverage: float | None | Unset = UNSET
    interval_coverage_test: float | None | Unset = UNSET
    interval_width_test: float | None | Unset = UNSET
    interval_score: IntervalScore | None | Unset = UNSET
    interval_coverage_test_absolute: float | None | Unset = UNSET
    epochs_run: int | Unset = UNSET
    best_epoch: int | Unset = UNSET
    train_samples: int | Unset = UNSET
    validation_samples: int | Unset = UNSET
    samples_per_second: float | Unset = UNSET
    training_backend: str | Unset = UNSET
    data_warnings: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        n_test = self.n_test

        horizon_bars = self.horizon_bars

        rmse: float | None | Unset
        if isinstance(self.rmse, Unset):
            rmse = UNSET
        else:
            rmse = self.rmse

        mae: float | None | Unset
        if isinstance(self.mae, Unset):
            mae = UNSET
        else:
            mae = self.mae

        naive_rmse: float | None | Unset
        if isinstance(self.naive_rmse, Unset):
            naive_rmse = UNSET
        else:
            naive_rmse = self.naive_rmse

        naive_mae: float | None | Unset
        if isinstance(self.naive_mae, Unset):
            naive_mae = UNSET
        else:
            naive_mae = self.naive_mae

        linear_rmse: float | None | Unset
        if isinstance(self.linear_rmse, Unset):
            linear_rmse = UNSET
        else:
            linear_rmse = self.linear_rmse

        linear_mae: float | None | Unset
        if isinstance(self.linear_mae, Unset):
            linear_mae = UNSET
        else:
            linear_mae = self.linear_mae

        rmse_ratio_naive: float | None | Unset
        if isinstance(self.rmse_ratio_naive, Unset):
            rmse_ratio_naive = UNSET
        else:
            rmse_ratio_naive = self.rmse_ratio_naive

        rmse_ratio_linear: float | None | Unset
        if isinstance(self.rmse_ratio_linear, Unset):
            rmse_ratio_linear = UNSET
        else:
            rmse_ratio_linear = self.rmse_ratio_linear

        mae_ratio_naive: float | None | Unset
        if isinstance(self.mae_ratio_naive, Unset):
            mae_ratio_naive = UNSET
        else:
            mae_ratio_naive = self.mae_ratio_naive

        mae_ratio_linear: float | None | Unset
        if isinstance(self.mae_ratio_linear, Unset):
            mae_ratio_linear = UNSET
        else:
            mae_ratio_linear = self.mae_ratio_linear

        directional_accuracy: float | None | Unset
        if isinstance(self.directional_accuracy, Unset):
            directional_accuracy = UNSET
        else:
            directional_accuracy = self.directional_accuracy

        directional_accuracy_ci_low: float | None | Unset
        if isinstance(self.directional_accuracy_ci_low, Unset):
            directional_accuracy_ci_low = UNSET
        else:
            directional_accuracy_ci_low = self.directional_accuracy_ci_low

        directional_accuracy_ci_high: float | None | Unset
        if isinstance(self.directional_accuracy_ci_high, Unset):
            directional_accuracy_ci_high = UNSET
        else:
            directional_accuracy_ci_high = self.directional_accuracy_ci_high

        directional_n = self.directional_n

        directional_n_effective = self.directional_n_effective

        always_up_rate: float | None | Unset
        if isinstance(self.always_up_rate, Unset):
            always_up_rate = UNSET
        else:
            always_up_rate = self.always_up_rate

        linear_directional_accuracy: float | None | Unset
        if isinstance(self.linear_directional_accuracy, Unset):
            linear_directional_accuracy = UNSET
        else:
            linear_directional_accuracy = self.linear_directional_accuracy

        linear_ridge_alpha = self.linear_ridge_alpha

        ic: float | None | Unset
        if isinstance(self.ic, Unset):
            ic = UNSET
        else:
            ic = self.ic

        rank_ic: float | None | Unset
        if isinstance(self.rank_ic, Unset):
            rank_ic = UNSET
        else:
            rank_ic = self.rank_ic

        linear_ic: float | None | Unset
        if isinstance(self.linear_ic, Unset):
            linear_ic = UNSET
        else:
            linear_ic = self.linear_ic

        ece: float | None | Unset
        if isinstance(self.ece, Unset):
            ece = UNSET
        else:
            ece = self.ece

        mean_confidence: float | None | Unset
        if isinstance(self.mean_confidence, Unset):
            mean_confidence = UNSET
        else:
            mean_confidence = self.mean_confidence

        confidence_min: float | None | Unset
        if isinstance(self.confidence_min, Unset):
            confidence_min = UNSET
        else:
            confidence_min = self.confidence_min

        confidence_median: float | None | Unset
        if isinstance(self.confidence_median, Unset):
            confidence_median = UNSET
        else:
            confidence_median = self.confidence_median

        confidence_max: float | None | Unset
        if isinstance(self.confidence_max, Unset):
            confidence_max = UNSET
        else:
            confidence_max = self.confidence_max

        rmse_margin = self.rmse_margin

        beats_naive_baseline = self.beats_naive_baseline

        skill: str | Unset = UNSET
        if not isinstance(self.skill, Unset):
            skill = self.skill.value

        beats_linear_baseline = self.beats_linear_baseline

        gbm_rmse: float | None | Unset
        if isinstance(self.gbm_rmse, Unset):
            gbm_rmse = UNSET
        else:
            gbm_rmse = self.gbm_rmse

        gbm_mae: float | None | Unset
        if isinstance(self.gbm_mae, Unset):
            gbm_mae = UNSET
        else:
            gbm_mae = self.gbm_mae

        rmse_ratio_gbm: float | None | Unset
        if isinstance(self.rmse_ratio_gbm, Unset):
            rmse_ratio_gbm = UNSET
        else:
            rmse_ratio_gbm = self.rmse_ratio_gbm

        mae_ratio_gbm: float | None | Unset
        if isinstance(self.mae_ratio_gbm, Unset):
            mae_ratio_gbm = UNSET
        else:
            mae_ratio_gbm = self.mae_ratio_gbm

        gbm_directional_accuracy: float | None | Unset
        if isinstance(self.gbm_directional_accuracy, Unset):
            gbm_directional_accuracy = UNSET
        else:
            gbm_directional_accuracy = self.gbm_directional_accuracy

        gbm_ic: float | None | Unset
        if isinstance(self.gbm_ic, Unset):
            gbm_ic = UNSET
        else:
            gbm_ic = self.gbm_ic

        gbm_n_trees = self.gbm_n_trees

        beats_gbm_baseline = self.beats_gbm_baseline

        test_skill: str | Unset = UNSET
        if not isinstance(self.test_skill, Unset):
            test_skill = self.test_skill.value

        test_beats_naive_baseline = self.test_beats_naive_baseline

        test_beats_linear_baseline = self.test_beats_linear_baseline

        test_beats_gbm_baseline = self.test_beats_gbm_baseline

        walk_forward_n_folds = self.walk_forward_n_folds

        walk_forward_folds_beating_naive = self.walk_forward_folds_beating_naive

        walk_forward_n_test = self.walk_forward_n_test

        walk_forward_rmse_ratio_naive: float | None | Unset
        if isinstance(self.walk_forward_rmse_ratio_naive, Unset):
            walk_forward_rmse_ratio_naive = UNSET
        else:
            walk_forward_rmse_ratio_naive = self.walk_forward_rmse_ratio_naive

        walk_forward_rmse_ratio_linear: float | None | Unset
        if isinstance(self.walk_forward_rmse_ratio_linear, Unset):
            walk_forward_rmse_ratio_linear = UNSET
        else:
            walk_forward_rmse_ratio_linear = self.walk_forward_rmse_ratio_linear

        walk_forward_rmse_ratio_gbm: float | None | Unset
        if isinstance(self.walk_forward_rmse_ratio_gbm, Unset):
            walk_forward_rmse_ratio_gbm = UNSET
        else:
            walk_forward_rmse_ratio_gbm = self.walk_forward_rmse_ratio_gbm

        walk_forward_directional_accuracy: float | None | Unset
        if isinstance(self.walk_forward_directional_accuracy, Unset):
            walk_forward_directional_accuracy = UNSET
        else:
            walk_forward_directional_accuracy = self.walk_forward_directional_accuracy

        walk_forward_directional_accuracy_ci_low: float | None | Unset
        if isinstance(self.walk_forward_directional_accuracy_ci_low, Unset):
            walk_forward_directional_accuracy_ci_low = UNSET
        else:
            walk_forward_directional_accuracy_ci_low = self.walk_forward_directional_accuracy_ci_low

        walk_forward_directional_accuracy_ci_high: float | None | Unset
        if isinstance(self.walk_forward_directional_accuracy_ci_high, Unset):
            walk_forward_directional_accuracy_ci_high = UNSET
        else:
            walk_forward_directional_accuracy_ci_high = (
                self.walk_forward_directional_accuracy_ci_high
            )

        walk_forward_ic: float | None | Unset
        if isinstance(self.walk_forward_ic, Unset):
            walk_forward_ic = UNSET
        else:
            walk_forward_ic = self.walk_forward_ic

        backtest_periods = self.backtest_periods

        backtest_total_return: float | None | Unset
        if isinstance(self.backtest_total_return, Unset):
            backtest_total_return = UNSET
        else:
            backtest_total_return = self.backtest_total_return

        backtest_sharpe: float | None | Unset
        if isinstance(self.backtest_sharpe, Unset):
            backtest_sharpe = UNSET
        else:
            backtest_sharpe = self.backtest_sharpe

        backtest_sortino: float | None | Unset
        if isinstance(self.backtest_sortino, Unset):
            backtest_sortino = UNSET
        else:
            backtest_sortino = self.backtest_sortino

        backtest_max_drawdown: float | None | Unset
        if isinstance(self.backtest_max_drawdown, Unset):
            backtest_max_drawdown = UNSET
        else:
            backtest_max_drawdown = self.backtest_max_drawdown

        backtest_n_trades = self.backtest_n_trades

        backtest_hit_rate: float | None | Unset
        if isinstance(self.backtest_hit_rate, Unset):
            backtest_hit_rate = UNSET
        else:
            backtest_hit_rate = self.backtest_hit_rate

        backtest_profit_factor: float | None | Unset
        if isinstance(self.backtest_profit_factor, Unset):
            backtest_profit_factor = UNSET
        else:
            backtest_profit_factor = self.backtest_profit_factor

        backtest_turnover: float | None | Unset
        if isinstance(self.backtest_turnover, Unset):
            backtest_turnover = UNSET
        else:
            backtest_turnover = self.backtest_turnover

        backtest_buy_and_hold_return: float | None | Unset
        if isinstance(self.backtest_buy_and_hold_return, Unset):
            backtest_buy_and_hold_return = UNSET
        else:
            backtest_buy_and_hold_return = self.backtest_buy_and_hold_return

        backtest_cost_bp = self.backtest_cost_bp

        backtest_bars_per_year = self.backtest_bars_per_year

        interval_coverage: float | None | Unset
        if isinstance(self.interval_coverage, Unset):
            interval_coverage = UNSET
        else:
            interval_coverage = self.interval_coverage

        interval_coverage_test: float | None | Unset
        if isinstance(self.interval_coverage_test, Unset):
            interval_coverage_test = UNSET
        else:
            interval_coverage_test = self.interval_coverage_test

        interval_width_test: float | None | Unset
        if isinstance(self.interval_width_test, Unset):
            interval_width_test = UNSET
        else:
            interval_width_test = self.interval_width_test

        interval_score: None | str | Unset
        if isinstance(self.interval_score, Unset):
            interval_score = UNSET
        elif isinstance(self.interval_score, IntervalScore):
            interval_score = self.interval_score.value
        else:
            interval_score = self.interval_score

        interval_coverage_test_absolute: float | None | Unset
        if isinstance(self.interval_coverage_test_absolute, Unset):
            interval_coverage_test_absolute = UNSET
        else:
            interval_coverage_test_absolute = self.interval_coverage_test_absolute

        epochs_run = self.epochs_run

        best_epoch = self.best_epoch

        train_samples = self.train_samples

        validation_samples = self.validation_samples

        samples_per_second = self.samples_per_second

        training_backend = self.training_backend

        data_warnings: list[str] | Unset = UNSET
        if not isinstance(self.data_warnings, Unset):
            data_warnings = self.data_warnings

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if n_test is not UNSET:
            field_dict["n_test"] = n_test
        if horizon_bars is not UNSET:
            field_dict["horizon_bars"] = horizon_bars
        if rmse is not UNSET:
            field_dict["rmse"] = rmse
        if mae is not UNSET:
            field_dict["mae"] = mae
        if naive_rmse is not UNSET:
            field_dict["naive_rmse"] = naive_rmse
        if naive_mae is not UNSET:
            field_dict["naive_mae"] = naive_mae
        if linear_rmse is not UNSET:
            field_dict["linear_rmse"] = linear_rmse
        if linear_mae is not UNSET:
            field_dict["linear_mae"] = linear_mae
        if rmse_ratio_naive is not UNSET:
            field_dict["rmse_ratio_naive"] = rmse_ratio_naive
        if rmse_ratio_linear is not UNSET:
            field_dict["rmse_ratio_linear"] = rmse_ratio_linear
        if mae_ratio_naive is not UNSET:
            field_dict["mae_ratio_naive"] = mae_ratio_naive
        if mae_ratio_linear is not UNSET:
            field_dict["mae_ratio_linear"] = mae_ratio_linear
        if directional_accuracy is not UNSET:
            field_dict["directional_accuracy"] = directional_accuracy
        if directional_accuracy_ci_low is not UNSET:
            field_dict["directional_accuracy_ci_low"] = directional_accuracy_ci_low
        if directional_accuracy_ci_high is not UNSET:
            field_dict["directional_accuracy_ci_high"] = directional_accuracy_ci_high
        if directional_n is not UNSET:
            field_dict["directional_n"] = directional_n
        if directional_n_effective is not UNSET:
            field_dict["directional_n_effective"] = directional_n_effective
        if always_up_rate is not UNSET:
            field_dict["always_up_rate"] = always_up_rate
        if linear_directional_accuracy is not UNSET:
            field_dict["linear_directional_accuracy"] = linear_directional_accuracy
        if linear_ridge_alpha is not UNSET:
            field_dict["linear_ridge_alpha"] = linear_ridge_alpha
        if ic is not UNSET:
            field_dict["ic"] = ic
        if rank_ic is not UNSET:
            field_dict["rank_ic"] = rank_ic
        if linear_ic is not UNSET:
            field_dict["linear_ic"] = linear_ic
        if ece is not UNSET:
            field_dict["ece"] = ece
        if mean_confidence is not UNSET:
            field_dict["mean_confidence"] = mean_confidence
        if confidence_min is not UNSET:
            field_dict["confidence_min"] = confidence_min
        if confidence_median is not UNSET:
            field_dict["confidence_median"] = confidence_median
        if confidence_max is not UNSET:
            field_dict["confidence_max"] = confidence_max
        if rmse_margin is not UNSET:
            field_dict["rmse_margin"] = rmse_margin
        if beats_naive_baseline is not UNSET:
            field_dict["beats_naive_baseline"] = beats_naive_baseline
        if skill is not UNSET:
            field_dict["skill"] = skill
        if beats_linear_baseline is not UNSET:
            field_dict["beats_linear_baseline"] = beats_linear_baseline
        if gbm_rmse is not UNSET:
            field_dict["gbm_rmse"] = gbm_rmse
        if gbm_mae is not UNSET:
            field_dict["gbm_mae"] = gbm_mae
        if rmse_ratio_gbm is not UNSET:
            field_dict["rmse_ratio_gbm"] = rmse_ratio_gbm
        if mae_ratio_gbm is not UNSET:
            field_dict["mae_ratio_gbm"] = mae_ratio_gbm
        if gbm_directional_accuracy is not UNSET:
            field_dict["gbm_directional_accuracy"] = gbm_directional_accuracy
        if gbm_ic is not UNSET:
            field_dict["gbm_ic"] = gbm_ic
        if gbm_n_trees is not UNSET:
            field_dict["gbm_n_trees"] = gbm_n_trees
        if beats_gbm_baseline is not UNSET:
            field_dict["beats_gbm_baseline"] = beats_gbm_baseline
        if test_skill is not UNSET:
            field_dict["test_skill"] = test_skill
        if test_beats_naive_baseline is not UNSET:
            field_dict["test_beats_naive_baseline"] = test_beats_naive_baseline
        if test_beats_linear_baseline is not UNSET:
            field_dict["test_beats_linear_baseline"] = test_beats_linear_baseline
        if test_beats_gbm_baseline is not UNSET:
            field_dict["test_beats_gbm_baseline"] = test_beats_gbm_baseline
        if walk_forward_n_folds is not UNSET:
            field_dict["walk_forward_n_folds"] = walk_forward_n_folds
        if walk_forward_folds_beating_naive is not UNSET:
            field_dict["walk_forward_folds_beating_naive"] = walk_forward_folds_beating_naive
        if walk_forward_n_test is not UNSET:
            field_dict["walk_forward_n_test"] = walk_forward_n_test
        if walk_forward_rmse_ratio_naive is not UNSET:
            field_dict["walk_forward_rmse_ratio_naive"] = walk_forward_rmse_ratio_naive
        if walk_forward_rmse_ratio_linear is not UNSET:
            field_dict["walk_forward_rmse_ratio_linear"] = walk_forward_rmse_ratio_linear
        if walk_forward_rmse_ratio_gbm is not UNSET:
            field_dict["walk_forward_rmse_ratio_gbm"] = walk_forward_rmse_ratio_gbm
        if walk_forward_directional_accuracy is not UNSET:
            field_dict["walk_forward_directional_accuracy"] = walk_forward_directional_accuracy
        if walk_forward_directional_accuracy_ci_low is not UNSET:
            field_dict["walk_forward_directional_accuracy_ci_low"] = (
                walk_forward_directional_accuracy_ci_low
            )
        if walk_forward_directional_accuracy_ci_high is not UNSET:
            field_dict["walk_forward_directional_accuracy_ci_high"] = (
                walk_forward_directional_accuracy_ci_high
            )
        if walk_forward_ic is not UNSET:
            field_dict["walk_forward_ic"] = walk_forward_ic
        if backtest_periods is not UNSET:
            field_dict["backtest_periods"] = backtest_periods
        if backtest_total_return is not UNSET:
            field_dict["backtest_total_return"] = backtest_total_return
        if backtest_sharpe is not UNSET:
            field_dict["backtest_sharpe"] = backtest_sharpe
        if backtest_sortino is not UNSET:
            field_dict["backtest_sortino"] = backtest_sortino
        if backtest_max_drawdown is not UNSET:
            field_dict["backtest_max_drawdown"] = backtest_max_drawdown
        if backtest_n_trades is not UNSET:
            field_dict["backtest_n_trades"] = backtest_n_trades
        if backtest_hit_rate is not UNSET:
            field_dict["backtest_hit_rate"] = backtest_hit_rate
        if backtest_profit_factor is not UNSET:
            field_dict["backtest_profit_factor"] = backtest_profit_factor
        if backtest_turnover is not UNSET:
            field_dict["backtest_turnover"] = backtest_turnover
        if backtest_buy_and_hold_return is not UNSET:
            field_dict["backtest_buy_and_hold_return"] = backtest_buy_and_hold_return
        if backtest_cost_bp is not UNSET:
            field_dict["backtest_cost_bp"] = backtest_cost_bp
        if backtest_bars_per_year is not UNSET:
            field_dict["backtest_bars_per_year"] = backtest_bars_per_year
        if interval_coverage is not UNSET:
            field_dict["interval_coverage"] = interval_coverage
        if interval_coverage_test is not UNSET:
            field_dict["interval_coverage_test"] = interval_coverage_test
        if interval_width_test is not UNSET:
            field_dict["interval_width_test"] = interval_width_test
        if interval_score is not UNSET:
            field_dict["interval_score"] = interval_score
        if interval_coverage_test_absolute is not UNSET:
            field_dict["interval_coverage_test_absolute"] = interval_coverage_test_absolute
        if epochs_run is not UNSET:
            field_dict["epochs_run"] = epochs_run
        if best_epoch is not UNSET:
            field_dict["best_epoch"] = best_epoch
        if train_samples is not UNSET:
            field_dict["train_samples"] = train_samples
        if validation_samples is not UNSET:
            field_dict["validation_samples"] = validation_samples
        if samples_per_second is not UNSET:
            field_dict["samples_per_second"] = samples_per_second
        if training_backend is not UNSET:
            field_dict["training_backend"] = training_backend
        if data_warnings is not UNSET:
            field_dict["data_warnings"] = data_warnings

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        n_test = d.pop("n_test", UNSET)

        horizon_bars = d.pop("horizon_bars", UNSET)

        def _parse_rmse(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        rmse = _parse_rmse(d.pop("rmse", UNSET))

        def _parse_mae(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        mae = _parse_mae(d.pop("mae", UNSET))

        def _parse_naive_rmse(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        naive_rmse = _parse_naive_rmse(d.pop("naive_rmse", UNSET))

        def _parse_naive_mae(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        naive_mae = _parse_naive_mae(d.pop("naive_mae", UNSET))

        def _parse_linear_rmse(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        linear_rmse = _parse_linear_rmse(d.pop("linear_rmse", UNSET))

        def _parse_linear_mae(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        linear_mae = _parse_linear_mae(d.pop("linear_mae", UNSET))

        def _parse_rmse_ratio_naive(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        rmse_ratio_naive = _parse_rmse_ratio_naive(d.pop("rmse_ratio_naive", UNSET))

        def _parse_rmse_ratio_linear(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        rmse_ratio_linear = _parse_rmse_ratio_linear(d.pop("rmse_ratio_linear", UNSET))

        def _parse_mae_ratio_naive(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        mae_ratio_naive = _parse_mae_ratio_naive(d.pop("mae_ratio_naive", UNSET))

        def _parse_mae_ratio_linear(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        mae_ratio_linear = _parse_mae_ratio_linear(d.pop("mae_ratio_linear", UNSET))

        def _parse_directional_accuracy(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        directional_accuracy = _parse_directional_accuracy(d.pop("directional_accuracy", UNSET))

        def _parse_directional_accuracy_ci_low(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        directional_accuracy_ci_low = _parse_directional_accuracy_ci_low(
            d.pop("directional_accuracy_ci_low", UNSET)
        )

        def _parse_directional_accuracy_ci_high(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        directional_accuracy_ci_high = _parse_directional_accuracy_ci_high(
            d.pop("directional_accuracy_ci_high", UNSET)
        )

        directional_n = d.pop("directional_n", UNSET)

        directional_n_effective = d.pop("directional_n_effective", UNSET)

        def _parse_always_up_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        always_up_rate = _parse_always_up_rate(d.pop("always_up_rate", UNSET))

        def _parse_linear_directional_accuracy(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        linear_directional_accuracy = _parse_linear_directional_accuracy(
            d.pop("linear_directional_accuracy", UNSET)
        )

        linear_ridge_alpha = d.pop("linear_ridge_alpha", UNSET)

        def _parse_ic(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        ic = _parse_ic(d.pop("ic", UNSET))

        def _parse_rank_ic(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        rank_ic = _parse_rank_ic(d.pop("rank_ic", UNSET))

        def _parse_linear_ic(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        linear_ic = _parse_linear_ic(d.pop("linear_ic", UNSET))

        def _parse_ece(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        ece = _parse_ece(d.pop("ece", UNSET))

        def _parse_mean_confidence(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        mean_confidence = _parse_mean_confidence(d.pop("mean_confidence", UNSET))

        def _parse_confidence_min(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        confidence_min = _parse_confidence_min(d.pop("confidence_min", UNSET))

        def _parse_confidence_median(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        confidence_median = _parse_confidence_median(d.pop("confidence_median", UNSET))

        def _parse_confidence_max(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        confidence_max = _parse_confidence_max(d.pop("confidence_max", UNSET))

        rmse_margin = d.pop("rmse_margin", UNSET)

        beats_naive_baseline = d.pop("beats_naive_baseline", UNSET)

        _skill = d.pop("skill", UNSET)
        skill: Skill | Unset
        if isinstance(_skill, Unset):
            skill = UNSET
        else:
            skill = Skill(_skill)

        beats_linear_baseline = d.pop("beats_linear_baseline", UNSET)

        def _parse_gbm_rmse(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        gbm_rmse = _parse_gbm_rmse(d.pop("gbm_rmse", UNSET))

        def _parse_gbm_mae(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        gbm_mae = _parse_gbm_mae(d.pop("gbm_mae", UNSET))

        def _parse_rmse_ratio_gbm(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        rmse_ratio_gbm = _parse_rmse_ratio_gbm(d.pop("rmse_ratio_gbm", UNSET))

        def _parse_mae_ratio_gbm(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        mae_ratio_gbm = _parse_mae_ratio_gbm(d.pop("mae_ratio_gbm", UNSET))

        def _parse_gbm_directional_accuracy(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        gbm_directional_accuracy = _parse_gbm_directional_accuracy(
            d.pop("gbm_directional_accuracy", UNSET)
        )

        def _parse_gbm_ic(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        gbm_ic = _parse_gbm_ic(d.pop("gbm_ic", UNSET))

        gbm_n_trees = d.pop("gbm_n_trees", UNSET)

        beats_gbm_baseline = d.pop("beats_gbm_baseline", UNSET)

        _test_skill = d.pop("test_skill", UNSET)
        test_skill: Skill | Unset
        if isinstance(_test_skill, Unset):
            test_skill = UNSET
        else:
            test_skill = Skill(_test_skill)

        test_beats_naive_baseline = d.pop("test_beats_naive_baseline", UNSET)

        test_beats_linear_baseline = d.pop("test_beats_linear_baseline", UNSET)

        test_beats_gbm_baseline = d.pop("test_beats_gbm_baseline", UNSET)

        walk_forward_n_folds = d.pop("walk_forward_n_folds", UNSET)

        walk_forward_folds_beating_naive = d.pop("walk_forward_folds_beating_naive", UNSET)

        walk_forward_n_test = d.pop("walk_forward_n_test", UNSET)

        def _parse_walk_forward_rmse_ratio_naive(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        walk_forward_rmse_ratio_naive = _parse_walk_forward_rmse_ratio_naive(
            d.pop("walk_forward_rmse_ratio_naive", UNSET)
        )

        def _parse_walk_forward_rmse_ratio_linear(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        walk_forward_rmse_ratio_linear = _parse_walk_forward_rmse_ratio_linear(
            d.pop("walk_forward_rmse_ratio_linear", UNSET)
        )

        def _parse_walk_forward_rmse_ratio_gbm(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        walk_forward_rmse_ratio_gbm = _parse_walk_forward_rmse_ratio_gbm(
            d.pop("walk_forward_rmse_ratio_gbm", UNSET)
        )

        def _parse_walk_forward_directional_accuracy(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        walk_forward_directional_accuracy = _parse_walk_forward_directional_accuracy(
            d.pop("walk_forward_directional_accuracy", UNSET)
        )

        def _parse_walk_forward_directional_accuracy_ci_low(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        walk_forward_directional_accuracy_ci_low = _parse_walk_forward_directional_accuracy_ci_low(
            d.pop("walk_forward_directional_accuracy_ci_low", UNSET)
        )

        def _parse_walk_forward_directional_accuracy_ci_high(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        walk_forward_directional_accuracy_ci_high = (
            _parse_walk_forward_directional_accuracy_ci_high(
                d.pop("walk_forward_directional_accuracy_ci_high", UNSET)
            )
        )

        def _parse_walk_forward_ic(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        walk_forward_ic = _parse_walk_forward_ic(d.pop("walk_forward_ic", UNSET))

        backtest_periods = d.pop("backtest_periods", UNSET)

        def _parse_backtest_total_return(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        backtest_total_return = _parse_backtest_total_return(d.pop("backtest_total_return", UNSET))

        def _parse_backtest_sharpe(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        backtest_sharpe = _parse_backtest_sharpe(d.pop("backtest_sharpe", UNSET))

        def _parse_backtest_sortino(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        backtest_sortino = _parse_backtest_sortino(d.pop("backtest_sortino", UNSET))

        def _parse_backtest_max_drawdown(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        backtest_max_drawdown = _parse_backtest_max_drawdown(d.pop("backtest_max_drawdown", UNSET))

        backtest_n_trades = d.pop("backtest_n_trades", UNSET)

        def _parse_backtest_hit_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        backtest_hit_rate = _parse_backtest_hit_rate(d.pop("backtest_hit_rate", UNSET))

        def _parse_backtest_profit_factor(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        backtest_profit_factor = _parse_backtest_profit_factor(
            d.pop("backtest_profit_factor", UNSET)
        )

        def _parse_backtest_turnover(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        backtest_turnover = _parse_backtest_turnover(d.pop("backtest_turnover", UNSET))

        def _parse_backtest_buy_and_hold_return(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        backtest_buy_and_hold_return = _parse_backtest_buy_and_hold_return(
            d.pop("backtest_buy_and_hold_return", UNSET)
        )

        backtest_cost_bp = d.pop("backtest_cost_bp", UNSET)

        backtest_bars_per_year = d.pop("backtest_bars_per_year", UNSET)

        def _parse_interval_coverage(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        interval_coverage = _parse_interval_coverage(d.pop("interval_coverage", UNSET))

        def _parse_interval_coverage_test(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        interval_coverage_test = _parse_interval_coverage_test(
            d.pop("interval_coverage_test", UNSET)
        )

        def _parse_interval_width_test(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        interval_width_test = _parse_interval_width_test(d.pop("interval_width_test", UNSET))

        def _parse_interval_score(data: object) -> IntervalScore | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                interval_score_type_0 = IntervalScore(data)

                return interval_score_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(IntervalScore | None | Unset, data)

        interval_score = _parse_interval_score(d.pop("interval_score", UNSET))

        def _parse_interval_coverage_test_absolute(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        interval_coverage_test_absolute = _parse_interval_coverage_test_absolute(
            d.pop("interval_coverage_test_absolute", UNSET)
        )

        epochs_run = d.pop("epochs_run", UNSET)

        best_epoch = d.pop("best_epoch", UNSET)

        train_samples = d.pop("train_samples", UNSET)

        validation_samples = d.pop("validation_samples", UNSET)

        samples_per_second = d.pop("samples_per_second", UNSET)

        training_backend = d.pop("training_backend", UNSET)

        data_warnings = cast(list[str], d.pop("data_warnings", UNSET))

        agent_metrics = cls(
            n_test=n_test,
            horizon_bars=horizon_bars,
            rmse=rmse,
            mae=mae,
            naive_rmse=naive_rmse,
            naive_mae=naive_mae,
            linear_rmse=linear_rmse,
            linear_mae=linear_mae,
            rmse_ratio_naive=rmse_ratio_naive,
            rmse_ratio_linear=rmse_ratio_linear,
            mae_ratio_naive=mae_ratio_naive,
            mae_ratio_linear=mae_ratio_linear,
            directional_accuracy=directional_accuracy,
            directional_accuracy_ci_low=directional_accuracy_ci_low,
            directional_accuracy_ci_high=directional_accuracy_ci_high,
            directional_n=directional_n,
            directional_n_effective=directional_n_effective,
            always_up_rate=always_up_rate,
            linear_directional_accuracy=linear_directional_accuracy,
            linear_ridge_alpha=linear_ridge_alpha,
            ic=ic,
            rank_ic=rank_ic,
            linear_ic=linear_ic,
            ece=ece,
            mean_confidence=mean_confidence,
            confidence_min=confidence_min,
            confidence_median=confidence_median,
            confidence_max=confidence_max,
            rmse_margin=rmse_margin,
            beats_naive_baseline=beats_naive_baseline,
            skill=skill,
            beats_linear_baseline=beats_linear_baseline,
            gbm_rmse=gbm_rmse,
            gbm_mae=gbm_mae,
            rmse_ratio_gbm=rmse_ratio_gbm,
            mae_ratio_gbm=mae_ratio_gbm,
            gbm_directional_accuracy=gbm_directional_accuracy,
            gbm_ic=gbm_ic,
            gbm_n_trees=gbm_n_trees,
            beats_gbm_baseline=beats_gbm_baseline,
            test_skill=test_skill,
            test_beats_naive_baseline=test_beats_naive_baseline,
            test_beats_linear_baseline=test_beats_linear_baseline,
            test_beats_gbm_baseline=test_beats_gbm_baseline,
            walk_forward_n_folds=walk_forward_n_folds,
            walk_forward_folds_beating_naive=walk_forward_folds_beating_naive,
            walk_forward_n_test=walk_forward_n_test,
            walk_forward_rmse_ratio_naive=walk_forward_rmse_ratio_naive,
            walk_forward_rmse_ratio_linear=walk_forward_rmse_ratio_linear,
            walk_forward_rmse_ratio_gbm=walk_forward_rmse_ratio_gbm,
            walk_forward_directional_accuracy=walk_forward_directional_accuracy,
            walk_forward_directional_accuracy_ci_low=walk_forward_directional_accuracy_ci_low,
            walk_forward_directional_accuracy_ci_high=walk_forward_directional_accuracy_ci_high,
            walk_forward_ic=walk_forward_ic,
            backtest_periods=backtest_periods,
            backtest_total_return=backtest_total_return,
            backtest_sharpe=backtest_sharpe,
            backtest_sortino=backtest_sortino,
            backtest_max_drawdown=backtest_max_drawdown,
            backtest_n_trades=backtest_n_trades,
            backtest_hit_rate=backtest_hit_rate,
            backtest_profit_factor=backtest_profit_factor,
            backtest_turnover=backtest_turnover,
            backtest_buy_and_hold_return=backtest_buy_and_hold_return,
            backtest_cost_bp=backtest_cost_bp,
            backtest_bars_per_year=backtest_bars_per_year,
            interval_coverage=interval_coverage,
            interval_coverage_test=interval_coverage_test,
            interval_width_test=interval_width_test,
            interval_score=interval_score,
            interval_coverage_test_absolute=interval_coverage_test_absolute,
            epochs_run=epochs_run,
            best_epoch=best_epoch,
            train_samples=train_samples,
            validation_samples=validation_samples,
            samples_per_second=samples_per_second,
            training_backend=training_backend,
            data_warnings=data_warnings,
        )

        agent_metrics.additional_properties = d
        return agent_metrics

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
