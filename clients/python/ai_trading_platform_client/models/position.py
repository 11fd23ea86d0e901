from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.direction import Direction
from ..types import UNSET, Unset

T = TypeVar("T", bound="Position")


@_attrs_define
class Position:
    """
    Attributes:
        symbol (str): The instrument's display symbol: AAPL for calls on AAPL.O as well.
        direction (Direction): Which way the position faces (a Long-only segment's Short call is an Exit).
        position_size (int):
        entry_price (float):
        exposure (float): position_size × entry_price, in dollars.
        max_loss (float):
        prediction_id (UUID):
        created_at (datetime.datetime):
    """

    symbol: str
    direction: Direction
    position_size: int
    entry_price: float
    exposure: float
    max_loss: float
    prediction_id: UUID
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        symbol = self.symbol

        direction = self.direction.value

        position_size = self.position_size

        entry_price = self.entry_price

        exposure = self.exposure

        max_loss = self.max_loss

        prediction_id = str(self.prediction_id)

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "symbol": symbol,
                "direction": direction,
                "position_size": position_size,
                "entry_price": entry_price,
                "exposure": exposure,
                "max_loss": max_loss,
                "prediction_id": prediction_id,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        symbol = d.pop("symbol")

        direction = Direction(d.pop("direction"))

        position_size = d.pop("position_size")

        entry_price = d.pop("entry_price")

        exposure = d.pop("exposure")

        max_loss = d.pop("max_loss")

        prediction_id = UUID(d.pop("prediction_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        position = cls(
            symbol=symbol,
            direction=direction,
            position_size=position_size,
            entry_price=entry_price,
            exposure=exposure,
            max_loss=max_loss,
            prediction_id=prediction_id,
            created_at=created_at,
        )

        position.additional_properties = d
        return position

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
