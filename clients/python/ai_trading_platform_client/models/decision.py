from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.held_out_score import HeldOutScore


T = TypeVar("T", bound="Decision")


@_attrs_define
class Decision:
    """The champion/challenger gate's verdict on a retrained version, with both
    evaluations on the same most recent held-out period (the challenger's test split).

        Attributes:
            promote (bool | Unset): True: the challenger serves; false: it stays a candidate.
            reason (str | Unset): Why, in plain words, with the numbers.
            rule (str | Unset): The rule applied (docs/MODELS.md, Champion and challenger).
            challenger (HeldOutScore | Unset): How one version forecast the challenger's test period.
            champion (HeldOutScore | Unset): How one version forecast the challenger's test period.
            promoted_by_user (str | Unset): Set when a user promoted the version or rolled back.
    """

    promote: bool | Unset = UNSET
    reason: str | Unset = UNSET
    rule: str | Unset = UNSET
    challenger: HeldOutScore | Unset = UNSET
    champion: HeldOutScore | Unset = UNSET
    promoted_by_user: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.held_out_score import HeldOutScore  # noqa: PLC0415

        promote = self.promote

        reason = self.reason

        rule = self.rule

        challenger: dict[str, Any] | Unset = UNSET
        if not isinstance(self.challenger, Unset):
            challenger = self.challenger.to_dict()

        champion: dict[str, Any] | Unset = UNSET
        if not isinstance(self.champion, Unset):
            champion = self.champion.to_dict()

        promoted_by_user = self.promoted_by_user

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if promote is not UNSET:
            field_dict["promote"] = promote
        if reason is not UNSET:
            field_dict["reason"] = reason
        if rule is not UNSET:
            field_dict["rule"] = rule
        if challenger is not UNSET:
            field_dict["challenger"] = challenger
        if champion is not UNSET:
            field_dict["champion"] = champion
        if promoted_by_user is not UNSET:
            field_dict["promoted_by_user"] = promoted_by_user

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.held_out_score import HeldOutScore  # noqa: PLC0415

        d = dict(src_dict)
        promote = d.pop("promote", UNSET)

        reason = d.pop("reason", UNSET)

        rule = d.pop("rule", UNSET)

        _challenger = d.pop("challenger", UNSET)
        challenger: HeldOutScore | Unset
        if isinstance(_challenger, Unset):
            challenger = UNSET
        else:
            challenger = HeldOutScore.from_dict(_challenger)

        _champion = d.pop("champion", UNSET)
        champion: HeldOutScore | Unset
        if isinstance(_champion, Unset):
            champion = UNSET
        else:
            champion = HeldOutScore.from_dict(_champion)

        promoted_by_user = d.pop("promoted_by_user", UNSET)

        decision = cls(
            promote=promote,
            reason=reason,
            rule=rule,
            challenger=challenger,
            champion=champion,
            promoted_by_user=promoted_by_user,
        )

        decision.additional_properties = d
        return decision

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
