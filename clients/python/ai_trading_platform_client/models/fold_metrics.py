from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.skill import Skill
from ..types import UNSET, Unset

T = TypeVar("T", bound="FoldMetrics")


@_attrs_define
class FoldMetrics:
    """One walk-forward fold (or the pooled calls of all folds): its sample ranges
    and how the model and its baselines did on its test block.

        Attributes:
            fold (int | Unset): 0 for the earliest fold (absent on the pooled calls).
            train_start (int | Unset):
            train_stop (int | Unset):
            validation_start (int | Unset):
            validation_stop (int | Unset):
            test_start (int | Unset): First test sample (samples are bars after the look-back).
            test_stop (int | Unset):
            n_test (int | Unset):
            rmse (float | None | Unset):
            mae (float | None | Unset):
            naive_rmse (float | None | Unset):
            naive_mae (float | None | Unset):
            linear_rmse (float | None | Unset):
            linear_mae (float | None | Unset):
            gbm_rmse (float | None | Unset):
            gbm_mae (float | None | Unset):
            rmse_ratio_naive (float | None | Unset):
            rmse_ratio_linear (float | None | Unset):
            rmse_ratio_gbm (float | None | Unset):
            mae_ratio_naive (float | None | Unset):
            mae_ratio_linear (float | None | Unset):
            mae_ratio_gbm (float | None | Unset):
            directional_accuracy (float | None | Unset):
            directional_accuracy_ci_low (float | None | Unset):
            directional_accuracy_ci_high (float | None | Unset):
            directional_n (int | Unset):
            directional_n_effective (float | Unset):
            always_up_rate (float | None | Unset):
            linear_directional_accuracy (float | None | Unset):
            gbm_directional_accuracy (float | None | Unset):
            ic (float | None | Unset):
            rank_ic (float | None | Unset):
            linear_ic (float | None | Unset):
            gbm_ic (float | None | Unset):
            rmse_margin (float | Unset):
            beats_naive_baseline (bool | Unset):
            skill (Skill | Unset): `edge` when the model beat the naive no-change forecast on held-out data.
            beats_linear_baseline (bool | Unset):
            beats_gbm_baseline (bool | Unset):
            linear_ridge_alpha (float | Unset):
            gbm_n_trees (int | Unset):
    """

    fold: int | Unset = UNSET
    train_start: int | Unset = UNSET
    train_stop: int | Unset = UNSET
    validation_start: int | Unset = UNSET
    validation_stop: int | Unset = UNSET
    test_start: int | Unset = UNSET
    test_stop: int | Unset = UNSET
    n_test: int | Unset = UNSET
    rmse: float | None | Unset = UNSET
    mae: float | None | Unset = UNSET
    naive_rmse: float | None | Unset = UNSET
    naive_mae: float | None | Unset = UNSET
    linear_rmse: float | None | Unset = UNSET
    linear_mae: float | None | Unset = UNSET
    gbm_rmse: float | None | Unset = UNSET
    gbm_mae: float | None | Unset = UNSET
    rmse_ratio_naive: float | None | Unset = UNSET
    rmse_ratio_linear: float | None | Unset = UNSET
    rmse_ratio_gbm: float | None | Unset = UNSET
    mae_ratio_naive: float | None | Unset = UNSET
    mae_ratio_linear: float | None | Unset = UNSET
    mae_ratio_gbm: float | None | Unset = UNSET
    directional_accuracy: float | None | Unset = UNSET
    directional_accuracy_ci_low: float | None | Unset = UNSET
    directional_accuracy_ci_high: float | None | Unset = UNSET
    directional_n: int | Unset = UNSET
    directional_n_effective: float | Unset = UNSET
    always_up_rate: float | None | Unset = UNSET
    linear_directional_accuracy: float | None | Unset = UNSET
    gbm_directional_accuracy: float | None | Unset = UNSET
    ic: float | None | Unset = UNSET
    rank_ic: float | None | Unset = UNSET
    linear_ic: float | None | Unset = UNSET
    gbm_ic: float | None | Unset = UNSET
    rmse_margin: float | Unset = UNSET
    beats_naive_baseline: bool | Unset = UNSET
    skill: Skill | Unset = UNSET
    beats_linear_baseline: bool | Unset = UNSET
    beats_gbm_baseline: bool | Unset = UNSET
    linear_ridge_alpha: float | Unset = UNSET
    gbm_n_trees: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        fold = self.fold

        train_start = self.train_start

        train_stop = self.train_stop

        validation_start = self.validation_start

        validation_stop = self.validation_stop

        test_start = self.test_start

        test_stop = self.test_stop

        n_test = self.n_test

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

        rmse_ratio_gbm: float | None | Unset
        if isinstance(self.rmse_ratio_gbm, Unset):
            rmse_ratio_gbm = UNSET
        else:
            rmse_ratio_gbm = self.rmse_ratio_gbm

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

        mae_ratio_gbm: float | None | Unset
        if isinstance(self.mae_ratio_gbm, Unset):
            mae_ratio_gbm = UNSET
        else:
            mae_ratio_gbm = self.mae_ratio_gbm

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

        gbm_directional_accuracy: float | None | Unset
        if isinstance(self.gbm_directional_accuracy, Unset):
            gbm_directional_accuracy = UNSET
        else:
            gbm_directional_accuracy = self.gbm_directional_accuracy

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

        gbm_ic: float | None | Unset
        if isinstance(self.gbm_ic, Unset):
            gbm_ic = UNSET
        else:
            gbm_ic = self.gbm_ic

        rmse_margin = self.rmse_margin

        beats_naive_baseline = self.beats_naive_baseline

        skill: str | Unset = UNSET
        if not isinstance(self.skill, Unset):
            skill = self.skill.value

        beats_linear_baseline = self.beats_linear_baseline

        beats_gbm_baseline = self.beats_gbm_baseline

        linear_ridge_alpha = self.linear_ridge_alpha

        gbm_n_trees = self.gbm_n_trees

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if fold is not UNSET:
            field_dict["fold"] = fold
        if train_start is not UNSET:
            field_dict["train_start"] = train_start
        if train_stop is not UNSET:
            field_dict["train_stop"] = train_stop
        if validation_start is not UNSET:
            field_dict["validation_start"] = validation_start
        if validation_stop is not UNSET:
            field_dict["validation_stop"] = validation_stop
        if test_start is not UNSET:
            field_dict["test_start"] = test_start
        if test_stop is not UNSET:
            field_dict["test_stop"] = test_stop
        if n_test is not UNSET:
            field_dict["n_test"] = n_test
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
        if gbm_rmse is not UNSET:
            field_dict["gbm_rmse"] = gbm_rmse
        if gbm_mae is not UNSET:
            field_dict["gbm_mae"] = gbm_mae
        if rmse_ratio_naive is not UNSET:
            field_dict["rmse_ratio_naive"] = rmse_ratio_naive
        if rmse_ratio_linear is not UNSET:
            field_dict["rmse_ratio_linear"] = rmse_ratio_linear
        if rmse_ratio_gbm is not UNSET:
            field_dict["rmse_ratio_gbm"] = rmse_ratio_gbm
        if mae_ratio_naive is not UNSET:
            field_dict["mae_ratio_naive"] = mae_ratio_naive
        if mae_ratio_linear is not UNSET:
            field_dict["mae_ratio_linear"] = mae_ratio_linear
        if mae_ratio_gbm is not UNSET:
            field_dict["mae_ratio_gbm"] = mae_ratio_gbm
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
        if gbm_directional_accuracy is not UNSET:
            field_dict["gbm_directional_accuracy"] = gbm_directional_accuracy
        if ic is not UNSET:
            field_dict["ic"] = ic
        if rank_ic is not UNSET:
            field_dict["rank_ic"] = rank_ic
        if linear_ic is not UNSET:
            field_dict["linear_ic"] = linear_ic
        if gbm_ic is not UNSET:
            field_dict["gbm_ic"] = gbm_ic
        if rmse_margin is not UNSET:
            field_dict["rmse_margin"] = rmse_margin
        if beats_naive_baseline is not UNSET:
            field_dict["beats_naive_baseline"] = beats_naive_baseline
        if skill is not UNSET:
            field_dict["skill"] = skill
        if beats_linear_baseline is not UNSET:
            field_dict["beats_linear_baseline"] = beats_linear_baseline
        if beats_gbm_baseline is not UNSET:
            field_dict["beats_gbm_baseline"] = beats_gbm_baseline
        if linear_ridge_alpha is not UNSET:
            field_dict["linear_ridge_alpha"] = linear_ridge_alpha
        if gbm_n_trees is not UNSET:
            field_dict["gbm_n_trees"] = gbm_n_trees

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        fold = d.pop("fold", UNSET)

        train_start = d.pop("train_start", UNSET)

        train_stop = d.pop("train_stop", UNSET)

        validation_start = d.pop("validation_start", UNSET)

        validation_stop = d.pop("validation_stop", UNSET)

        test_start = d.pop("test_start", UNSET)

        test_stop = d.pop("test_stop", UNSET)

        n_test = d.pop("n_test", UNSET)

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

        def _parse_rmse_ratio_gbm(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        rmse_ratio_gbm = _parse_rmse_ratio_gbm(d.pop("rmse_ratio_gbm", UNSET))

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

        def _parse_mae_ratio_gbm(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        mae_ratio_gbm = _parse_mae_ratio_gbm(d.pop("mae_ratio_gbm", UNSET))

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

        def _parse_gbm_directional_accuracy(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        gbm_directional_accuracy = _parse_gbm_directional_accuracy(
            d.pop("gbm_directional_accuracy", UNSET)
        )

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

        def _parse_gbm_ic(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        gbm_ic = _parse_gbm_ic(d.pop("gbm_ic", UNSET))

        rmse_margin = d.pop("rmse_margin", UNSET)

        beats_naive_baseline = d.pop("beats_naive_baseline", UNSET)

        _skill = d.pop("skill", UNSET)
        skill: Skill | Unset
        if isinstance(_skill, Unset):
            skill = UNSET
        else:
            skill = Skill(_skill)

        beats_linear_baseline = d.pop("beats_linear_baseline", UNSET)

        beats_gbm_baseline = d.pop("beats_gbm_baseline", UNSET)

        linear_ridge_alpha = d.pop("linear_ridge_alpha", UNSET)

        gbm_n_trees = d.pop("gbm_n_trees", UNSET)

        fold_metrics = cls(
            fold=fold,
            train_start=train_start,
            train_stop=train_stop,
            validation_start=validation_start,
            validation_stop=validation_stop,
            test_start=test_start,
            test_stop=test_stop,
            n_test=n_test,
            rmse=rmse,
            mae=mae,
            naive_rmse=naive_rmse,
            naive_mae=naive_mae,
            linear_rmse=linear_rmse,
            linear_mae=linear_mae,
            gbm_rmse=gbm_rmse,
            gbm_mae=gbm_mae,
            rmse_ratio_naive=rmse_ratio_naive,
            rmse_ratio_linear=rmse_ratio_linear,
            rmse_ratio_gbm=rmse_ratio_gbm,
            mae_ratio_naive=mae_ratio_naive,
            mae_ratio_linear=mae_ratio_linear,
            mae_ratio_gbm=mae_ratio_gbm,
            directional_accuracy=directional_accuracy,
            directional_accuracy_ci_low=directional_accuracy_ci_low,
            directional_accuracy_ci_high=directional_accuracy_ci_high,
            directional_n=directional_n,
            directional_n_effective=directional_n_effective,
            always_up_rate=always_up_rate,
            linear_directional_accuracy=linear_directional_accuracy,
            gbm_directional_accuracy=gbm_directional_accuracy,
            ic=ic,
            rank_ic=rank_ic,
            linear_ic=linear_ic,
            gbm_ic=gbm_ic,
            rmse_margin=rmse_margin,
            beats_naive_baseline=beats_naive_baseline,
            skill=skill,
            beats_linear_baseline=beats_linear_baseline,
            beats_gbm_baseline=beats_gbm_baseline,
            linear_ridge_alpha=linear_ridge_alpha,
            gbm_n_trees=gbm_n_trees,
        )

        fold_metrics.additional_properties = d
        return fold_metrics

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
