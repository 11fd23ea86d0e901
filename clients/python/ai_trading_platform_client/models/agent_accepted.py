from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.agent_status import AgentStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="AgentAccepted")


@_attrs_define
class AgentAccepted:
    """
    Attributes:
        agent_id (UUID):
        version_id (UUID): The version this request queued: the first on creation, the challenger on a retrain (a
            replayed request names the same one).
        status (AgentStatus):
        status_url (str):
        events_url (str):
    """

    agent_id: UUID
    version_id: UUID
    status: AgentStatus
    status_url: str
    events_url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agent_id = str(self.agent_id)

        version_id = str(self.version_id)

        status = self.status.value

        status_url = self.status_url

        events_url = self.events_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agent_id": agent_id,
                "version_id": version_id,
                "status": status,
                "status_url": status_url,
                "events_url": events_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        agent_id = UUID(d.pop("agent_id"))

        version_id = UUID(d.pop("version_id"))

        status = AgentStatus(d.pop("status"))

        status_url = d.pop("status_url")

        events_url = d.pop("events_url")

        agent_accepted = cls(
            agent_id=agent_id,
            version_id=version_id,
            status=status,
            status_url=status_url,
            events_url=events_url,
        )

        agent_accepted.additional_properties = d
        return agent_accepted

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
