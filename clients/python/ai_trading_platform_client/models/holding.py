from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.call_summary import CallSummary
    from ..models.track_record import TrackRecord


T = TypeVar("T", bound="Holding")


@_attrs_define
class Holding:
    """
    Attributes:
        symbol (str): The instrument's display symbol: AAPL for calls on AAPL.O as well.
        latest_call (CallSummary): One stored prediction: the call, the plan and (once known) the outcome.
        track_record (TrackRecord): An agent's live record: calls whose horizon has passed, and how many were right.

            A call is counted once per (agent version, symbol, bar), however often it was
            asked for; a call is right when the price moved the way it was forecast to.
    """

    symbol: str
    latest_call: CallSummary
    track_record: TrackRecord
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.call_summary import CallSummary  # noqa: PLC0415
        from ..models.track_record import TrackRecord  # noqa: PLC0415

        symbol = self.symbol

        latest_call = self.latest_call.to_dict()

        track_record = self.track_record.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "symbol": symbol,
                "latest_call": latest_call,
                "track_record": track_record,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.call_summary import CallSummary  # noqa: PLC0415
        from ..models.track_record import TrackRecord  # noqa: PLC0415

        d = dict(src_dict)
        symbol = d.pop("symbol")

        latest_call = CallSummary.from_dict(d.pop("latest_call"))

        track_record = TrackRecord.from_dict(d.pop("track_record"))

        holding = cls(
            symbol=symbol,
            latest_call=latest_call,
            track_record=track_record,
        )

        holding.additional_properties = d
        return holding

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
