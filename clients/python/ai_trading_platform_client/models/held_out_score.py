from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="HeldOutScore")


@_attrs_define
class HeldOutScore:
    """How one version forecast the challenger's test period.

    Attributes:
        version_id (str | Unset):
        version (int | Unset):
        n_test (int | Unset):
        rmse (float | None | Unset):
        rmse_ratio_naive (float | None | Unset):
        directional_accuracy (float | None | Unset):
        directional_accuracy_ci_low (float | None | Unset):
        directional_accuracy_ci_high (float | None | Unset):
        error (str | Unset): Why the version could not be scored, when it could not.
    """

    version_id: str | Unset = UNSET
    version: int | Unset = UNSET
    n_test: int | Unset = UNSET
    rmse: float | None | Unset = UNSET
    rmse_ratio_naive: float | None | Unset = UNSET
    directional_accuracy: float | None | Unset = UNSET
    directional_accuracy_ci_low: float | None | Unset = UNSET
    directional_accuracy_ci_high: float | None | Unset = UNSET
    error: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        version_id = self.version_id

        version = self.version

        n_test = self.n_test

        rmse: float | None | Unset
        if isinstance(self.rmse, Unset):
            rmse = UNSET
        else:
            rmse = self.rmse

        rmse_ratio_naive: float | None | Unset
        if isinstance(self.rmse_ratio_naive, Unset):
            rmse_ratio_naive = UNSET
        else:
            rmse_ratio_naive = self.rmse_ratio_naive

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

        error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if version_id is not UNSET:
            field_dict["version_id"] = version_id
        if version is not UNSET:
            field_dict["version"] = version
        if n_test is not UNSET:
            field_dict["n_test"] = n_test
        if rmse is not UNSET:
            field_dict["rmse"] = rmse
        if rmse_ratio_naive is not UNSET:
            field_dict["rmse_ratio_naive"] = rmse_ratio_naive
        if directional_accuracy is not UNSET:
            field_dict["directional_accuracy"] = directional_accuracy
        if directional_accuracy_ci_low is not UNSET:
            field_dict["directional_accuracy_ci_low"] = directional_accuracy_ci_low
        if directional_accuracy_ci_high is not UNSET:
            field_dict["directional_accuracy_ci_high"] = directional_accuracy_ci_high
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        version_id = d.pop("version_id", UNSET)

        version = d.pop("version", UNSET)

        n_test = d.pop("n_test", UNSET)

        def _parse_rmse(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        rmse = _parse_rmse(d.pop("rmse", UNSET))

        def _parse_rmse_ratio_naive(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        rmse_ratio_naive = _parse_rmse_ratio_naive(d.pop("rmse_ratio_naive", UNSET))

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

        error = d.pop("error", UNSET)

        held_out_score = cls(
            version_id=version_id,
            version=version,
            n_test=n_test,
            rmse=rmse,
            rmse_ratio_naive=rmse_ratio_naive,
            directional_accuracy=directional_accuracy,
            directional_accuracy_ci_low=directional_accuracy_ci_low,
            directional_accuracy_ci_high=directional_accuracy_ci_high,
            error=error,
        )

        held_out_score.additional_properties = d
        return held_out_score

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
