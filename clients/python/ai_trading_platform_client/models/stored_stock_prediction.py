from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.direction import Direction
from ..models.skill import Skill
from ..models.trade_signal import TradeSignal
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.stored_risk_metrics import StoredRiskMetrics


T = TypeVar("T", bound="StoredStockPrediction")


@_attrs_define
class StoredStockPrediction:
    """A stored answer for one stock (`StockPrediction`; older rows lack newer keys).

    Attributes:
        symbol (str | Unset):
        predicted_price (float | Unset):
        confidence (float | Unset):
        trade_signal (TradeSignal | Unset): What to do: open a position, close one, or stay out.
        direction (Direction | Unset): Which way the position faces (a Long-only segment's Short call is an Exit).
        suggested_exit_time (str | Unset):
        position_size (int | Unset):
        suggestion_text (str | Unset):
        risk_metrics (StoredRiskMetrics | Unset):
        currency (str | Unset):
        max_loss_amount (float | Unset):
        suggested_exit_at (str | Unset):
        predicted_price_low (float | None | Unset):
        predicted_price_high (float | None | Unset):
        interval_coverage (float | None | Unset):
        skill (None | Skill | Unset):
        in_sample (bool | Unset):
        prediction_id (str | Unset):
        agent_id (str | Unset):
        agent_version_id (str | Unset):
        as_of (str | Unset):
        entry_price (float | Unset):
        stop_loss (float | Unset):
        stale (bool | Unset):
        warnings (list[str] | Unset):
    """

    symbol: str | Unset = UNSET
    predicted_price: float | Unset = UNSET
    confidence: float | Unset = UNSET
    trade_signal: TradeSignal | Unset = UNSET
    direction: Direction | Unset = UNSET
    suggested_exit_time: str | Unset = UNSET
    position_size: int | Unset = UNSET
    suggestion_text: str | Unset = UNSET
    risk_metrics: StoredRiskMetrics | Unset = UNSET
    currency: str | Unset = UNSET
    max_loss_amount: float | Unset = UNSET
    suggested_exit_at: str | Unset = UNSET
    predicted_price_low: float | None | Unset = UNSET
    predicted_price_high: float | None | Unset = UNSET
    interval_coverage: float | None | Unset = UNSET
    skill: None | Skill | Unset = UNSET
    in_sample: bool | Unset = UNSET
    prediction_id: str | Unset = UNSET
    agent_id: str | Unset = UNSET
    agent_version_id: str | Unset = UNSET
    as_of: str | Unset = UNSET
    entry_price: float | Unset = UNSET
    stop_loss: float | Unset = UNSET
    stale: bool | Unset = UNSET
    warnings: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.stored_risk_metrics import StoredRiskMetrics  # noqa: PLC0415

        symbol = self.symbol

        predicted_price = self.predicted_price

        confidence = self.confidence

        trade_signal: str | Unset = UNSET
        if not isinstance(self.trade_signal, Unset):
            trade_signal = self.trade_signal.value

        direction: str | Unset = UNSET
        if not isinstance(self.direction, Unset):
            direction = self.direction.value

        suggested_exit_time = self.suggested_exit_time

        position_size = self.position_size

        suggestion_text = self.suggestion_text

        risk_metrics: dict[str, Any] | Unset = UNSET
        if not isinstance(self.risk_metrics, Unset):
            risk_metrics = self.risk_metrics.to_dict()

        currency = self.currency

        max_loss_amount = self.max_loss_amount

        suggested_exit_at = self.suggested_exit_at

        predicted_price_low: float | None | Unset
        if isinstance(self.predicted_price_low, Unset):
            predicted_price_low = UNSET
        else:
            predicted_price_low = self.predicted_price_low

        predicted_price_high: float | None | Unset
        if isinstance(self.predicted_price_high, Unset):
            predicted_price_high = UNSET
        else:
            predicted_price_high = self.predicted_price_high

        interval_coverage: float | None | Unset
        if isinstance(self.interval_coverage, Unset):
            interval_coverage = UNSET
        else:
            interval_coverage = self.interval_coverage

        skill: None | str | Unset
        if isinstance(self.skill, Unset):
            skill = UNSET
        elif isinstance(self.skill, Skill):
            skill = self.skill.value
        else:
            skill = self.skill

        in_sample = self.in_sample

        prediction_id = self.prediction_id

        agent_id = self.agent_id

        agent_version_id = self.agent_version_id

        as_of = self.as_of

        entry_price = self.entry_price

        stop_loss = self.stop_loss

        stale = self.stale

        warnings: list[str] | Unset = UNSET
        if not isinstance(self.warnings, Unset):
            warnings = self.warnings

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if symbol is not UNSET:
            field_dict["symbol"] = symbol
        if predicted_price is not UNSET:
            field_dict["predicted_price"] = predicted_price
        if confidence is not UNSET:
            field_dict["confidence"] = confidence
        if trade_signal is not UNSET:
            field_dict["trade_signal"] = trade_signal
        if direction is not UNSET:
            field_dict["direction"] = direction
        if suggested_exit_time is not UNSET:
            field_dict["suggested_exit_time"] = suggested_exit_time
        if position_size is not UNSET:
            field_dict["position_size"] = position_size
        if suggestion_text is not UNSET:
            field_dict["suggestion_text"] = suggestion_text
        if risk_metrics is not UNSET:
            field_dict["risk_metrics"] = risk_metrics
        if currency is not UNSET:
            field_dict["currency"] = currency
        if max_loss_amount is not UNSET:
            field_dict["max_loss_amount"] = max_loss_amount
        if suggested_exit_at is not UNSET:
            field_dict["suggested_exit_at"] = suggested_exit_at
        if predicted_price_low is not UNSET:
            field_dict["predicted_price_low"] = predicted_price_low
        if predicted_price_high is not UNSET:
            field_dict["predicted_price_high"] = predicted_price_high
        if interval_coverage is not UNSET:
            field_dict["interval_coverage"] = interval_coverage
        if skill is not UNSET:
            field_dict["skill"] = skill
        if in_sample is not UNSET:
            field_dict["in_sample"] = in_sample
        if prediction_id is not UNSET:
            field_dict["prediction_id"] = prediction_id
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id
        if agent_version_id is not UNSET:
            field_dict["agent_version_id"] = agent_version_id
        if as_of is not UNSET:
            field_dict["as_of"] = as_of
        if entry_price is not UNSET:
            field_dict["entry_price"] = entry_price
        if stop_loss is not UNSET:
            field_dict["stop_loss"] = stop_loss
        if stale is not UNSET:
            field_dict["stale"] = stale
        if warnings is not UNSET:
            field_dict["warnings"] = warnings

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.stored_risk_metrics import StoredRiskMetrics  # noqa: PLC0415

        d = dict(src_dict)
        symbol = d.pop("symbol", UNSET)

        predicted_price = d.pop("predicted_price", UNSET)

        confidence = d.pop("confidence", UNSET)

        _trade_signal = d.pop("trade_signal", UNSET)
        trade_signal: TradeSignal | Unset
        if isinstance(_trade_signal, Unset):
            trade_signal = UNSET
        else:
            trade_signal = TradeSignal(_trade_signal)

        _direction = d.pop("direction", UNSET)
        direction: Direction | Unset
        if isinstance(_direction, Unset):
            direction = UNSET
        else:
            direction = Direction(_direction)

        suggested_exit_time = d.pop("suggested_exit_time", UNSET)

        position_size = d.pop("position_size", UNSET)

        suggestion_text = d.pop("suggestion_text", UNSET)

        _risk_metrics = d.pop("risk_metrics", UNSET)
        risk_metrics: StoredRiskMetrics | Unset
        if isinstance(_risk_metrics, Unset):
            risk_metrics = UNSET
        else:
            risk_metrics = StoredRiskMetrics.from_dict(_risk_metrics)

        currency = d.pop("currency", UNSET)

        max_loss_amount = d.pop("max_loss_amount", UNSET)

        suggested_exit_at = d.pop("suggested_exit_at", UNSET)

        def _parse_predicted_price_low(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        predicted_price_low = _parse_predicted_price_low(d.pop("predicted_price_low", UNSET))

        def _parse_predicted_price_high(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        predicted_price_high = _parse_predicted_price_high(d.pop("predicted_price_high", UNSET))

        def _parse_interval_coverage(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        interval_coverage = _parse_interval_coverage(d.pop("interval_coverage", UNSET))

        def _parse_skill(data: object) -> None | Skill | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                skill_type_0 = Skill(data)

                return skill_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Skill | Unset, data)

        skill = _parse_skill(d.pop("skill", UNSET))

        in_sample = d.pop("in_sample", UNSET)

        prediction_id = d.pop("prediction_id", UNSET)

        agent_id = d.pop("agent_id", UNSET)

        agent_version_id = d.pop("agent_version_id", UNSET)

        as_of = d.pop("as_of", UNSET)

        entry_price = d.pop("entry_price", UNSET)

        stop_loss = d.pop("stop_loss", UNSET)

        stale = d.pop("stale", UNSET)

        warnings = cast(list[str], d.pop("warnings", UNSET))

        stored_stock_prediction = cls(
            symbol=symbol,
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
            agent_id=agent_id,
            agent_version_id=agent_version_id,
            as_of=as_of,
            entry_price=entry_price,
            stop_loss=stop_loss,
            stale=stale,
            warnings=warnings,
        )

        stored_stock_prediction.additional_properties = d
        return stored_stock_prediction

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
