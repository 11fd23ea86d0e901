from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.user_segment import UserSegment
from ..types import UNSET, Unset

T = TypeVar("T", bound="UserCreate")


@_attrs_define
class UserCreate:
    """
    Attributes:
        user_segment (UserSegment):
        email (str):
        password (str):
        full_name (None | str | Unset):
        account_equity (float | Unset):  Default: 100000.0.
    """

    user_segment: UserSegment
    email: str
    password: str
    full_name: None | str | Unset = UNSET
    account_equity: float | Unset = 100000.0

    def to_dict(self) -> dict[str, Any]:
        user_segment = self.user_segment.value

        email = self.email

        password = self.password

        full_name: None | str | Unset
        if isinstance(self.full_name, Unset):
            full_name = UNSET
        else:
            full_name = self.full_name

        account_equity = self.account_equity

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "user_segment": user_segment,
                "email": email,
                "password": password,
            }
        )
        if full_name is not UNSET:
            field_dict["full_name"] = full_name
        if account_equity is not UNSET:
            field_dict["account_equity"] = account_equity

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        user_segment = UserSegment(d.pop("user_segment"))

        email = d.pop("email")

        password = d.pop("password")

        def _parse_full_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        full_name = _parse_full_name(d.pop("full_name", UNSET))

        account_equity = d.pop("account_equity", UNSET)

        user_create = cls(
            user_segment=user_segment,
            email=email,
            password=password,
            full_name=full_name,
            account_equity=account_equity,
        )

        return user_create
