from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SignalCounts")


@_attrs_define
class SignalCounts:
    """Calls the rule made at the bars where the account was flat.

    Attributes:
        enter (int):  Default: 0.
        exit_ (int):  Default: 0.
        hold (int):  Default: 0.
        none (int): Bars without a usable forecast or stop Default: 0.
    """

    enter: int = 0
    exit_: int = 0
    hold: int = 0
    none: int = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        enter = self.enter

        exit_ = self.exit_

        hold = self.hold

        none = self.none

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "Enter": enter,
                "Exit": exit_,
                "Hold": hold,
                "none": none,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        enter = d.pop("Enter")

        exit_ = d.pop("Exit")

        hold = d.pop("Hold")

        none = d.pop("none")

        signal_counts = cls(
            enter=enter,
            exit_=exit_,
            hold=hold,
            none=none,
        )

        signal_counts.additional_properties = d
        return signal_counts

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
