from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.backtest_status import BacktestStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.backtest_progress import BacktestProgress
    from ..models.backtest_settings import BacktestSettings


T = TypeVar("T", bound="BacktestSummary")


@_attrs_define
class BacktestSummary:
    """
    Attributes:
        id (UUID):
        agent_id (UUID):
        version_id (UUID):
        status (BacktestStatus):
        status_url (str):
        progress (BacktestProgress): How far a running backtest got (the last heartbeat's news).
        attempts (int):
        error (None | str):
        created_at (datetime.datetime):
        started_at (datetime.datetime | None):
        finished_at (datetime.datetime | None):
        request (BacktestSettings): The request as the job ran it, every default filled in.
    """

    id: UUID
    agent_id: UUID
    version_id: UUID
    status: BacktestStatus
    status_url: str
    progress: BacktestProgress
    attempts: int
    error: None | str
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    request: BacktestSettings
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.backtest_progress import BacktestProgress  # noqa: PLC0415
        from ..models.backtest_settings import BacktestSettings  # noqa: PLC0415

        id = str(self.id)

        agent_id = str(self.agent_id)

        version_id = str(self.version_id)

        status = self.status.value

        status_url = self.status_url

        progress = self.progress.to_dict()

        attempts = self.attempts

        error: None | str
        error = self.error

        created_at = self.created_at.isoformat()

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        request = self.request.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "agent_id": agent_id,
                "version_id": version_id,
                "status": status,
                "status_url": status_url,
                "progress": progress,
                "attempts": attempts,
                "error": error,
                "created_at": created_at,
                "started_at": started_at,
                "finished_at": finished_at,
                "request": request,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.backtest_progress import BacktestProgress  # noqa: PLC0415
        from ..models.backtest_settings import BacktestSettings  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        agent_id = UUID(d.pop("agent_id"))

        version_id = UUID(d.pop("version_id"))

        status = BacktestStatus(d.pop("status"))

        status_url = d.pop("status_url")

        progress = BacktestProgress.from_dict(d.pop("progress"))

        attempts = d.pop("attempts")

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        started_at = _parse_started_at(d.pop("started_at"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        request = BacktestSettings.from_dict(d.pop("request"))

        backtest_summary = cls(
            id=id,
            agent_id=agent_id,
            version_id=version_id,
            status=status,
            status_url=status_url,
            progress=progress,
            attempts=attempts,
            error=error,
            created_at=created_at,
            started_at=started_at,
            finished_at=finished_at,
            request=request,
        )

        backtest_summary.additional_properties = d
        return backtest_summary

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
