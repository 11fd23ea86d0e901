from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TrackRecord")


@_attrs_define
class TrackRecord:
    """An agent's live record: calls whose horizon has passed, and how many were right.

    A call is counted once per (agent version, symbol, bar), however often it was
    asked for; a call is right when the price moved the way it was forecast to.

        Attributes:
            n_calls (int): Calls whose outcome is known. Default: 0.
            n_right (int):  Default: 0.
            hit_rate (float | None): n_right / n_calls; null before the first outcome.
    """

    hit_rate: float | None
    n_calls: int = 0
    n_right: int = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        n_calls = self.n_calls

        n_right = self.n_right

        hit_rate: float | None
        hit_rate = self.hit_rate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "n_calls": n_calls,
                "n_right": n_right,
                "hit_rate": hit_rate,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        n_calls = d.pop("n_calls")

        n_right = d.pop("n_right")

        def _parse_hit_rate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        hit_rate = _parse_hit_rate(d.pop("hit_rate"))

        track_record = cls(
            n_calls=n_calls,
            n_right=n_right,
            hit_rate=hit_rate,
        )

        track_record.additional_properties = d
        return track_record

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
