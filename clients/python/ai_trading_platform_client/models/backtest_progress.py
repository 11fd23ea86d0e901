from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="BacktestProgress")


@_attrs_define
class BacktestProgress:
    """How far a running backtest got (the last heartbeat's news).

    Attributes:
        stage (None | str): `fetching_data`, `forecasting`, `replaying`, then `done`
        done (int | None): Bars forecast so far
        total (int | None): Bars to forecast, or to replay
    """

    stage: None | str
    done: int | None
    total: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        stage: None | str
        stage = self.stage

        done: int | None
        done = self.done

        total: int | None
        total = self.total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "stage": stage,
                "done": done,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_stage(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        stage = _parse_stage(d.pop("stage"))

        def _parse_done(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        done = _parse_done(d.pop("done"))

        def _parse_total(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        total = _parse_total(d.pop("total"))

        backtest_progress = cls(
            stage=stage,
            done=done,
            total=total,
        )

        backtest_progress.additional_properties = d
        return backtest_progress

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
