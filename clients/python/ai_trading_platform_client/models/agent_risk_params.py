from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AgentRiskParams")


@_attrs_define
class AgentRiskParams:
    """The agent's risk settings, used when its backtest replays the signal rule
    (an agent from before they were stored has `{}`).

        Attributes:
            capital_at_risk (float | Unset): Fraction of equity risked per trade.
            confidence_level (float | Unset): The confidence a call needs to be acted on.
    """

    capital_at_risk: float | Unset = UNSET
    confidence_level: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        capital_at_risk = self.capital_at_risk

        confidence_level = self.confidence_level

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
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

        agent_risk_params = cls(
            capital_at_risk=capital_at_risk,
            confidence_level=confidence_level,
        )

        agent_risk_params.additional_properties = d
        return agent_risk_params

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
