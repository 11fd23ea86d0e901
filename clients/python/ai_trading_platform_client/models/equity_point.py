from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="EquityPoint")


@_attrs_define
class EquityPoint:
    """
    Attributes:
        time (datetime.datetime):
        equity (float):
        buy_and_hold (float):
    """

    time: datetime.datetime
    equity: float
    buy_and_hold: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        time = self.time.isoformat()

        equity = self.equity

        buy_and_hold = self.buy_and_hold

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "time": time,
                "equity": equity,
                "buy_and_hold": buy_and_hold,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        time = datetime.datetime.fromisoformat(d.pop("time"))

        equity = d.pop("equity")

        buy_and_hold = d.pop("buy_and_hold")

        equity_point = cls(
            time=time,
            equity=equity,
            buy_and_hold=buy_and_hold,
        )

        equity_point.additional_properties = d
        return equity_point

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
