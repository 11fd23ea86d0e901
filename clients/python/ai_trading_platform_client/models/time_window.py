from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TimeWindow")


@_attrs_define
class TimeWindow:
    """A wall-clock window, "HH:MM", in the request's `timezone` (by default the
    instrument's exchange zone).

        Attributes:
            end (str):
            start (None | str | Unset):
    """

    end: str
    start: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        end = self.end

        start: None | str | Unset
        if isinstance(self.start, Unset):
            start = UNSET
        else:
            start = self.start

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "end": end,
            }
        )
        if start is not UNSET:
            field_dict["start"] = start

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        end = d.pop("end")

        def _parse_start(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        start = _parse_start(d.pop("start", UNSET))

        time_window = cls(
            end=end,
            start=start,
        )

        return time_window
