from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.user_segment import UserSegment
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.stored_predict_request_agent_ids import StoredPredictRequestAgentIds
    from ..models.stored_preferences import StoredPreferences
    from ..models.stored_window import StoredWindow


T = TypeVar("T", bound="StoredPredictRequest")


@_attrs_define
class StoredPredictRequest:
    """A stored /predict request (`PredictRequest` as validated, nulls left out).

    Attributes:
        user_segment (UserSegment | Unset):
        stocks (list[str] | Unset):
        data_frequency (str | Unset):
        prediction_horizon (str | Unset):
        confidence_level (float | Unset):
        entry_window (StoredWindow | Unset):
        exit_window (StoredWindow | Unset):
        entry_price (float | Unset):
        stop_loss (float | Unset):
        capital_at_risk (float | Unset):
        features (list[str] | Unset):
        sentiment_enabled (bool | Unset):
        model_preferences (StoredPreferences | Unset):
        agent_ids (StoredPredictRequestAgentIds | Unset):
        as_of (str | Unset):
        account_equity (float | Unset):
        timezone (str | Unset):
    """

    user_segment: UserSegment | Unset = UNSET
    stocks: list[str] | Unset = UNSET
    data_frequency: str | Unset = UNSET
    prediction_horizon: str | Unset = UNSET
    confidence_level: float | Unset = UNSET
    entry_window: StoredWindow | Unset = UNSET
    exit_window: StoredWindow | Unset = UNSET
    entry_price: float | Unset = UNSET
    stop_loss: float | Unset = UNSET
    capital_at_risk: float | Unset = UNSET
    features: list[str] | Unset = UNSET
    sentiment_enabled: bool | Unset = UNSET
    model_preferences: StoredPreferences | Unset = UNSET
    agent_ids: StoredPredictRequestAgentIds | Unset = UNSET
    as_of: str | Unset = UNSET
    account_equity: float | Unset = UNSET
    timezone: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.stored_predict_request_agent_ids import StoredPredictRequestAgentIds  # noqa: PLC0415
        from ..models.stored_preferences import StoredPreferences  # noqa: PLC0415
        from ..models.stored_window import StoredWindow  # noqa: PLC0415

        user_segment: str | Unset = UNSET
        if not isinstance(self.user_segment, Unset):
            user_segment = self.user_segment.value

        stocks: list[str] | Unset = UNSET
        if not isinstance(self.stocks, Unset):
            stocks = self.stocks

        data_frequency = self.data_frequency

        prediction_horizon = self.prediction_horizon

        confidence_level = self.confidence_level

        entry_window: dict[str, Any] | Unset = UNSET
        if not isinstance(self.entry_window, Unset):
            entry_window = self.entry_window.to_dict()

        exit_window: dict[str, Any] | Unset = UNSET
        if not isinstance(self.exit_window, Unset):
            exit_window = self.exit_window.to_dict()

        entry_price = self.entry_price

        stop_loss = self.stop_loss

        capital_at_risk = self.capital_at_risk

        features: list[str] | Unset = UNSET
        if not isinstance(self.features, Unset):
            features = self.features

        sentiment_enabled = self.sentiment_enabled

        model_preferences: dict[str, Any] | Unset = UNSET
        if not isinstance(self.model_preferences, Unset):
            model_preferences = self.model_preferences.to_dict()

        agent_ids: dict[str, Any] | Unset = UNSET
        if not isinstance(self.agent_ids, Unset):
            agent_ids = self.agent_ids.to_dict()

        as_of = self.as_of

        account_equity = self.account_equity

        timezone = self.timezone

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if user_segment is not UNSET:
            field_dict["user_segment"] = user_segment
        if stocks is not UNSET:
            field_dict["stocks"] = stocks
        if data_frequency is not UNSET:
            field_dict["data_frequency"] = data_frequency
        if prediction_horizon is not UNSET:
            field_dict["prediction_horizon"] = prediction_horizon
        if confidence_level is not UNSET:
            field_dict["confidence_level"] = confidence_level
        if entry_window is not UNSET:
            field_dict["entry_window"] = entry_window
        if exit_window is not UNSET:
            field_dict["exit_window"] = exit_window
        if entry_price is not UNSET:
            field_dict["entry_price"] = entry_price
        if stop_loss is not UNSET:
            field_dict["stop_loss"] = stop_loss
        if capital_at_risk is not UNSET:
            field_dict["capital_at_risk"] = capital_at_risk
        if features is not UNSET:
            field_dict["features"] = features
        if sentiment_enabled is not UNSET:
            field_dict["sentiment_enabled"] = sentiment_enabled
        if model_preferences is not UNSET:
            field_dict["model_preferences"] = model_preferences
        if agent_ids is not UNSET:
            field_dict["agent_ids"] = agent_ids
        if as_of is not UNSET:
            field_dict["as_of"] = as_of
        if account_equity is not UNSET:
            field_dict["account_equity"] = account_equity
        if timezone is not UNSET:
            field_dict["timezone"] = timezone

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.stored_predict_request_agent_ids import StoredPredictRequestAgentIds  # noqa: PLC0415
        from ..models.stored_preferences import StoredPreferences  # noqa: PLC0415
        from ..models.stored_window import StoredWindow  # noqa: PLC0415

        d = dict(src_dict)
        _user_segment = d.pop("user_segment", UNSET)
        user_segment: UserSegment | Unset
        if isinstance(_user_segment, Unset):
            user_segment = UNSET
        else:
            user_segment = UserSegment(_user_segment)

        stocks = cast(list[str], d.pop("stocks", UNSET))

        data_frequency = d.pop("data_frequency", UNSET)

        prediction_horizon = d.pop("prediction_horizon", UNSET)

        confidence_level = d.pop("confidence_level", UNSET)

        _entry_window = d.pop("entry_window", UNSET)
        entry_window: StoredWindow | Unset
        if isinstance(_entry_window, Unset):
            entry_window = UNSET
        else:
            entry_window = StoredWindow.from_dict(_entry_window)

        _exit_window = d.pop("exit_window", UNSET)
        exit_window: StoredWindow | Unset
        if isinstance(_exit_window, Unset):
            exit_window = UNSET
        else:
            exit_window = StoredWindow.from_dict(_exit_window)

        entry_price = d.pop("entry_price", UNSET)

        stop_loss = d.pop("stop_loss", UNSET)

        capital_at_risk = d.pop("capital_at_risk", UNSET)

        features = cast(list[str], d.pop("features", UNSET))

        sentiment_enabled = d.pop("sentiment_enabled", UNSET)

        _model_preferences = d.pop("model_preferences", UNSET)
        model_preferences: StoredPreferences | Unset
        if isinstance(_model_preferences, Unset):
            model_preferences = UNSET
        else:
            model_preferences = StoredPreferences.from_dict(_model_preferences)

        _agent_ids = d.pop("agent_ids", UNSET)
        agent_ids: StoredPredictRequestAgentIds | Unset
        if isinstance(_agent_ids, Unset):
            agent_ids = UNSET
        else:
            agent_ids = StoredPredictRequestAgentIds.from_dict(_agent_ids)

        as_of = d.pop("as_of", UNSET)

        account_equity = d.pop("account_equity", UNSET)

        timezone = d.pop("timezone", UNSET)

        stored_predict_request = cls(
            user_segment=user_segment,
            stocks=stocks,
            data_frequency=data_frequency,
            prediction_horizon=prediction_horizon,
            confidence_level=confidence_level,
            entry_window=entry_window,
            exit_window=exit_window,
            entry_price=entry_price,
            stop_loss=stop_loss,
            capital_at_risk=capital_at_risk,
            features=features,
            sentiment_enabled=sentiment_enabled,
            model_preferences=model_preferences,
            agent_ids=agent_ids,
            as_of=as_of,
            account_equity=account_equity,
            timezone=timezone,
        )

        stored_predict_request.additional_properties = d
        return stored_predict_request

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
