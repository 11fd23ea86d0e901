from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.call_summary import CallSummary


T = TypeVar("T", bound="OpenEntryWindow")


@_attrs_define
class OpenEntryWindow:
    """A call whose entry window (on the day it was made, in its time zone) is not over.

    Attributes:
        call (CallSummary): One stored prediction: the call, the plan and (once known) the outcome.
        timezone (str):
        starts_at (datetime.datetime | None):
        ends_at (datetime.datetime):
        open_now (bool): The window has started (and not ended).
    """

    call: CallSummary
    timezone: str
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime
    open_now: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.call_summary import CallSummary  # noqa: PLC0415

        call = self.call.to_dict()

        timezone = self.timezone

        starts_at: None | str
        if isinstance(self.starts_at, datetime.datetime):
            starts_at = self.starts_at.isoformat()
        else:
            starts_at = self.starts_at

        ends_at = self.ends_at.isoformat()

        open_now = self.open_now

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "call": call,
                "timezone": timezone,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "open_now": open_now,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.call_summary import CallSummary  # noqa: PLC0415

        d = dict(src_dict)
        call = CallSummary.from_dict(d.pop("call"))

        timezone = d.pop("timezone")

        def _parse_starts_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                starts_at_type_0 = datetime.datetime.fromisoformat(data)

                return starts_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        starts_at = _parse_starts_at(d.pop("starts_at"))

        ends_at = datetime.datetime.fromisoformat(d.pop("ends_at"))

        open_now = d.pop("open_now")

        open_entry_window = cls(
            call=call,
            timezone=timezone,
            starts_at=starts_at,
            ends_at=ends_at,
            open_now=open_now,
        )

        open_entry_window.additional_properties = d
        return open_entry_window

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
