from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.retrain_window import RetrainWindow
from ..types import UNSET, Unset

T = TypeVar("T", bound="RetrainRequest")


@_attrs_define
class RetrainRequest:
    """Optional: without a body a retrain learns up to today on a rolling window.

    Attributes:
        end_date (datetime.date | None | Unset): Last day of bars to learn (default: today, i.e. the latest complete
            bar). Not before the latest version's end_date, not in the future.
        window (RetrainWindow | Unset): How a retrain moves the training range to its new end: `rolling` keeps its
            length, `expanding` keeps its start.
    """

    end_date: datetime.date | None | Unset = UNSET
    window: RetrainWindow | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        end_date: None | str | Unset
        if isinstance(self.end_date, Unset):
            end_date = UNSET
        elif isinstance(self.end_date, datetime.date):
            end_date = self.end_date.isoformat()
        else:
            end_date = self.end_date

        window: str | Unset = UNSET
        if not isinstance(self.window, Unset):
            window = self.window.value

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if end_date is not UNSET:
            field_dict["end_date"] = end_date
        if window is not UNSET:
            field_dict["window"] = window

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_end_date(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                end_date_type_0 = datetime.date.fromisoformat(data)

                return end_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        end_date = _parse_end_date(d.pop("end_date", UNSET))

        _window = d.pop("window", UNSET)
        window: RetrainWindow | Unset
        if isinstance(_window, Unset):
            window = UNSET
        else:
            window = RetrainWindow(_window)

        retrain_request = cls(
            end_date=end_date,
            window=window,
        )

        return retrain_request
