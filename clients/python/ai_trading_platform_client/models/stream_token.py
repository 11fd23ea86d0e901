from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, Literal, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="StreamToken")


@_attrs_define
class StreamToken:
    """A single-use, short-lived token that opens one agent's event stream.

    Attributes:
        token (str): Put it in `?token=` on this agent's events URL; once.
        token_type (Literal['stream']):  Default: 'stream'.
        expires_at (datetime.datetime): Unused after this instant, it is refused.
        expires_in (int): Seconds until `expires_at`.
        events_url (str): The agent's events URL with the token: what `new EventSource(...)` takes.
    """

    token: str
    expires_at: datetime.datetime
    expires_in: int
    events_url: str
    token_type: Literal["stream"] = "stream"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        token = self.token

        token_type = self.token_type

        expires_at = self.expires_at.isoformat()

        expires_in = self.expires_in

        events_url = self.events_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "token": token,
                "token_type": token_type,
                "expires_at": expires_at,
                "expires_in": expires_in,
                "events_url": events_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        token = d.pop("token")

        token_type = cast(Literal["stream"], d.pop("token_type"))
        if token_type != "stream":
            raise ValueError(f"token_type must match const 'stream', got '{token_type}'")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        expires_in = d.pop("expires_in")

        events_url = d.pop("events_url")

        stream_token = cls(
            token=token,
            token_type=token_type,
            expires_at=expires_at,
            expires_in=expires_in,
            events_url=events_url,
        )

        stream_token.additional_properties = d
        return stream_token

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
