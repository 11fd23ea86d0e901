from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.direction import Direction
from ..models.trade_signal import TradeSignal
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.risk_metrics_out import RiskMetricsOut


T = TypeVar("T", bound="TradeSignalResponse")


@_attrs_define
class TradeSignalResponse:
    """
    Attributes:
        predicted_price (float):
        confidence (float):
        trade_signal (TradeSignal): What to do: open a position, close one, or stay out.
        direction (Direction): Which way the position faces (a Long-only segment's Short call is an Exit).
        suggested_exit_time (str):
        position_size (int):
        suggestion_text (str):
        risk_metrics (RiskMetricsOut):
        currency (str): The instrument's currency: ISO 4217 code of every price, and of every amount except for GBX
            (London prices in pence), whose amounts are in GBP
        max_loss_amount (float): `risk_metrics.max_loss` as a number: the loss if the stop is hit, in the currency's
            money (GBP for GBX)
        suggested_exit_at (datetime.datetime): `suggested_exit_time` as an ISO-8601 instant with its offset
        symbol (str):
        warnings (list[str]):
    """

    predicted_price: float
    confidence: float
    trade_signal: TradeSignal
    direction: Direction
    suggested_exit_time: str
    position_size: int
    suggestion_text: str
    risk_metrics: RiskMetricsOut
    currency: str
    max_loss_amount: float
    suggested_exit_at: datetime.datetime
    symbol: str
    warnings: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.risk_metrics_out import RiskMetricsOut  # noqa: PLC0415

        predicted_price = self.predicted_price

        confidence = self.confidence

        trade_signal = self.trade_signal.value

        direction = self.direction.value

        suggested_exit_time = self.suggested_exit_time

        position_size = self.position_size

        suggestion_text = self.suggestion_text

        risk_metrics = self.risk_metrics.to_dict()

        currency = self.currency

        max_loss_amount = self.max_loss_amount

        suggested_exit_at = self.suggested_exit_at.isoformat()

        symbol = self.symbol

        warnings = self.warnings

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "predicted_price": predicted_price,
                "confidence": confidence,
                "trade_signal": trade_signal,
                "direction": direction,
                "suggested_exit_time": suggested_exit_time,
                "position_size": position_size,
                "suggestion_text": suggestion_text,
                "risk_metrics": risk_metrics,
                "currency": currency,
                "max_loss_amount": max_loss_amount,
                "suggested_exit_at": suggested_exit_at,
                "symbol": symbol,
                "warnings": warnings,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.risk_metrics_out import RiskMetricsOut  # noqa: PLC0415

        d = dict(src_dict)
        predicted_price = d.pop("predicted_price")

        confidence = d.pop("confidence")

        trade_signal = TradeSignal(d.pop("trade_signal"))

        direction = Direction(d.pop("direction"))

        suggested_exit_time = d.pop("suggested_exit_time")

        position_size = d.pop("position_size")

        suggestion_text = d.pop("suggestion_text")

        risk_metrics = RiskMetricsOut.from_dict(d.pop("risk_metrics"))

        currency = d.pop("currency")

        max_loss_amount = d.pop("max_loss_amount")

        suggested_exit_at = datetime.datetime.fromisoformat(d.pop("suggested_exit_at"))

        symbol = d.pop("symbol")

        warnings = cast(list[str], d.pop("warnings"))

        trade_signal_response = cls(
            predicted_price=predicted_price,
            confidence=confidence,
            trade_signal=trade_signal,
            direction=direction,
            suggested_exit_time=suggested_exit_time,
            position_size=position_size,
            suggestion_text=suggestion_text,
            risk_metrics=risk_metrics,
            currency=currency,
            max_loss_amount=max_loss_amount,
            suggested_exit_at=suggested_exit_at,
            symbol=symbol,
            warnings=warnings,
        )

        trade_signal_response.additional_properties = d
        return trade_signal_response

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
