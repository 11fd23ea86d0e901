from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.data_source import DataSource
from ..models.direction import Direction
from ..models.skill import Skill
from ..models.trade_signal import TradeSignal
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.risk_metrics_out import RiskMetricsOut
    from ..models.stock_prediction import StockPrediction


T = TypeVar("T", bound="PredictResponse")


@_attrs_define
class PredictResponse:
    """The first stock's fields at the top level, every stock in `predictions`.

    Attributes:
        predicted_price (float):
        confidence (float):
        trade_signal (TradeSignal): What to do: open a position, close one, or stay out.
        direction (Direction): Which way the position faces (a Long-only segment's Short call is an Exit).
        suggested_exit_time (str):
        position_size (int):
        suggestion_text (str):
        risk_metrics (RiskMetricsOut):
        currency (str): The instrument's currency: ISO 4217 code of every price, and of every amount except for GBX
            (London prices in pence), whose amounts are in GBP
        max_loss_amount (float): `risk_metrics.max_loss` as a number: the loss if the stop is hit, in the currency's
            money (GBP for GBX)
        suggested_exit_at (datetime.datetime): `suggested_exit_time` as an ISO-8601 instant with its offset
        predicted_price_low (float | None): Low end of the split-conformal prediction interval; null for a model trained
            before intervals
        predicted_price_high (float | None): High end of the interval
        interval_coverage (float | None): The share of outcomes the interval is built to hold, e.g. 0.8 (the share it
            held on the test split is in the agent's metrics)
        skill (None | Skill): no_edge: on held-out data the model did not beat the naive no-change forecast; null when
            unknown
        in_sample (bool): as_of lies inside this model's training, validation or test data: warned about, and never
            counted in the live track record
        prediction_id (UUID):
        symbol (str):
        agent_id (UUID):
        as_of (datetime.datetime):
        data_source (DataSource): Where an agent's bars come from (docs/MARKET_DATA.md).
        warnings (list[str]):
        cached (bool):
        predictions (list[StockPrediction]):
    """

    predicted_price: float
    confidence: float
    trade_signal: TradeSignal
    direction: Direction
    suggested_exit_time: str
    position_size: int
    suggestion_text: str
    risk_metrics: RiskMetricsOut
    currency: str
    max_loss_amount: float
    suggested_exit_at: datetime.datetime
    predicted_price_low: float | None
    predicted_price_high: float | None
    interval_coverage: float | None
    skill: None | Skill
    in_sample: bool
    prediction_id: UUID
    symbol: str
    agent_id: UUID
    as_of: datetime.datetime
    data_source: DataSource
    warnings: list[str]
    cached: bool
    predictions: list[StockPrediction]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.risk_metrics_out import RiskMetricsOut  # noqa: PLC0415
        from ..models.stock_prediction import StockPrediction  # noqa: PLC0415

        predicted_price = self.predicted_price

        confidence = self.confidence

        trade_signal = self.trade_signal.value

        direction = self.direction.value

        suggested_exit_time = self.suggested_exit_time

        position_size = self.position_size

        suggestion_text = self.suggestion_text

        risk_metrics = self.risk_metrics.to_dict()

        currency = self.currency

        max_loss_amount = self.max_loss_amount

        suggested_exit_at = self.suggested_exit_at.isoformat()

        predicted_price_low: float | None
        predicted_price_low = self.predicted_price_low

        predicted_price_high: float | None
        predicted_price_high = self.predicted_price_high

        interval_coverage: float | None
        interval_coverage = self.interval_coverage

        skill: None | str
        if isinstance(self.skill, Skill):
            skill = self.skill.value
        else:
            skill = self.skill

        in_sample = self.in_sample

        prediction_id = str(self.prediction_id)

        symbol = self.symbol

        agent_id = str(self.agent_id)

        as_of = self.as_of.isoformat()

        data_source = self.data_source.value

        warnings = self.warnings

        cached = self.cached

        predictions = []
        for predictions_item_data in self.predictions:
            predictions_item = predictions_item_data.to_dict()
            predictions.append(predictions_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "predicted_price": predicted_price,
                "confidence": confidence,
                "trade_signal": trade_signal,
                "direction": direction,
                "suggested_exit_time": suggested_exit_time,
                "position_size": position_size,
                "suggestion_text": suggestion_text,
                "risk_metrics": risk_metrics,
                "currency": currency,
                "max_loss_amount": max_loss_amount,
                "suggested_exit_at": suggested_exit_at,
                "predicted_price_low": predicted_price_low,
                "predicted_price_high": predicted_price_high,
                "interval_coverage": interval_coverage,
                "skill": skill,
                "in_sample": in_sample,
                "prediction_id": prediction_id,
                "symbol": symbol,
                "agent_id": agent_id,
                "as_of": as_of,
                "data_source": data_source,
                "warnings": warnings,
                "cached": cached,
                "predictions": predictions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.risk_metrics_out import RiskMetricsOut  # noqa: PLC0415
        from ..models.stock_prediction import StockPrediction  # noqa: PLC0415

        d = dict(src_dict)
        predicted_price = d.pop("predicted_price")

        confidence = d.pop("confidence")

        trade_signal = TradeSignal(d.pop("trade_signal"))

        direction = Direction(d.pop("direction"))

        suggested_exit_time = d.pop("suggested_exit_time")

        position_size = d.pop("position_size")

        suggestion_text = d.pop("suggestion_text")

        risk_metrics = RiskMetricsOut.from_dict(d.pop("risk_metrics"))

        currency = d.pop("currency")

        max_loss_amount = d.pop("max_loss_amount")

        suggested_exit_at = datetime.datetime.fromisoformat(d.pop("suggested_exit_at"))

        def _parse_predicted_price_low(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        predicted_price_low = _parse_predicted_price_low(d.pop("predicted_price_low"))

        def _parse_predicted_price_high(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        predicted_price_high = _parse_predicted_price_high(d.pop("predicted_price_high"))

        def _parse_interval_coverage(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        interval_coverage = _parse_interval_coverage(d.pop("interval_coverage"))

        def _parse_skill(data: object) -> None | Skill:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                skill_type_0 = Skill(data)

                return skill_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Skill, data)

        skill = _parse_skill(d.pop("skill"))

        in_sample = d.pop("in_sample")

        prediction_id = UUID(d.pop("prediction_id"))

        symbol = d.pop("symbol")

        agent_id = UUID(d.pop("agent_id"))

        as_of = datetime.datetime.fromisoformat(d.pop("as_of"))

        data_source = DataSource(d.pop("data_source"))

        warnings = cast(list[str], d.pop("warnings"))

        cached = d.pop("cached")

        predictions = []
        _predictions = d.pop("predictions")
        for predictions_item_data in _predictions:
            predictions_item = StockPrediction.from_dict(predictions_item_data)

            predictions.append(predictions_item)

        predict_response = cls(
            predicted_price=predicted_price,
            confidence=confidence,
            trade_signal=trade_signal,
            direction=direction,
            suggested_exit_time=suggested_exit_time,
            position_size=position_size,
            suggestion_text=suggestion_text,
            risk_metrics=risk_metrics,
            currency=currency,
            max_loss_amount=max_loss_amount,
            suggested_exit_at=suggested_exit_at,
            predicted_price_low=predicted_price_low,
            predicted_price_high=predicted_price_high,
            interval_coverage=interval_coverage,
            skill=skill,
            in_sample=in_sample,
            prediction_id=prediction_id,
            symbol=symbol,
            agent_id=agent_id,
            as_of=as_of,
            data_source=data_source,
            warnings=warnings,
            cached=cached,
            predictions=predictions,
        )

        predict_response.additional_properties = d
        return predict_response

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
