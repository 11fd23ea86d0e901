from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="LossPoint")


@_attrs_define
class LossPoint:
    """One epoch of the training curve (losses on scaled targets; null if not finite).

    Attributes:
        epoch (int):
        loss (float | None):
        val_loss (float | None):
    """

    epoch: int
    loss: float | None
    val_loss: float | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        epoch = self.epoch

        loss: float | None
        loss = self.loss

        val_loss: float | None
        val_loss = self.val_loss

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "epoch": epoch,
                "loss": loss,
                "val_loss": val_loss,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        epoch = d.pop("epoch")

        def _parse_loss(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        loss = _parse_loss(d.pop("loss"))

        def _parse_val_loss(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        val_loss = _parse_val_loss(d.pop("val_loss"))

        loss_point = cls(
            epoch=epoch,
            loss=loss,
            val_loss=val_loss,
        )

        loss_point.additional_properties = d
        return loss_point

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
