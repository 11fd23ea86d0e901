from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.data_frequency import DataFrequency
from ..models.direction import Direction
from ..models.outcome_status import OutcomeStatus
from ..models.trade_signal import TradeSignal
from ..types import UNSET, Unset

T = TypeVar("T", bound="CallSummary")


@_attrs_define
class CallSummary:
    """One stored prediction: the call, the plan and (once known) the outcome.

    Attributes:
        prediction_id (UUID):
        symbol (str):
        agent_id (None | UUID):
        data_frequency (DataFrequency): The bar lengths an agent can be trained on.
        prediction_horizon (str):
        trade_signal (TradeSignal): What to do: open a position, close one, or stay out.
        direction (Direction): Which way the position faces (a Long-only segment's Short call is an Exit).
        entry_price (float):
        stop_loss (float):
        predicted_price (float):
        confidence (float):
        position_size (int):
        max_loss (float): Dollars lost if the stop is hit.
        suggested_exit_time (None | str):
        suggestion_text (None | str):
        as_of (datetime.datetime): When the last bar used closed.
        target_time (datetime.datetime): When the outcome is known.
        created_at (datetime.datetime):
        cached (bool):
        outcome (OutcomeStatus): Where a stored call's outcome stands.
        realised_price (float | None):
        correct (bool | None):
        in_sample (bool): Made on a bar inside the agent's training data: never in a track record.
    """

    prediction_id: UUID
    symbol: str
    agent_id: None | UUID
    data_frequency: DataFrequency
    prediction_horizon: str
    trade_signal: TradeSignal
    direction: Direction
    entry_price: float
    stop_loss: float
    predicted_price: float
    confidence: float
    position_size: int
    max_loss: float
    suggested_exit_time: None | str
    suggestion_text: None | str
    as_of: datetime.datetime
    target_time: datetime.datetime
    created_at: datetime.datetime
    cached: bool
    outcome: OutcomeStatus
    realised_price: float | None
    correct: bool | None
    in_sample: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        prediction_id = str(self.prediction_id)

        symbol = self.symbol

        agent_id: None | str
        if isinstance(self.agent_id, UUID):
            agent_id = str(self.agent_id)
        else:
            agent_id = self.agent_id

        data_frequency = self.data_frequency.value

        prediction_horizon = self.prediction_horizon

        trade_signal = self.trade_signal.value

        direction = self.direction.value

        entry_price = self.entry_price

        stop_loss = self.stop_loss

        predicted_price = self.predicted_price

        confidence = self.confidence

        position_size = self.position_size

        max_loss = self.max_loss

        suggested_exit_time: None | str
        suggested_exit_time = self.suggested_exit_time

        suggestion_text: None | str
        suggestion_text = self.suggestion_text

        as_of = self.as_of.isoformat()

        target_time = self.target_time.isoformat()

        created_at = self.created_at.isoformat()

        cached = self.cached

        outcome = self.outcome.value

        realised_price: float | None
        realised_price = self.realised_price

        correct: bool | None
        correct = self.correct

        in_sample = self.in_sample

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "prediction_id": prediction_id,
                "symbol": symbol,
                "agent_id": agent_id,
                "data_frequency": data_frequency,
                "prediction_horizon": prediction_horizon,
                "trade_signal": trade_signal,
                "direction": direction,
                "entry_price": entry_price,
                "stop_loss": stop_loss,
                "predicted_price": predicted_price,
                "confidence": confidence,
                "position_size": position_size,
                "max_loss": max_loss,
                "suggested_exit_time": suggested_exit_time,
                "suggestion_text": suggestion_text,
                "as_of": as_of,
                "target_time": target_time,
                "created_at": created_at,
                "cached": cached,
                "outcome": outcome,
                "realised_price": realised_price,
                "correct": correct,
                "in_sample": in_sample,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        prediction_id = UUID(d.pop("prediction_id"))

        symbol = d.pop("symbol")

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

        data_frequency = DataFrequency(d.pop("data_frequency"))

        prediction_horizon = d.pop("prediction_horizon")

        trade_signal = TradeSignal(d.pop("trade_signal"))

        direction = Direction(d.pop("direction"))

        entry_price = d.pop("entry_price")

        stop_loss = d.pop("stop_loss")

        predicted_price = d.pop("predicted_price")

        confidence = d.pop("confidence")

        position_size = d.pop("position_size")

        max_loss = d.pop("max_loss")

        def _parse_suggested_exit_time(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        suggested_exit_time = _parse_suggested_exit_time(d.pop("suggested_exit_time"))

        def _parse_suggestion_text(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        suggestion_text = _parse_suggestion_text(d.pop("suggestion_text"))

        as_of = datetime.datetime.fromisoformat(d.pop("as_of"))

        target_time = datetime.datetime.fromisoformat(d.pop("target_time"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        cached = d.pop("cached")

        outcome = OutcomeStatus(d.pop("outcome"))

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

        in_sample = d.pop("in_sample")

        call_summary = cls(
            prediction_id=prediction_id,
            symbol=symbol,
            agent_id=agent_id,
            data_frequency=data_frequency,
            prediction_horizon=prediction_horizon,
            trade_signal=trade_signal,
            direction=direction,
            entry_price=entry_price,
            stop_loss=stop_loss,
            predicted_price=predicted_price,
            confidence=confidence,
            position_size=position_size,
            max_loss=max_loss,
            suggested_exit_time=suggested_exit_time,
            suggestion_text=suggestion_text,
            as_of=as_of,
            target_time=target_time,
            created_at=created_at,
            cached=cached,
            outcome=outcome,
            realised_price=realised_price,
            correct=correct,
            in_sample=in_sample,
        )

        call_summary.additional_properties = d
        return call_summary

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
