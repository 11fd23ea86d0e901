from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.user_segment import UserSegment
from ..types import UNSET, Unset

T = TypeVar("T", bound="UserUpdate")


@_attrs_define
class UserUpdate:
    """What a user may change about themselves; e-mail and owner-only fields are not here
    (and sending one is a 422 naming it).

        Attributes:
            full_name (None | str | Unset):
            user_segment (None | Unset | UserSegment):
            account_equity (float | None | Unset):
    """

    full_name: None | str | Unset = UNSET
    user_segment: None | Unset | UserSegment = UNSET
    account_equity: float | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        full_name: None | str | Unset
        if isinstance(self.full_name, Unset):
            full_name = UNSET
        else:
            full_name = self.full_name

        user_segment: None | str | Unset
        if isinstance(self.user_segment, Unset):
            user_segment = UNSET
        elif isinstance(self.user_segment, UserSegment):
            user_segment = self.user_segment.value
        else:
            user_segment = self.user_segment

        account_equity: float | None | Unset
        if isinstance(self.account_equity, Unset):
            account_equity = UNSET
        else:
            account_equity = self.account_equity

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if full_name is not UNSET:
            field_dict["full_name"] = full_name
        if user_segment is not UNSET:
            field_dict["user_segment"] = user_segment
        if account_equity is not UNSET:
            field_dict["account_equity"] = account_equity

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_full_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        full_name = _parse_full_name(d.pop("full_name", UNSET))

        def _parse_user_segment(data: object) -> None | Unset | UserSegment:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                user_segment_type_0 = UserSegment(data)

                return user_segment_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UserSegment, data)

        user_segment = _parse_user_segment(d.pop("user_segment", UNSET))

        def _parse_account_equity(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        account_equity = _parse_account_equity(d.pop("account_equity", UNSET))

        user_update = cls(
            full_name=full_name,
            user_segment=user_segment,
            account_equity=account_equity,
        )

        return user_update
