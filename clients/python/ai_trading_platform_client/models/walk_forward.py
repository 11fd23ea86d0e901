from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.skill import Skill
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.fold_metrics import FoldMetrics


T = TypeVar("T", bound="WalkForward")


@_attrs_define
class WalkForward:
    """Rolling-origin evaluation: each fold trains afresh on the history before its
    test block (expanding window, a purge of one horizon between them) with the
    version's hyperparameters; the verdict pools every fold's out-of-sample calls.

        Attributes:
            n_folds (int | Unset):
            horizon_bars (int | Unset):
            skill (Skill | Unset): `edge` when the model beat the naive no-change forecast on held-out data.
            beats_naive_baseline (bool | Unset):
            beats_linear_baseline (bool | Unset):
            beats_gbm_baseline (bool | Unset):
            folds_beating_naive (int | Unset):
            pooled (FoldMetrics | Unset): One walk-forward fold (or the pooled calls of all folds): its sample ranges
                and how the model and its baselines did on its test block.
            folds (list[FoldMetrics] | Unset):
    """

    n_folds: int | Unset = UNSET
    horizon_bars: int | Unset = UNSET
    skill: Skill | Unset = UNSET
    beats_naive_baseline: bool | Unset = UNSET
    beats_linear_baseline: bool | Unset = UNSET
    beats_gbm_baseline: bool | Unset = UNSET
    folds_beating_naive: int | Unset = UNSET
    pooled: FoldMetrics | Unset = UNSET
    folds: list[FoldMetrics] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.fold_metrics import FoldMetrics  # noqa: PLC0415

        n_folds = self.n_folds

        horizon_bars = self.horizon_bars

        skill: str | Unset = UNSET
        if not isinstance(self.skill, Unset):
            skill = self.skill.value

        beats_naive_baseline = self.beats_naive_baseline

        beats_linear_baseline = self.beats_linear_baseline

        beats_gbm_baseline = self.beats_gbm_baseline

        folds_beating_naive = self.folds_beating_naive

        pooled: dict[str, Any] | Unset = UNSET
        if not isinstance(self.pooled, Unset):
            pooled = self.pooled.to_dict()

        folds: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.folds, Unset):
            folds = []
            for folds_item_data in self.folds:
                folds_item = folds_item_data.to_dict()
                folds.append(folds_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if n_folds is not UNSET:
            field_dict["n_folds"] = n_folds
        if horizon_bars is not UNSET:
            field_dict["horizon_bars"] = horizon_bars
        if skill is not UNSET:
            field_dict["skill"] = skill
        if beats_naive_baseline is not UNSET:
            field_dict["beats_naive_baseline"] = beats_naive_baseline
        if beats_linear_baseline is not UNSET:
            field_dict["beats_linear_baseline"] = beats_linear_baseline
        if beats_gbm_baseline is not UNSET:
            field_dict["beats_gbm_baseline"] = beats_gbm_baseline
        if folds_beating_naive is not UNSET:
            field_dict["folds_beating_naive"] = folds_beating_naive
        if pooled is not UNSET:
            field_dict["pooled"] = pooled
        if folds is not UNSET:
            field_dict["folds"] = folds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.fold_metrics import FoldMetrics  # noqa: PLC0415

        d = dict(src_dict)
        n_folds = d.pop("n_folds", UNSET)

        horizon_bars = d.pop("horizon_bars", UNSET)

        _skill = d.pop("skill", UNSET)
        skill: Skill | Unset
        if isinstance(_skill, Unset):
            skill = UNSET
        else:
            skill = Skill(_skill)

        beats_naive_baseline = d.pop("beats_naive_baseline", UNSET)

        beats_linear_baseline = d.pop("beats_linear_baseline", UNSET)

        beats_gbm_baseline = d.pop("beats_gbm_baseline", UNSET)

        folds_beating_naive = d.pop("folds_beating_naive", UNSET)

        _pooled = d.pop("pooled", UNSET)
        pooled: FoldMetrics | Unset
        if isinstance(_pooled, Unset):
            pooled = UNSET
        else:
            pooled = FoldMetrics.from_dict(_pooled)

        _folds = d.pop("folds", UNSET)
        folds: list[FoldMetrics] | Unset = UNSET
        if _folds is not UNSET:
            folds = []
            for folds_item_data in _folds:
                folds_item = FoldMetrics.from_dict(folds_item_data)

                folds.append(folds_item)

        walk_forward = cls(
            n_folds=n_folds,
            horizon_bars=horizon_bars,
            skill=skill,
            beats_naive_baseline=beats_naive_baseline,
            beats_linear_baseline=beats_linear_baseline,
            beats_gbm_baseline=beats_gbm_baseline,
            folds_beating_naive=folds_beating_naive,
            pooled=pooled,
            folds=folds,
        )

        walk_forward.additional_properties = d
        return walk_forward

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
