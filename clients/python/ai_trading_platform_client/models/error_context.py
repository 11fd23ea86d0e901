from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error_context_create_agent_request import ErrorContextCreateAgentRequest


T = TypeVar("T", bound="ErrorContext")


@_attrs_define
class ErrorContext:
    """What a non-field error tells about itself; which keys depend on `code`.

    Attributes:
        symbol (str | Unset):
        create_agent_request (ErrorContextCreateAgentRequest | Unset):
        agent_id (str | Unset):
        columns (list[str] | Unset):
        reasons (list[str] | Unset):
        grant_type (None | str | Unset):
        missing (str | Unset):
        database (str | Unset):
        redis (str | Unset):
    """

    symbol: str | Unset = UNSET
    create_agent_request: ErrorContextCreateAgentRequest | Unset = UNSET
    agent_id: str | Unset = UNSET
    columns: list[str] | Unset = UNSET
    reasons: list[str] | Unset = UNSET
    grant_type: None | str | Unset = UNSET
    missing: str | Unset = UNSET
    database: str | Unset = UNSET
    redis: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.error_context_create_agent_request import ErrorContextCreateAgentRequest  # noqa: PLC0415

        symbol = self.symbol

        create_agent_request: dict[str, Any] | Unset = UNSET
        if not isinstance(self.create_agent_request, Unset):
            create_agent_request = self.create_agent_request.to_dict()

        agent_id = self.agent_id

        columns: list[str] | Unset = UNSET
        if not isinstance(self.columns, Unset):
            columns = self.columns

        reasons: list[str] | Unset = UNSET
        if not isinstance(self.reasons, Unset):
            reasons = self.reasons

        grant_type: None | str | Unset
        if isinstance(self.grant_type, Unset):
            grant_type = UNSET
        else:
            grant_type = self.grant_type

        missing = self.missing

        database = self.database

        redis = self.redis

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if symbol is not UNSET:
            field_dict["symbol"] = symbol
        if create_agent_request is not UNSET:
            field_dict["create_agent_request"] = create_agent_request
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id
        if columns is not UNSET:
            field_dict["columns"] = columns
        if reasons is not UNSET:
            field_dict["reasons"] = reasons
        if grant_type is not UNSET:
            field_dict["grant_type"] = grant_type
        if missing is not UNSET:
            field_dict["missing"] = missing
        if database is not UNSET:
            field_dict["database"] = database
        if redis is not UNSET:
            field_dict["redis"] = redis

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.error_context_create_agent_request import ErrorContextCreateAgentRequest  # noqa: PLC0415

        d = dict(src_dict)
        symbol = d.pop("symbol", UNSET)

        _create_agent_request = d.pop("create_agent_request", UNSET)
        create_agent_request: ErrorContextCreateAgentRequest | Unset
        if isinstance(_create_agent_request, Unset):
            create_agent_request = UNSET
        else:
            create_agent_request = ErrorContextCreateAgentRequest.from_dict(_create_agent_request)

        agent_id = d.pop("agent_id", UNSET)

        columns = cast(list[str], d.pop("columns", UNSET))

        reasons = cast(list[str], d.pop("reasons", UNSET))

        def _parse_grant_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        grant_type = _parse_grant_type(d.pop("grant_type", UNSET))

        missing = d.pop("missing", UNSET)

        database = d.pop("database", UNSET)

        redis = d.pop("redis", UNSET)

        error_context = cls(
            symbol=symbol,
            create_agent_request=create_agent_request,
            agent_id=agent_id,
            columns=columns,
            reasons=reasons,
            grant_type=grant_type,
            missing=missing,
            database=database,
            redis=redis,
        )

        error_context.additional_properties = d
        return error_context

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
