from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RiskParams")


@_attrs_define
class RiskParams:
    """
    Attributes:
        capital_at_risk (float | Unset):  Default: 0.02.
        confidence_level (float | Unset):  Default: 0.6.
    """

    capital_at_risk: float | Unset = 0.02
    confidence_level: float | Unset = 0.6

    def to_dict(self) -> dict[str, Any]:
        capital_at_risk = self.capital_at_risk

        confidence_level = self.confidence_level

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if capital_at_risk is not UNSET:
            field_dict["capital_at_risk"] = capital_at_risk
        if confidence_level is not UNSET:
            field_dict["confidence_level"] = confidence_level

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        capital_at_risk = d.pop("capital_at_risk", UNSET)

        confidence_level = d.pop("confidence_level", UNSET)

        risk_params = cls(
            capital_at_risk=capital_at_risk,
            confidence_level=confidence_level,
        )

        return risk_params
