from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.user_segment import UserSegment
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.time_window import TimeWindow


T = TypeVar("T", bound="BacktestSettings")


@_attrs_define
class BacktestSettings:
    """The request as the job ran it, every default filled in.

    Attributes:
        start_date (datetime.date):
        end_date (datetime.date):
        account_equity (float):
        capital_at_risk (float):
        confidence_level (float):
        user_segment (UserSegment):
        cost_bp (float):
        slippage_bp (float):
        stop_atr_multiple (float):
        entry_window (None | TimeWindow):
        exit_window (None | TimeWindow):
        timezone (str):
        min_edge (float):
    """

    start_date: datetime.date
    end_date: datetime.date
    account_equity: float
    capital_at_risk: float
    confidence_level: float
    user_segment: UserSegment
    cost_bp: float
    slippage_bp: float
    stop_atr_multiple: float
    entry_window: None | TimeWindow
    exit_window: None | TimeWindow
    timezone: str
    min_edge: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.time_window import TimeWindow  # noqa: PLC0415

        start_date = self.start_date.isoformat()

        end_date = self.end_date.isoformat()

        account_equity = self.account_equity

        capital_at_risk = self.capital_at_risk

        confidence_level = self.confidence_level

        user_segment = self.user_segment.value

        cost_bp = self.cost_bp

        slippage_bp = self.slippage_bp

        stop_atr_multiple = self.stop_atr_multiple

        entry_window: dict[str, Any] | None
        if isinstance(self.entry_window, TimeWindow):
            entry_window = self.entry_window.to_dict()
        else:
            entry_window = self.entry_window

        exit_window: dict[str, Any] | None
        if isinstance(self.exit_window, TimeWindow):
            exit_window = self.exit_window.to_dict()
        else:
            exit_window = self.exit_window

        timezone = self.timezone

        min_edge = self.min_edge

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "start_date": start_date,
                "end_date": end_date,
                "account_equity": account_equity,
                "capital_at_risk": capital_at_risk,
                "confidence_level": confidence_level,
                "user_segment": user_segment,
                "cost_bp": cost_bp,
                "slippage_bp": slippage_bp,
                "stop_atr_multiple": stop_atr_multiple,
                "entry_window": entry_window,
                "exit_window": exit_window,
                "timezone": timezone,
                "min_edge": min_edge,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.time_window import TimeWindow  # noqa: PLC0415

        d = dict(src_dict)
        start_date = datetime.date.fromisoformat(d.pop("start_date"))

        end_date = datetime.date.fromisoformat(d.pop("end_date"))

        account_equity = d.pop("account_equity")

        capital_at_risk = d.pop("capital_at_risk")

        confidence_level = d.pop("confidence_level")

        user_segment = UserSegment(d.pop("user_segment"))

        cost_bp = d.pop("cost_bp")

        slippage_bp = d.pop("slippage_bp")

        stop_atr_multiple = d.pop("stop_atr_multiple")

        def _parse_entry_window(data: object) -> None | TimeWindow:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                entry_window_type_0 = TimeWindow.from_dict(data)

                return entry_window_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TimeWindow, data)

        entry_window = _parse_entry_window(d.pop("entry_window"))

        def _parse_exit_window(data: object) -> None | TimeWindow:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                exit_window_type_0 = TimeWindow.from_dict(data)

                return exit_window_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TimeWindow, data)

        exit_window = _parse_exit_window(d.pop("exit_window"))

        timezone = d.pop("timezone")

        min_edge = d.pop("min_edge")

        backtest_settings = cls(
            start_date=start_date,
            end_date=end_date,
            account_equity=account_equity,
            capital_at_risk=capital_at_risk,
            confidence_level=confidence_level,
            user_segment=user_segment,
            cost_bp=cost_bp,
            slippage_bp=slippage_bp,
            stop_atr_multiple=stop_atr_multiple,
            entry_window=entry_window,
            exit_window=exit_window,
            timezone=timezone,
            min_edge=min_edge,
        )

        backtest_settings.additional_properties = d
        return backtest_settings

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
