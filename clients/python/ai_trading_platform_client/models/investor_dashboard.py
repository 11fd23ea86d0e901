from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, Literal, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.holding import Holding


T = TypeVar("T", bound="InvestorDashboard")


@_attrs_define
class InvestorDashboard:
    """
    Attributes:
        segment (Literal['investor']):  Default: 'investor'.
        generated_at (datetime.datetime):
        holdings (list[Holding]): Per instrument (calls on AAPL, AAPL.O and AAPL US Equity are one), the latest call
            with a horizon of a day or more.
    """

    generated_at: datetime.datetime
    holdings: list[Holding]
    segment: Literal["investor"] = "investor"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.holding import Holding  # noqa: PLC0415

        segment = self.segment

        generated_at = self.generated_at.isoformat()

        holdings = []
        for holdings_item_data in self.holdings:
            holdings_item = holdings_item_data.to_dict()
            holdings.append(holdings_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "segment": segment,
                "generated_at": generated_at,
                "holdings": holdings,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.holding import Holding  # noqa: PLC0415

        d = dict(src_dict)
        segment = cast(Literal["investor"], d.pop("segment"))
        if segment != "investor":
            raise ValueError(f"segment must match const 'investor', got '{segment}'")

        generated_at = datetime.datetime.fromisoformat(d.pop("generated_at"))

        holdings = []
        _holdings = d.pop("holdings")
        for holdings_item_data in _holdings:
            holdings_item = Holding.from_dict(holdings_item_data)

            holdings.append(holdings_item)

        investor_dashboard = cls(
            segment=segment,
            generated_at=generated_at,
            holdings=holdings,
        )

        investor_dashboard.additional_properties = d
        return investor_dashboard

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
