from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, Literal, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.call_summary import CallSummary
    from ..models.open_entry_window import OpenEntryWindow


T = TypeVar("T", bound="ShortTermTraderDashboard")


@_attrs_define
class ShortTermTraderDashboard:
    """
    Attributes:
        segment (Literal['short_term_trader']):  Default: 'short_term_trader'.
        generated_at (datetime.datetime):
        trading_date (datetime.date): Today in America/New_York.
        todays_signals (list[CallSummary]): Made today, newest first.
        open_entry_windows (list[OpenEntryWindow]): Per instrument (calls on AAPL, AAPL.O and AAPL US Equity are one),
            the newest call whose entry window has not ended.
    """

    generated_at: datetime.datetime
    trading_date: datetime.date
    todays_signals: list[CallSummary]
    open_entry_windows: list[OpenEntryWindow]
    segment: Literal["short_term_trader"] = "short_term_trader"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.call_summary import CallSummary  # noqa: PLC0415
        from ..models.open_entry_window import OpenEntryWindow  # noqa: PLC0415

        segment = self.segment

        generated_at = self.generated_at.isoformat()

        trading_date = self.trading_date.isoformat()

        todays_signals = []
        for todays_signals_item_data in self.todays_signals:
            todays_signals_item = todays_signals_item_data.to_dict()
            todays_signals.append(todays_signals_item)

        open_entry_windows = []
        for open_entry_windows_item_data in self.open_entry_windows:
            open_entry_windows_item = open_entry_windows_item_data.to_dict()
            open_entry_windows.append(open_entry_windows_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "segment": segment,
                "generated_at": generated_at,
                "trading_date": trading_date,
                "todays_signals": todays_signals,
                "open_entry_windows": open_entry_windows,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.call_summary import CallSummary  # noqa: PLC0415
        from ..models.open_entry_window import OpenEntryWindow  # noqa: PLC0415

        d = dict(src_dict)
        segment = cast(Literal["short_term_trader"], d.pop("segment"))
        if segment != "short_term_trader":
            raise ValueError(f"segment must match const 'short_term_trader', got '{segment}'")

        generated_at = datetime.datetime.fromisoformat(d.pop("generated_at"))

        trading_date = datetime.date.fromisoformat(d.pop("trading_date"))

        todays_signals = []
        _todays_signals = d.pop("todays_signals")
        for todays_signals_item_data in _todays_signals:
            todays_signals_item = CallSummary.from_dict(todays_signals_item_data)

            todays_signals.append(todays_signals_item)

        open_entry_windows = []
        _open_entry_windows = d.pop("open_entry_windows")
        for open_entry_windows_item_data in _open_entry_windows:
            open_entry_windows_item = OpenEntryWindow.from_dict(open_entry_windows_item_data)

            open_entry_windows.append(open_entry_windows_item)

        short_term_trader_dashboard = cls(
            segment=segment,
            generated_at=generated_at,
            trading_date=trading_date,
            todays_signals=todays_signals,
            open_entry_windows=open_entry_windows,
        )

        short_term_trader_dashboard.additional_properties = d
        return short_term_trader_dashboard

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
