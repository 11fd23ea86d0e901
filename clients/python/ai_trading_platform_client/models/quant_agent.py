from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.agent_status import AgentStatus
from ..models.architecture import Architecture
from ..models.data_frequency import DataFrequency
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.agent_metrics import AgentMetrics
    from ..models.leaderboard_entry import LeaderboardEntry
    from ..models.loss_point import LossPoint
    from ..models.track_record import TrackRecord


T = TypeVar("T", bound="QuantAgent")


@_attrs_define
class QuantAgent:
    """
    Attributes:
        agent_id (UUID):
        name (str):
        symbol (str):
        architecture (Architecture): The network an agent trains (requests accept it in any letter case); `auto`
            trains all three on the same split and serves the best on validation loss.
        data_frequency (DataFrequency): The bar lengths an agent can be trained on.
        prediction_horizon (str):
        status (AgentStatus):
        serving_version_id (None | UUID):
        serving_version_number (int | None):
        metrics (AgentMetrics | None): The serving version's evaluation.
        loss_curve (list[LossPoint]): The serving version's, per epoch.
        leaderboard (list[LeaderboardEntry] | None): `auto` agents: every architecture the serving version trained, the
            one chosen on validation loss marked; null otherwise.
        track_record (TrackRecord): An agent's live record: calls whose horizon has passed, and how many were right.

            A call is counted once per (agent version, symbol, bar), however often it was
            asked for; a call is right when the price moved the way it was forecast to.
    """

    agent_id: UUID
    name: str
    symbol: str
    architecture: Architecture
    data_frequency: DataFrequency
    prediction_horizon: str
    status: AgentStatus
    serving_version_id: None | UUID
    serving_version_number: int | None
    metrics: AgentMetrics | None
    loss_curve: list[LossPoint]
    leaderboard: list[LeaderboardEntry] | None
    track_record: TrackRecord
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.agent_metrics import AgentMetrics  # noqa: PLC0415
        from ..models.leaderboard_entry import LeaderboardEntry  # noqa: PLC0415
        from ..models.loss_point import LossPoint  # noqa: PLC0415
        from ..models.track_record import TrackRecord  # noqa: PLC0415

        agent_id = str(self.agent_id)

        name = self.name

        symbol = self.symbol

        architecture = self.architecture.value

        data_frequency = self.data_frequency.value

        prediction_horizon = self.prediction_horizon

        status = self.status.value

        serving_version_id: None | str
        if isinstance(self.serving_version_id, UUID):
            serving_version_id = str(self.serving_version_id)
        else:
            serving_version_id = self.serving_version_id

        serving_version_number: int | None
        serving_version_number = self.serving_version_number

        metrics: dict[str, Any] | None
        if isinstance(self.metrics, AgentMetrics):
            metrics = self.metrics.to_dict()
        else:
            metrics = self.metrics

        loss_curve = []
        for loss_curve_item_data in self.loss_curve:
            loss_curve_item = loss_curve_item_data.to_dict()
            loss_curve.append(loss_curve_item)

        leaderboard: list[dict[str, Any]] | None
        if isinstance(self.leaderboard, list):
            leaderboard = []
            for leaderboard_type_0_item_data in self.leaderboard:
                leaderboard_type_0_item = leaderboard_type_0_item_data.to_dict()
                leaderboard.append(leaderboard_type_0_item)

        else:
            leaderboard = self.leaderboard

        track_record = self.track_record.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agent_id": agent_id,
                "name": name,
                "symbol": symbol,
                "architecture": architecture,
                "data_frequency": data_frequency,
                "prediction_horizon": prediction_horizon,
                "status": status,
                "serving_version_id": serving_version_id,
                "serving_version_number": serving_version_number,
                "metrics": metrics,
                "loss_curve": loss_curve,
                "leaderboard": leaderboard,
                "track_record": track_record,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.agent_metrics import AgentMetrics  # noqa: PLC0415
        from ..models.leaderboard_entry import LeaderboardEntry  # noqa: PLC0415
        from ..models.loss_point import LossPoint  # noqa: PLC0415
        from ..models.track_record import TrackRecord  # noqa: PLC0415

        d = dict(src_dict)
        agent_id = UUID(d.pop("agent_id"))

        name = d.pop("name")

        symbol = d.pop("symbol")

        architecture = Architecture(d.pop("architecture"))

        data_frequency = DataFrequency(d.pop("data_frequency"))

        prediction_horizon = d.pop("prediction_horizon")

        status = AgentStatus(d.pop("status"))

        def _parse_serving_version_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                serving_version_id_type_0 = UUID(data)

                return serving_version_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        serving_version_id = _parse_serving_version_id(d.pop("serving_version_id"))

        def _parse_serving_version_number(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        serving_version_number = _parse_serving_version_number(d.pop("serving_version_number"))

        def _parse_metrics(data: object) -> AgentMetrics | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metrics_type_0 = AgentMetrics.from_dict(data)

                return metrics_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AgentMetrics | None, data)

        metrics = _parse_metrics(d.pop("metrics"))

        loss_curve = []
        _loss_curve = d.pop("loss_curve")
        for loss_curve_item_data in _loss_curve:
            loss_curve_item = LossPoint.from_dict(loss_curve_item_data)

            loss_curve.append(loss_curve_item)

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

        track_record = TrackRecord.from_dict(d.pop("track_record"))

        quant_agent = cls(
            agent_id=agent_id,
            name=name,
            symbol=symbol,
            architecture=architecture,
            data_frequency=data_frequency,
            prediction_horizon=prediction_horizon,
            status=status,
            serving_version_id=serving_version_id,
            serving_version_number=serving_version_number,
            metrics=metrics,
            loss_curve=loss_curve,
            leaderboard=leaderboard,
            track_record=track_record,
        )

        quant_agent.additional_properties = d
        return quant_agent

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
