from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.agent_status import AgentStatus
from ..models.architecture import Architecture
from ..models.retrain_window import RetrainWindow
from ..models.version_role import VersionRole
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.agent_metrics import AgentMetrics
    from ..models.decision import Decision
    from ..models.leaderboard_entry import LeaderboardEntry
    from ..models.loss_point import LossPoint
    from ..models.walk_forward import WalkForward


T = TypeVar("T", bound="AgentVersionPublic")


@_attrs_define
class AgentVersionPublic:
    """
    Attributes:
        id (UUID):
        number (int):
        status (AgentStatus):
        sha256 (None | str):
        metrics (AgentMetrics): A version's evaluation on the test split only (`{}` until it is READY).
        loss_curve (list[LossPoint]):
        walk_forward (None | WalkForward): The rolling-origin folds the version was judged on; null when walk-forward
            was off or the history too short for one fold.
        start_date (datetime.date | None): First day of bars asked for.
        end_date (datetime.date | None): Last day of bars asked for.
        window (None | RetrainWindow): How a retrain moved the range.
        architecture (Architecture | None): The network this version trained (`auto` picks one per version).
        role (None | VersionRole): champion (serves), candidate (held back by the gate), retired; null until READY.
        decision (Decision | None): The champion/challenger verdict with both evaluations; null for a first version.
        leaderboard (list[LeaderboardEntry] | None): `auto`: each architecture trained, its validation loss (what chose)
            and, for comparison only, its test figures; null otherwise.
        failure_stage (AgentStatus | None):
        failure_reason (None | str):
        created_at (datetime.datetime):
        ready_at (datetime.datetime | None):
    """

    id: UUID
    number: int
    status: AgentStatus
    sha256: None | str
    metrics: AgentMetrics
    loss_curve: list[LossPoint]
    walk_forward: None | WalkForward
    start_date: datetime.date | None
    end_date: datetime.date | None
    window: None | RetrainWindow
    architecture: Architecture | None
    role: None | VersionRole
    decision: Decision | None
    leaderboard: list[LeaderboardEntry] | None
    failure_stage: AgentStatus | None
    failure_reason: None | str
    created_at: datetime.datetime
    ready_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.agent_metrics import AgentMetrics  # noqa: PLC0415
        from ..models.decision import Decision  # noqa: PLC0415
        from ..models.leaderboard_entry import LeaderboardEntry  # noqa: PLC0415
        from ..models.loss_point import LossPoint  # noqa: PLC0415
        from ..models.walk_forward import WalkForward  # noqa: PLC0415

        id = str(self.id)

        number = self.number

        status = self.status.value

        sha256: None | str
        sha256 = self.sha256

        metrics = self.metrics.to_dict()

        loss_curve = []
        for loss_curve_item_data in self.loss_curve:
            loss_curve_item = loss_curve_item_data.to_dict()
            loss_curve.append(loss_curve_item)

        walk_forward: dict[str, Any] | None
        if isinstance(self.walk_forward, WalkForward):
            walk_forward = self.walk_forward.to_dict()
        else:
            walk_forward = self.walk_forward

        start_date: None | str
        if isinstance(self.start_date, datetime.date):
            start_date = self.start_date.isoformat()
        else:
            start_date = self.start_date

        end_date: None | str
        if isinstance(self.end_date, datetime.date):
            end_date = self.end_date.isoformat()
        else:
            end_date = self.end_date

        window: None | str
        if isinstance(self.window, RetrainWindow):
            window = self.window.value
        else:
            window = self.window

        architecture: None | str
        if isinstance(self.architecture, Architecture):
            architecture = self.architecture.value
        else:
            architecture = self.architecture

        role: None | str
        if isinstance(self.role, VersionRole):
            role = self.role.value
        else:
            role = self.role

        decision: dict[str, Any] | None
        if isinstance(self.decision, Decision):
            decision = self.decision.to_dict()
        else:
            decision = self.decision

        leaderboard: list[dict[str, Any]] | None
        if isinstance(self.leaderboard, list):
            leaderboard = []
            for leaderboard_type_0_item_data in self.leaderboard:
                leaderboard_type_0_item = leaderboard_type_0_item_data.to_dict()
                leaderboard.append(leaderboard_type_0_item)

        else:
            leaderboard = self.leaderboard

        failure_stage: None | str
        if isinstance(self.failure_stage, AgentStatus):
            failure_stage = self.failure_stage.value
        else:
            failure_stage = self.failure_stage

        failure_reason: None | str
        failure_reason = self.failure_reason

        created_at = self.created_at.isoformat()

        ready_at: None | str
        if isinstance(self.ready_at, datetime.datetime):
            ready_at = self.ready_at.isoformat()
        else:
            ready_at = self.ready_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "number": number,
                "status": status,
                "sha256": sha256,
                "metrics": metrics,
                "loss_curve": loss_curve,
                "walk_forward": walk_forward,
                "start_date": start_date,
                "end_date": end_date,
                "window": window,
                "architecture": architecture,
                "role": role,
                "decision": decision,
                "leaderboard": leaderboard,
                "failure_stage": failure_stage,
                "failure_reason": failure_reason,
                "created_at": created_at,
                "ready_at": ready_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.agent_metrics import AgentMetrics  # noqa: PLC0415
        from ..models.decision import Decision  # noqa: PLC0415
        from ..models.leaderboard_entry import LeaderboardEntry  # noqa: PLC0415
        from ..models.loss_point import LossPoint  # noqa: PLC0415
        from ..models.walk_forward import WalkForward  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        number = d.pop("number")

        status = AgentStatus(d.pop("status"))

        def _parse_sha256(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sha256 = _parse_sha256(d.pop("sha256"))

        metrics = AgentMetrics.from_dict(d.pop("metrics"))

        loss_curve = []
        _loss_curve = d.pop("loss_curve")
        for loss_curve_item_data in _loss_curve:
            loss_curve_item = LossPoint.from_dict(loss_curve_item_data)

            loss_curve.append(loss_curve_item)

        def _parse_walk_forward(data: object) -> None | WalkForward:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                walk_forward_type_0 = WalkForward.from_dict(data)

                return walk_forward_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | WalkForward, data)

        walk_forward = _parse_walk_forward(d.pop("walk_forward"))

        def _parse_start_date(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                start_date_type_0 = datetime.date.fromisoformat(data)

                return start_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        start_date = _parse_start_date(d.pop("start_date"))

        def _parse_end_date(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                end_date_type_0 = datetime.date.fromisoformat(data)

                return end_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        end_date = _parse_end_date(d.pop("end_date"))

        def _parse_window(data: object) -> None | RetrainWindow:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                window_type_0 = RetrainWindow(data)

                return window_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RetrainWindow, data)

        window = _parse_window(d.pop("window"))

        def _parse_architecture(data: object) -> Architecture | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                architecture_type_0 = Architecture(data)

                return architecture_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Architecture | None, data)

        architecture = _parse_architecture(d.pop("architecture"))

        def _parse_role(data: object) -> None | VersionRole:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                role_type_0 = VersionRole(data)

                return role_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | VersionRole, data)

        role = _parse_role(d.pop("role"))

        def _parse_decision(data: object) -> Decision | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                decision_type_0 = Decision.from_dict(data)

                return decision_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Decision | None, data)

        decision = _parse_decision(d.pop("decision"))

        def _parse_leaderboard(data: object) -> list[LeaderboardEntry] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                leaderboard_type_0 = []
                _leaderboard_type_0 = data
                for leaderboard_type_0_item_data in _leaderboard_type_0:
                    leaderboard_type_0_item = LeaderboardEntry.from_dict(
                        leaderboard_type_0_item_data
                    )

                    leaderboard_type_0.append(leaderboard_type_0_item)

                return leaderboard_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[LeaderboardEntry] | None, data)

        leaderboard = _parse_leaderboard(d.pop("leaderboard"))

        def _parse_failure_stage(data: object) -> AgentStatus | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                failure_stage_type_0 = AgentStatus(data)

                return failure_stage_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AgentStatus | None, data)

        failure_stage = _parse_failure_stage(d.pop("failure_stage"))

        def _parse_failure_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        failure_reason = _parse_failure_reason(d.pop("failure_reason"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_ready_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ready_at_type_0 = datetime.datetime.fromisoformat(data)

                return ready_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        ready_at = _parse_ready_at(d.pop("ready_at"))

        agent_version_public = cls(
            id=id,
            number=number,
            status=status,
            sha256=sha256,
            metrics=metrics,
            loss_curve=loss_curve,
            walk_forward=walk_forward,
            start_date=start_date,
            end_date=end_date,
            window=window,
            architecture=architecture,
            role=role,
            decision=decision,
            leaderboard=leaderboard,
            failure_stage=failure_stage,
            failure_reason=failure_reason,
            created_at=created_at,
            ready_at=ready_at,
        )

        agent_version_public.additional_properties = d
        return agent_version_public

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
