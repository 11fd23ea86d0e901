from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.data_frequency import DataFrequency
from ..models.data_source import DataSource
from ..models.direction import Direction
from ..models.trade_signal import TradeSignal
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.stored_predict_request import StoredPredictRequest
    from ..models.stored_stock_prediction import StoredStockPrediction


T = TypeVar("T", bound="PredictionRecord")


@_attrs_define
class PredictionRecord:
    """A stored prediction: what was asked, what was answered, how it turned out.

    Attributes:
        id (UUID):
        agent_id (None | UUID):
        agent_version_id (None | UUID):
        symbol (str):
        data_source (DataSource): Where an agent's bars come from (docs/MARKET_DATA.md).
        data_frequency (DataFrequency): The bar lengths an agent can be trained on.
        prediction_horizon (str):
        trade_signal (TradeSignal): What to do: open a position, close one, or stay out.
        direction (Direction): Which way the position faces (a Long-only segment's Short call is an Exit).
        entry_price (float):
        stop_loss (float):
        predicted_price (float):
        confidence (float):
        position_size (int):
        reference_price (float | None): The close the forecast was made from, which `correct` is judged from (null on
            older calls, judged from entry_price)
        in_sample (bool): as_of inside the model's data: not in track records
        as_of (datetime.datetime):
        target_time (datetime.datetime):
        latency_ms (float):
        cached (bool):
        realised_price (float | None):
        correct (bool | None):
        realised_at (datetime.datetime | None):
        created_at (datetime.datetime):
        request (StoredPredictRequest): A stored /predict request (`PredictRequest` as validated, nulls left out).
        response (StoredStockPrediction): A stored answer for one stock (`StockPrediction`; older rows lack newer keys).
    """

    id: UUID
    agent_id: None | UUID
    agent_version_id: None | UUID
    symbol: str
    data_source: DataSource
    data_frequency: DataFrequency
    prediction_horizon: str
    trade_signal: TradeSignal
    direction: Direction
    entry_price: float
    stop_loss: float
    predicted_price: float
    confidence: float
    position_size: int
    reference_price: float | None
    in_sample: bool
    as_of: datetime.datetime
    target_time: datetime.datetime
    latency_ms: float
    cached: bool
    realised_price: float | None
    correct: bool | None
    realised_at: datetime.datetime | None
    created_at: datetime.datetime
    request: StoredPredictRequest
    response: StoredStockPrediction
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.stored_predict_request import StoredPredictRequest  # noqa: PLC0415
        from ..models.stored_stock_prediction import StoredStockPrediction  # noqa: PLC0415

        id = str(self.id)

        agent_id: None | str
        if isinstance(self.agent_id, UUID):
            agent_id = str(self.agent_id)
        else:
            agent_id = self.agent_id

        agent_version_id: None | str
        if isinstance(self.agent_version_id, UUID):
            agent_version_id = str(self.agent_version_id)
        else:
            agent_version_id = self.agent_version_id

        symbol = self.symbol

        data_source = self.data_source.value

        data_frequency = self.data_frequency.value

        prediction_horizon = self.prediction_horizon

        trade_signal = self.trade_signal.value

        direction = self.direction.value

        entry_price = self.entry_price

        stop_loss = self.stop_loss

        predicted_price = self.predicted_price

        confidence = self.confidence

        position_size = self.position_size

        reference_price: float | None
        reference_price = self.reference_price

        in_sample = self.in_sample

        as_of = self.as_of.isoformat()

        target_time = self.target_time.isoformat()

        latency_ms = self.latency_ms

        cached = self.cached

        realised_price: float | None
        realised_price = self.realised_price

        correct: bool | None
        correct = self.correct

        realised_at: None | str
        if isinstance(self.realised_at, datetime.datetime):
            realised_at = self.realised_at.isoformat()
        else:
            realised_at = self.realised_at

        created_at = self.created_at.isoformat()

        request = self.request.to_dict()

        response = self.response.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "agent_id": agent_id,
                "agent_version_id": agent_version_id,
                "symbol": symbol,
                "data_source": data_source,
                "data_frequency": data_frequency,
                "prediction_horizon": prediction_horizon,
                "trade_signal": trade_signal,
                "direction": direction,
                "entry_price": entry_price,
                "stop_loss": stop_loss,
                "predicted_price": predicted_price,
                "confidence": confidence,
                "position_size": position_size,
                "reference_price": reference_price,
                "in_sample": in_sample,
                "as_of": as_of,
                "target_time": target_time,
                "latency_ms": latency_ms,
                "cached": cached,
                "realised_price": realised_price,
                "correct": correct,
                "realised_at": realised_at,
                "created_at": created_at,
                "request": request,
                "response": response,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.stored_predict_request import StoredPredictRequest  # noqa: PLC0415
        from ..models.stored_stock_prediction import StoredStockPrediction  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        def _parse_agent_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                agent_id_type_0 = UUID(data)

                return agent_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        agent_id = _parse_agent_id(d.pop("agent_id"))

        def _parse_agent_version_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                agent_version_id_type_0 = UUID(data)

                return agent_version_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        agent_version_id = _parse_agent_version_id(d.pop("agent_version_id"))

        symbol = d.pop("symbol")

        data_source = DataSource(d.pop("data_source"))

        data_frequency = DataFrequency(d.pop("data_frequency"))

        prediction_horizon = d.pop("prediction_horizon")

        trade_signal = TradeSignal(d.pop("trade_signal"))

        direction = Direction(d.pop("direction"))

        entry_price = d.pop("entry_price")

        stop_loss = d.pop("stop_loss")

        predicted_price = d.pop("predicted_price")

        confidence = d.pop("confidence")

        position_size = d.pop("position_size")

        def _parse_reference_price(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        reference_price = _parse_reference_price(d.pop("reference_price"))

        in_sample = d.pop("in_sample")

        as_of = datetime.datetime.fromisoformat(d.pop("as_of"))

        target_time = datetime.datetime.fromisoformat(d.pop("target_time"))

        latency_ms = d.pop("latency_ms")

        cached = d.pop("cached")

        def _parse_realised_price(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        realised_price = _parse_realised_price(d.pop("realised_price"))

        def _parse_correct(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        correct = _parse_correct(d.pop("correct"))

        def _parse_realised_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                realised_at_type_0 = datetime.datetime.fromisoformat(data)

                return realised_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        realised_at = _parse_realised_at(d.pop("realised_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        request = StoredPredictRequest.from_dict(d.pop("request"))

        response = StoredStockPrediction.from_dict(d.pop("response"))

        prediction_record = cls(
            id=id,
            agent_id=agent_id,
            agent_version_id=agent_version_id,
            symbol=symbol,
            data_source=data_source,
            data_frequency=data_frequency,
            prediction_horizon=prediction_horizon,
            trade_signal=trade_signal,
            direction=direction,
            entry_price=entry_price,
            stop_loss=stop_loss,
            predicted_price=predicted_price,
            confidence=confidence,
            position_size=position_size,
            reference_price=reference_price,
            in_sample=in_sample,
            as_of=as_of,
            target_time=target_time,
            latency_ms=latency_ms,
            cached=cached,
            realised_price=realised_price,
            correct=correct,
            realised_at=realised_at,
            created_at=created_at,
            request=request,
            response=response,
        )

        prediction_record.additional_properties = d
        return prediction_record

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
