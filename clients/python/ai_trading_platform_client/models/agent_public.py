from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.agent_status import AgentStatus
from ..models.architecture import Architecture
from ..models.data_frequency import DataFrequency
from ..models.data_source import DataSource
from ..models.feature import Feature
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.agent_metrics import AgentMetrics
    from ..models.agent_risk_params import AgentRiskParams
    from ..models.agent_version_public import AgentVersionPublic
    from ..models.hyperparameters import Hyperparameters
    from ..models.instrument_shape import InstrumentShape
    from ..models.progress import Progress
    from ..models.retrain_policy import RetrainPolicy
    from ..models.stale_reason import StaleReason
    from ..models.track_record import TrackRecord


T = TypeVar("T", bound="AgentPublic")


@_attrs_define
class AgentPublic:
    """
    Attributes:
        id (UUID):
        name (str):
        symbol (str): The code the agent's data source is asked for (its instrument's vendor code: a RIC on refinitiv, a
            Bloomberg security on bloomberg).
        instrument (InstrumentShape): The instrument an agent's symbol resolved to (`app.core.instruments`); an
            agent from before instruments has the one its symbol resolves to today.
        data_source (DataSource): Where an agent's bars come from (docs/MARKET_DATA.md).
        data_frequency (DataFrequency): The bar lengths an agent can be trained on.
        prediction_horizon (str):
        start_date (datetime.date):
        end_date (datetime.date):
        features (list[Feature]):
        sentiment_enabled (bool):
        risk_params (AgentRiskParams): The agent's risk settings, used when its backtest replays the signal rule
            (an agent from before they were stored has `{}`).
        architecture (Architecture): The network an agent trains (requests accept it in any letter case); `auto`
            trains all three on the same split and serves the best on validation loss.
        epochs (int):
        hyperparameters (Hyperparameters): The model and optimiser settings the agent trains with (`seed` only when a
            quant
            fixed it; an agent from before they were stored has `{}`).
        callback_url (None | str):
        status (AgentStatus):
        failure_stage (AgentStatus | None):
        failure_reason (None | str):
        progress (Progress): The last finished epoch while the agent trains; `{}` before the first.
        serving_version_id (None | UUID):
        needs_retraining (bool):
        stale_reasons (list[StaleReason] | None): Why needs_retraining is set: data_age, drift or live_record, each with
            a plain-English detail and its numbers; null when not stale.
        retrain_policy (None | RetrainPolicy): When the platform retrains the agent by itself; null: only on request.
        data_warnings (list[str]): What to know about the agent's data, e.g. that the bars are synthetic.
        metrics (AgentMetrics | None): Evaluation metrics of the serving version.
        versions (list[AgentVersionPublic]):
        track_record (TrackRecord): An agent's live record: calls whose horizon has passed, and how many were right.

            A call is counted once per (agent version, symbol, bar), however often it was
            asked for; a call is right when the price moved the way it was forecast to.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: UUID
    name: str
    symbol: str
    instrument: InstrumentShape
    data_source: DataSource
    data_frequency: DataFrequency
    prediction_horizon: str
    start_date: datetime.date
    end_date: datetime.date
    features: list[Feature]
    sentiment_enabled: bool
    risk_params: AgentRiskParams
    architecture: Architecture
    epochs: int
    hyperparameters: Hyperparameters
    callback_url: None | str
    status: AgentStatus
    failure_stage: AgentStatus | None
    failure_reason: None | str
    progress: Progress
    serving_version_id: None | UUID
    needs_retraining: bool
    stale_reasons: list[StaleReason] | None
    retrain_policy: None | RetrainPolicy
    data_warnings: list[str]
    metrics: AgentMetrics | None
    versions: list[AgentVersionPublic]
    track_record: TrackRecord
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.agent_metrics import AgentMetrics  # noqa: PLC0415
        from ..models.agent_risk_params import AgentRiskParams  # noqa: PLC0415
        from ..models.agent_version_public import AgentVersionPublic  # noqa: PLC0415
        from ..models.hyperparameters import Hyperparameters  # noqa: PLC0415
        from ..models.instrument_shape import InstrumentShape  # noqa: PLC0415
        from ..models.progress import Progress  # noqa: PLC0415
        from ..models.retrain_policy import RetrainPolicy  # noqa: PLC0415
        from ..models.stale_reason import StaleReason  # noqa: PLC0415
        from ..models.track_record import TrackRecord  # noqa: PLC0415

        id = str(self.id)

        name = self.name

        symbol = self.symbol

        instrument = self.instrument.to_dict()

        data_source = self.data_source.value

        data_frequency = self.data_frequency.value

        prediction_horizon = self.prediction_horizon

        start_date = self.start_date.isoformat()

        end_date = self.end_date.isoformat()

        features = []
        for features_item_data in self.features:
            features_item = features_item_data.value
            features.append(features_item)

        sentiment_enabled = self.sentiment_enabled

        risk_params = self.risk_params.to_dict()

        architecture = self.architecture.value

        epochs = self.epochs

        hyperparameters = self.hyperparameters.to_dict()

        callback_url: None | str
        callback_url = self.callback_url

        status = self.status.value

        failure_stage: None | str
        if isinstance(self.failure_stage, AgentStatus):
            failure_stage = self.failure_stage.value
        else:
            failure_stage = self.failure_stage

        failure_reason: None | str
        failure_reason = self.failure_reason

        progress = self.progress.to_dict()

        serving_version_id: None | str
        if isinstance(self.serving_version_id, UUID):
            serving_version_id = str(self.serving_version_id)
        else:
            serving_version_id = self.serving_version_id

        needs_retraining = self.needs_retraining

        stale_reasons: list[dict[str, Any]] | None
        if isinstance(self.stale_reasons, list):
            stale_reasons = []
            for stale_reasons_type_0_item_data in self.stale_reasons:
                stale_reasons_type_0_item = stale_reasons_type_0_item_data.to_dict()
                stale_reasons.append(stale_reasons_type_0_item)

        else:
            stale_reasons = self.stale_reasons

        retrain_policy: dict[str, Any] | None
        if isinstance(self.retrain_policy, RetrainPolicy):
            retrain_policy = self.retrain_policy.to_dict()
        else:
            retrain_policy = self.retrain_policy

        data_warnings = self.data_warnings

        metrics: dict[str, Any] | None
        if isinstance(self.metrics, AgentMetrics):
            metrics = self.metrics.to_dict()
        else:
            metrics = self.metrics

        versions = []
        for versions_item_data in self.versions:
            versions_item = versions_item_data.to_dict()
            versions.append(versions_item)

        track_record = self.track_record.to_dict()

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "symbol": symbol,
                "instrument": instrument,
                "data_source": data_source,
                "data_frequency": data_frequency,
                "prediction_horizon": prediction_horizon,
                "start_date": start_date,
                "end_date": end_date,
                "features": features,
                "sentiment_enabled": sentiment_enabled,
                "risk_params": risk_params,
                "architecture": architecture,
                "epochs": epochs,
                "hyperparameters": hyperparameters,
                "callback_url": callback_url,
                "status": status,
                "failure_stage": failure_stage,
                "failure_reason": failure_reason,
                "progress": progress,
                "serving_version_id": serving_version_id,
                "needs_retraining": needs_retraining,
                "stale_reasons": stale_reasons,
                "retrain_policy": retrain_policy,
                "data_warnings": data_warnings,
                "metrics": metrics,
                "versions": versions,
                "track_record": track_record,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.agent_metrics import AgentMetrics  # noqa: PLC0415
        from ..models.agent_risk_params import AgentRiskParams  # noqa: PLC0415
        from ..models.agent_version_public import AgentVersionPublic  # noqa: PLC0415
        from ..models.hyperparameters import Hyperparameters  # noqa: PLC0415
        from ..models.instrument_shape import InstrumentShape  # noqa: PLC0415
        from ..models.progress import Progress  # noqa: PLC0415
        from ..models.retrain_policy import RetrainPolicy  # noqa: PLC0415
        from ..models.stale_reason import StaleReason  # noqa: PLC0415
        from ..models.track_record import TrackRecord  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        symbol = d.pop("symbol")

        instrument = InstrumentShape.from_dict(d.pop("instrument"))

        data_source = DataSource(d.pop("data_source"))

        data_frequency = DataFrequency(d.pop("data_frequency"))

        prediction_horizon = d.pop("prediction_horizon")

        start_date = datetime.date.fromisoformat(d.pop("start_date"))

        end_date = datetime.date.fromisoformat(d.pop("end_date"))

        features = []
        _features = d.pop("features")
        for features_item_data in _features:
            features_item = Feature(features_item_data)

            features.append(features_item)

        sentiment_enabled = d.pop("sentiment_enabled")

        risk_params = AgentRiskParams.from_dict(d.pop("risk_params"))

        architecture = Architecture(d.pop("architecture"))

        epochs = d.pop("epochs")

        hyperparameters = Hyperparameters.from_dict(d.pop("hyperparameters"))

        def _parse_callback_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        callback_url = _parse_callback_url(d.pop("callback_url"))

        status = AgentStatus(d.pop("status"))

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

        progress = Progress.from_dict(d.pop("progress"))

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

        needs_retraining = d.pop("needs_retraining")

        def _parse_stale_reasons(data: object) -> list[StaleReason] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                stale_reasons_type_0 = []
                _stale_reasons_type_0 = data
                for stale_reasons_type_0_item_data in _stale_reasons_type_0:
                    stale_reasons_type_0_item = StaleReason.from_dict(
                        stale_reasons_type_0_item_data
                    )

                    stale_reasons_type_0.append(stale_reasons_type_0_item)

                return stale_reasons_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[StaleReason] | None, data)

        stale_reasons = _parse_stale_reasons(d.pop("stale_reasons"))

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

        data_warnings = cast(list[str], d.pop("data_warnings"))

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

        versions = []
        _versions = d.pop("versions")
        for versions_item_data in _versions:
            versions_item = AgentVersionPublic.from_dict(versions_item_data)

            versions.append(versions_item)

        track_record = TrackRecord.from_dict(d.pop("track_record"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        agent_public = cls(
            id=id,
            name=name,
            symbol=symbol,
            instrument=instrument,
            data_source=data_source,
            data_frequency=data_frequency,
            prediction_horizon=prediction_horizon,
            start_date=start_date,
            end_date=end_date,
            features=features,
            sentiment_enabled=sentiment_enabled,
            risk_params=risk_params,
            architecture=architecture,
            epochs=epochs,
            hyperparameters=hyperparameters,
            callback_url=callback_url,
            status=status,
            failure_stage=failure_stage,
            failure_reason=failure_reason,
            progress=progress,
            serving_version_id=serving_version_id,
            needs_retraining=needs_retraining,
            stale_reasons=stale_reasons,
            retrain_policy=retrain_policy,
            data_warnings=data_warnings,
            metrics=metrics,
            versions=versions,
            track_record=track_record,
            created_at=created_at,
            updated_at=updated_at,
        )

        agent_public.additional_properties = d
        return agent_public

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
