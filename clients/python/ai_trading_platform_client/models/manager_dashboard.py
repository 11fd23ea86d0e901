from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, Literal, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.call_summary import CallSummary
    from ..models.exposure import Exposure
    from ..models.position import Position


T = TypeVar("T", bound="ManagerDashboard")


@_attrs_define
class ManagerDashboard:
    """
    Attributes:
        segment (Literal['manager']):  Default: 'manager'.
        generated_at (datetime.datetime):
        account_equity (float):
        positions (list[Position]): Per instrument (calls on AAPL, AAPL.O and AAPL US Equity are one), the latest Enter,
            unless a later Exit closed it.
        exposure (Exposure):
        capital_at_risk (float): Sum of the positions' max_loss, dollars.
        capital_at_risk_fraction (float): capital_at_risk ÷ account_equity.
        signals (list[CallSummary]): Per instrument (calls on AAPL, AAPL.O and AAPL US Equity are one), the latest call.
    """

    generated_at: datetime.datetime
    account_equity: float
    positions: list[Position]
    exposure: Exposure
    capital_at_risk: float
    capital_at_risk_fraction: float
    signals: list[CallSummary]
    segment: Literal["manager"] = "manager"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.call_summary import CallSummary  # noqa: PLC0415
        from ..models.exposure import Exposure  # noqa: PLC0415
        from ..models.position import Position  # noqa: PLC0415

        segment = self.segment

        generated_at = self.generated_at.isoformat()

        account_equity = self.account_equity

        positions = []
        for positions_item_data in self.positions:
            positions_item = positions_item_data.to_dict()
            positions.append(positions_item)

        exposure = self.exposure.to_dict()

        capital_at_risk = self.capital_at_risk

        capital_at_risk_fraction = self.capital_at_risk_fraction

        signals = []
        for signals_item_data in self.signals:
            signals_item = signals_item_data.to_dict()
            signals.append(signals_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "segment": segment,
                "generated_at": generated_at,
                "account_equity": account_equity,
                "positions": positions,
                "exposure": exposure,
                "capital_at_risk": capital_at_risk,
                "capital_at_risk_fraction": capital_at_risk_fraction,
                "signals": signals,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.call_summary import CallSummary  # noqa: PLC0415
        from ..models.exposure import Exposure  # noqa: PLC0415
        from ..models.position import Position  # noqa: PLC0415

        d = dict(src_dict)
        segment = cast(Literal["manager"], d.pop("segment"))
        if segment != "manager":
            raise ValueError(f"segment must match const 'manager', got '{segment}'")

        generated_at = datetime.datetime.fromisoformat(d.pop("generated_at"))

        account_equity = d.pop("account_equity")

        positions = []
        _positions = d.pop("positions")
        for positions_item_data in _positions:
            positions_item = Position.from_dict(positions_item_data)

            positions.append(positions_item)

        exposure = Exposure.from_dict(d.pop("exposure"))

        capital_at_risk = d.pop("capital_at_risk")

        capital_at_risk_fraction = d.pop("capital_at_risk_fraction")

        signals = []
        _signals = d.pop("signals")
        for signals_item_data in _signals:
            signals_item = CallSummary.from_dict(signals_item_data)

            signals.append(signals_item)

        manager_dashboard = cls(
            segment=segment,
            generated_at=generated_at,
            account_equity=account_equity,
            positions=positions,
            exposure=exposure,
            capital_at_risk=capital_at_risk,
            capital_at_risk_fraction=capital_at_risk_fraction,
            signals=signals,
        )

        manager_dashboard.additional_properties = d
        return manager_dashboard

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
