from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, Literal, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error_body import ErrorBody
    from ..models.not_ready_checks import NotReadyChecks


T = TypeVar("T", bound="NotReady")


@_attrs_define
class NotReady:
    """The one error shape, with the probe's own fields beside it.

    Attributes:
        error (ErrorBody):
        checks (NotReadyChecks):
        status (Literal['not_ready'] | Unset):  Default: 'not_ready'.
    """

    error: ErrorBody
    checks: NotReadyChecks
    status: Literal["not_ready"] | Unset = "not_ready"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.error_body import ErrorBody  # noqa: PLC0415
        from ..models.not_ready_checks import NotReadyChecks  # noqa: PLC0415

        error = self.error.to_dict()

        checks = self.checks.to_dict()

        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
                "checks": checks,
            }
        )
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.error_body import ErrorBody  # noqa: PLC0415
        from ..models.not_ready_checks import NotReadyChecks  # noqa: PLC0415

        d = dict(src_dict)
        error = ErrorBody.from_dict(d.pop("error"))

        checks = NotReadyChecks.from_dict(d.pop("checks"))

        status = cast(Literal["not_ready"] | Unset, d.pop("status", UNSET))
        if status != "not_ready" and not isinstance(status, Unset):
            raise ValueError(f"status must match const 'not_ready', got '{status}'")

        not_ready = cls(
            error=error,
            checks=checks,
            status=status,
        )

        not_ready.additional_properties = d
        return not_ready

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
