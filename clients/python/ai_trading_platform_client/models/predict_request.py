from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.data_frequency import DataFrequency
from ..models.feature import Feature
from ..models.user_segment import UserSegment
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.predict_preferences import PredictPreferences
    from ..models.predict_request_agent_ids_type_0 import PredictRequestAgentIdsType0
    from ..models.time_window import TimeWindow


T = TypeVar("T", bound="PredictRequest")


@_attrs_define
class PredictRequest:
    """
    Attributes:
        user_segment (UserSegment):
        stocks (list[str]): Symbols, each in any form an agent accepts: What you would type on your terminal: a ticker
            (AAPL, BRK.B or BRK-B: US listings), a Refinitiv RIC as written (AAPL.O, VOD.L, 7203.T, 0005.HK, BRKb.N, .SPX,
            EUR=), a Bloomberg security (IBM US Equity, VOD LN Equity, BRK/B US Equity, SPX Index, EURUSD Curncy), an index
            (^SPX) or a currency pair (EURUSD, EUR/USD). RICs keep their letter case (BRKb.N); everything else is read in
            any case. docs/MARKET_DATA.md lists the exchanges, indices and currencies the platform knows.
        data_frequency (DataFrequency): The bar lengths an agent can be trained on.
        prediction_horizon (str):
        confidence_level (float | Unset):  Default: 0.6.
        entry_window (None | TimeWindow | Unset):
        exit_window (None | TimeWindow | Unset):
        entry_price (float | None | Unset):
        stop_loss (float | None | Unset):
        capital_at_risk (float | Unset):  Default: 0.02.
        features (list[Feature] | None | Unset): Indicators; any letter case.
        sentiment_enabled (bool | Unset):  Default: False.
        model_preferences (None | PredictPreferences | Unset):
        agent_ids (None | PredictRequestAgentIdsType0 | Unset): {symbol: agent_id}; default: your newest READY match
        as_of (datetime.datetime | None | Unset): Predict from the bars complete at this instant (default now)
        account_equity (float | None | Unset):
        timezone (str | Unset): IANA zone the windows are read in and `suggested_exit_time` is written in. Left out:
            each stock's exchange zone (America/New_York for a US share, Europe/London for VOD.L); naming one, even
            America/New_York, applies it to every stock Default: 'America/New_York'.
    """

    user_segment: UserSegment
    stocks: list[str]
    data_frequency: DataFrequency
    prediction_horizon: str
    confidence_level: float | Unset = 0.6
    entry_window: None | TimeWindow | Unset = UNSET
    exit_window: None | TimeWindow | Unset = UNSET
    entry_price: float | None | Unset = UNSET
    stop_loss: float | None | Unset = UNSET
    capital_at_risk: float | Unset = 0.02
    features: list[Feature] | None | Unset = UNSET
    sentiment_enabled: bool | Unset = False
    model_preferences: None | PredictPreferences | Unset = UNSET
    agent_ids: None | PredictRequestAgentIdsType0 | Unset = UNSET
    as_of: datetime.datetime | None | Unset = UNSET
    account_equity: float | None | Unset = UNSET
    timezone: str | Unset = "America/New_York"

    def to_dict(self) -> dict[str, Any]:
        from ..models.predict_preferences import PredictPreferences  # noqa: PLC0415
        from ..models.predict_request_agent_ids_type_0 import PredictRequestAgentIdsType0  # noqa: PLC0415
        from ..models.time_window import TimeWindow  # noqa: PLC0415

        user_segment = self.user_segment.value

        stocks = self.stocks

        data_frequency = self.data_frequency.value

        prediction_horizon = self.prediction_horizon

        confidence_level = self.confidence_level

        entry_window: dict[str, Any] | None | Unset
        if isinstance(self.entry_window, Unset):
            entry_window = UNSET
        elif isinstance(self.entry_window, TimeWindow):
            entry_window = self.entry_window.to_dict()
        else:
            entry_window = self.entry_window

        exit_window: dict[str, Any] | None | Unset
        if isinstance(self.exit_window, Unset):
            exit_window = UNSET
        elif isinstance(self.exit_window, TimeWindow):
            exit_window = self.exit_window.to_dict()
        else:
            exit_window = self.exit_window

        entry_price: float | None | Unset
        if isinstance(self.entry_price, Unset):
            entry_price = UNSET
        else:
            entry_price = self.entry_price

        stop_loss: float | None | Unset
        if isinstance(self.stop_loss, Unset):
            stop_loss = UNSET
        else:
            stop_loss = self.stop_loss

        capital_at_risk = self.capital_at_risk

        features: list[str] | None | Unset
        if isinstance(self.features, Unset):
            features = UNSET
        elif isinstance(self.features, list):
            features = []
            for features_type_0_item_data in self.features:
                features_type_0_item = features_type_0_item_data.value
                features.append(features_type_0_item)

        else:
            features = self.features

        sentiment_enabled = self.sentiment_enabled

        model_preferences: dict[str, Any] | None | Unset
        if isinstance(self.model_preferences, Unset):
            model_preferences = UNSET
        elif isinstance(self.model_preferences, PredictPreferences):
            model_preferences = self.model_preferences.to_dict()
        else:
            model_preferences = self.model_preferences

        agent_ids: dict[str, Any] | None | Unset
        if isinstance(self.agent_ids, Unset):
            agent_ids = UNSET
        elif isinstance(self.agent_ids, PredictRequestAgentIdsType0):
            agent_ids = self.agent_ids.to_dict()
        else:
            agent_ids = self.agent_ids

        as_of: None | str | Unset
        if isinstance(self.as_of, Unset):
            as_of = UNSET
        elif isinstance(self.as_of, datetime.datetime):
            as_of = self.as_of.isoformat()
        else:
            as_of = self.as_of

        account_equity: float | None | Unset
        if isinstance(self.account_equity, Unset):
            account_equity = UNSET
        else:
            account_equity = self.account_equity

        timezone = self.timezone

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "user_segment": user_segment,
                "stocks": stocks,
                "data_frequency": data_frequency,
                "prediction_horizon": prediction_horizon,
            }
        )
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
        from ..models.predict_preferences import PredictPreferences  # noqa: PLC0415
        from ..models.predict_request_agent_ids_type_0 import PredictRequestAgentIdsType0  # noqa: PLC0415
        from ..models.time_window import TimeWindow  # noqa: PLC0415

        d = dict(src_dict)
        user_segment = UserSegment(d.pop("user_segment"))

        stocks = cast(list[str], d.pop("stocks"))

        data_frequency = DataFrequency(d.pop("data_frequency"))

        prediction_horizon = d.pop("prediction_horizon")

        confidence_level = d.pop("confidence_level", UNSET)

        def _parse_entry_window(data: object) -> None | TimeWindow | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                entry_window_type_0 = TimeWindow.from_dict(data)

                return entry_window_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TimeWindow | Unset, data)

        entry_window = _parse_entry_window(d.pop("entry_window", UNSET))

        def _parse_exit_window(data: object) -> None | TimeWindow | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                exit_window_type_0 = TimeWindow.from_dict(data)

                return exit_window_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TimeWindow | Unset, data)

        exit_window = _parse_exit_window(d.pop("exit_window", UNSET))

        def _parse_entry_price(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        entry_price = _parse_entry_price(d.pop("entry_price", UNSET))

        def _parse_stop_loss(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        stop_loss = _parse_stop_loss(d.pop("stop_loss", UNSET))

        capital_at_risk = d.pop("capital_at_risk", UNSET)

        def _parse_features(data: object) -> list[Feature] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                features_type_0 = []
                _features_type_0 = data
                for features_type_0_item_data in _features_type_0:
                    features_type_0_item = Feature(features_type_0_item_data)

                    features_type_0.append(features_type_0_item)

                return features_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[Feature] | None | Unset, data)

        features = _parse_features(d.pop("features", UNSET))

        sentiment_enabled = d.pop("sentiment_enabled", UNSET)

        def _parse_model_preferences(data: object) -> None | PredictPreferences | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                model_preferences_type_0 = PredictPreferences.from_dict(data)

                return model_preferences_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PredictPreferences | Unset, data)

        model_preferences = _parse_model_preferences(d.pop("model_preferences", UNSET))

        def _parse_agent_ids(data: object) -> None | PredictRequestAgentIdsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                agent_ids_type_0 = PredictRequestAgentIdsType0.from_dict(data)

                return agent_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PredictRequestAgentIdsType0 | Unset, data)

        agent_ids = _parse_agent_ids(d.pop("agent_ids", UNSET))

        def _parse_as_of(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                as_of_type_0 = datetime.datetime.fromisoformat(data)

                return as_of_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        as_of = _parse_as_of(d.pop("as_of", UNSET))

        def _parse_account_equity(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        account_equity = _parse_account_equity(d.pop("account_equity", UNSET))

        timezone = d.pop("timezone", UNSET)

        predict_request = cls(
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

        return predict_request
