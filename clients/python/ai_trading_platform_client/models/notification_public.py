from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.notification_event import NotificationEvent
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.notification_payload import NotificationPayload


T = TypeVar("T", bound="NotificationPublic")


@_attrs_define
class NotificationPublic:
    """
    Attributes:
        id (int):
        agent_id (None | UUID):
        event (NotificationEvent): The events a notification row can carry: `agent.<status>` for each agent
            state (`agent.progress` is streamed, never stored).
        payload (NotificationPayload): What a notification (and its webhook delivery) says about the agent.
        read_at (datetime.datetime | None):
        created_at (datetime.datetime):
    """

    id: int
    agent_id: None | UUID
    event: NotificationEvent
    payload: NotificationPayload
    read_at: datetime.datetime | None
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.notification_payload import NotificationPayload  # noqa: PLC0415

        id = self.id

        agent_id: None | str
        if isinstance(self.agent_id, UUID):
            agent_id = str(self.agent_id)
        else:
            agent_id = self.agent_id

        event = self.event.value

        payload = self.payload.to_dict()

        read_at: None | str
        if isinstance(self.read_at, datetime.datetime):
            read_at = self.read_at.isoformat()
        else:
            read_at = self.read_at

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "agent_id": agent_id,
                "event": event,
                "payload": payload,
                "read_at": read_at,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.notification_payload import NotificationPayload  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        def _parse_agent_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                agent_id_type_0 = UUID(data)

                return agent_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        agent_id = _parse_agent_id(d.pop("agent_id"))

        event = NotificationEvent(d.pop("event"))

        payload = NotificationPayload.from_dict(d.pop("payload"))

        def _parse_read_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                read_at_type_0 = datetime.datetime.fromisoformat(data)

                return read_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        read_at = _parse_read_at(d.pop("read_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        notification_public = cls(
            id=id,
            agent_id=agent_id,
            event=event,
            payload=payload,
            read_at=read_at,
            created_at=created_at,
        )

        notification_public.additional_properties = d
        return notification_public

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
