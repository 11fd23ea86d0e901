from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.retrain_policy import RetrainPolicy


T = TypeVar("T", bound="AgentUpdate")


@_attrs_define
class AgentUpdate:
    """What may change on an existing agent (`PATCH /agents/{id}`).

    Attributes:
        retrain_policy (None | RetrainPolicy): The new policy, replacing the old one whole; null clears it (the agent is
            then retrained only on request).
    """

    retrain_policy: None | RetrainPolicy

    def to_dict(self) -> dict[str, Any]:
        from ..models.retrain_policy import RetrainPolicy  # noqa: PLC0415

        retrain_policy: dict[str, Any] | None
        if isinstance(self.retrain_policy, RetrainPolicy):
            retrain_policy = self.retrain_policy.to_dict()
        else:
            retrain_policy = self.retrain_policy

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "retrain_policy": retrain_policy,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.retrain_policy import RetrainPolicy  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_retrain_policy(data: object) -> None | RetrainPolicy:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                retrain_policy_type_0 = RetrainPolicy.from_dict(data)

                return retrain_policy_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RetrainPolicy, data)

        retrain_policy = _parse_retrain_policy(d.pop("retrain_policy"))

        agent_update = cls(
            retrain_policy=retrain_policy,
        )

        return agent_update
