from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.agent_status import AgentStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="NotificationPayload")


@_attrs_define
class NotificationPayload:
    """What a notification (and its webhook delivery) says about the agent.

    Attributes:
        agent_id (str):
        agent_name (str):
        symbol (str):
        status (AgentStatus):
        reason (str | Unset): Why it failed or was re-queued.
        failure_stage (AgentStatus | Unset):
        retry (bool | Unset): Re-queued for another attempt.
        retry_in_s (float | Unset): Seconds until the retry.
        resume_epoch (int | Unset): The epoch a re-queued run resumes from.
    """

    agent_id: str
    agent_name: str
    symbol: str
    status: AgentStatus
    reason: str | Unset = UNSET
    failure_stage: AgentStatus | Unset = UNSET
    retry: bool | Unset = UNSET
    retry_in_s: float | Unset = UNSET
    resume_epoch: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agent_id = self.agent_id

        agent_name = self.agent_name

        symbol = self.symbol

        status = self.status.value

        reason = self.reason

        failure_stage: str | Unset = UNSET
        if not isinstance(self.failure_stage, Unset):
            failure_stage = self.failure_stage.value

        retry = self.retry

        retry_in_s = self.retry_in_s

        resume_epoch = self.resume_epoch

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agent_id": agent_id,
                "agent_name": agent_name,
                "symbol": symbol,
                "status": status,
            }
        )
        if reason is not UNSET:
            field_dict["reason"] = reason
        if failure_stage is not UNSET:
            field_dict["failure_stage"] = failure_stage
        if retry is not UNSET:
            field_dict["retry"] = retry
        if retry_in_s is not UNSET:
            field_dict["retry_in_s"] = retry_in_s
        if resume_epoch is not UNSET:
            field_dict["resume_epoch"] = resume_epoch

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        agent_id = d.pop("agent_id")

        agent_name = d.pop("agent_name")

        symbol = d.pop("symbol")

        status = AgentStatus(d.pop("status"))

        reason = d.pop("reason", UNSET)

        _failure_stage = d.pop("failure_stage", UNSET)
        failure_stage: AgentStatus | Unset
        if isinstance(_failure_stage, Unset):
            failure_stage = UNSET
        else:
            failure_stage = AgentStatus(_failure_stage)

        retry = d.pop("retry", UNSET)

        retry_in_s = d.pop("retry_in_s", UNSET)

        resume_epoch = d.pop("resume_epoch", UNSET)

        notification_payload = cls(
            agent_id=agent_id,
            agent_name=agent_name,
            symbol=symbol,
            status=status,
            reason=reason,
            failure_stage=failure_stage,
            retry=retry,
            retry_in_s=retry_in_s,
            resume_epoch=resume_epoch,
        )

        notification_payload.additional_properties = d
        return notification_payload

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
