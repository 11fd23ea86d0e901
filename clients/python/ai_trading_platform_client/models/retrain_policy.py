from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RetrainPolicy")


@_attrs_define
class RetrainPolicy:
    """When the scheduler retrains the agent by itself, through the same path as
    `POST /agents/{id}/retrain`: after `every_bars` new bars of its frequency past the
    serving version's data, and/or whenever it is flagged stale. At least one is set.

        Attributes:
            every_bars (int | None | Unset): Retrain once this many bars have passed since the serving version's last bar.
            when_stale (bool | Unset): Retrain when the agent is flagged stale (`stale_reasons`). Default: False.
    """

    every_bars: int | None | Unset = UNSET
    when_stale: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        every_bars: int | None | Unset
        if isinstance(self.every_bars, Unset):
            every_bars = UNSET
        else:
            every_bars = self.every_bars

        when_stale = self.when_stale

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if every_bars is not UNSET:
            field_dict["every_bars"] = every_bars
        if when_stale is not UNSET:
            field_dict["when_stale"] = when_stale

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_every_bars(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        every_bars = _parse_every_bars(d.pop("every_bars", UNSET))

        when_stale = d.pop("when_stale", UNSET)

        retrain_policy = cls(
            every_bars=every_bars,
            when_stale=when_stale,
        )

        return retrain_policy
