from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RiskMetricsOut")


@_attrs_define
class RiskMetricsOut:
    """
    Attributes:
        max_loss (str): The loss at the stop in the instrument's money: $700 in dollars, £ for pence-quoted London
            shares
        risk_reward_ratio (float):
    """

    max_loss: str
    risk_reward_ratio: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        max_loss = self.max_loss

        risk_reward_ratio = self.risk_reward_ratio

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "max_loss": max_loss,
                "risk_reward_ratio": risk_reward_ratio,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        max_loss = d.pop("max_loss")

        risk_reward_ratio = d.pop("risk_reward_ratio")

        risk_metrics_out = cls(
            max_loss=max_loss,
            risk_reward_ratio=risk_reward_ratio,
        )

        risk_metrics_out.additional_properties = d
        return risk_metrics_out

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
