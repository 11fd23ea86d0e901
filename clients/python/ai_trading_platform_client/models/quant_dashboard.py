from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, Literal, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.quant_agent import QuantAgent


T = TypeVar("T", bound="QuantDashboard")


@_attrs_define
class QuantDashboard:
    """
    Attributes:
        segment (Literal['quant']):  Default: 'quant'.
        generated_at (datetime.datetime):
        agents (list[QuantAgent]): Newest first.
    """

    generated_at: datetime.datetime
    agents: list[QuantAgent]
    segment: Literal["quant"] = "quant"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.quant_agent import QuantAgent  # noqa: PLC0415

        segment = self.segment

        generated_at = self.generated_at.isoformat()

        agents = []
        for agents_item_data in self.agents:
            agents_item = agents_item_data.to_dict()
            agents.append(agents_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "segment": segment,
                "generated_at": generated_at,
                "agents": agents,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.quant_agent import QuantAgent  # noqa: PLC0415

        d = dict(src_dict)
        segment = cast(Literal["quant"], d.pop("segment"))
        if segment != "quant":
            raise ValueError(f"segment must match const 'quant', got '{segment}'")

        generated_at = datetime.datetime.fromisoformat(d.pop("generated_at"))

        agents = []
        _agents = d.pop("agents")
        for agents_item_data in _agents:
            agents_item = QuantAgent.from_dict(agents_item_data)

            agents.append(agents_item)

        quant_dashboard = cls(
            segment=segment,
            generated_at=generated_at,
            agents=agents,
        )

        quant_dashboard.additional_properties = d
        return quant_dashboard

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
