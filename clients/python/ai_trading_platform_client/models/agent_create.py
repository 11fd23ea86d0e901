from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.data_frequency import DataFrequency
from ..models.data_source import DataSource
from ..models.feature import Feature
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.model_preferences import ModelPreferences
    from ..models.retrain_policy import RetrainPolicy
    from ..models.risk_params import RiskParams


T = TypeVar("T", bound="AgentCreate")


@_attrs_define
class AgentCreate:
    """
    Attributes:
        symbol (str): What you would type on your terminal: a ticker (AAPL, BRK.B or BRK-B: US listings), a Refinitiv
            RIC as written (AAPL.O, VOD.L, 7203.T, 0005.HK, BRKb.N, .SPX, EUR=), a Bloomberg security (IBM US Equity, VOD LN
            Equity, BRK/B US Equity, SPX Index, EURUSD Curncy), an index (^SPX) or a currency pair (EURUSD, EUR/USD). RICs
            keep their letter case (BRKb.N); everything else is read in any case. docs/MARKET_DATA.md lists the exchanges,
            indices and currencies the platform knows.
        start_date (datetime.date):
        end_date (datetime.date):
        data_frequency (DataFrequency): The bar lengths an agent can be trained on.
        prediction_horizon (str):
        name (None | str | Unset):
        data_source (DataSource | Unset): Where an agent's bars come from (docs/MARKET_DATA.md).
        features (list[Feature] | None | Unset): Indicators; any letter case.
        sentiment_enabled (bool | Unset):  Default: False.
        risk_params (RiskParams | Unset):
        model_preferences (ModelPreferences | Unset): Architecture and epochs for everyone; the rest is for `quant`
            users only.
        callback_url (None | str | Unset):
        retrain_policy (None | RetrainPolicy | Unset):
    """

    symbol: str
    start_date: datetime.date
    end_date: datetime.date
    data_frequency: DataFrequency
    prediction_horizon: str
    name: None | str | Unset = UNSET
    data_source: DataSource | Unset = UNSET
    features: list[Feature] | None | Unset = UNSET
    sentiment_enabled: bool | Unset = False
    risk_params: RiskParams | Unset = UNSET
    model_preferences: ModelPreferences | Unset = UNSET
    callback_url: None | str | Unset = UNSET
    retrain_policy: None | RetrainPolicy | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.model_preferences import ModelPreferences  # noqa: PLC0415
        from ..models.retrain_policy import RetrainPolicy  # noqa: PLC0415
        from ..models.risk_params import RiskParams  # noqa: PLC0415

        symbol = self.symbol

        start_date = self.start_date.isoformat()

        end_date = self.end_date.isoformat()

        data_frequency = self.data_frequency.value

        prediction_horizon = self.prediction_horizon

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        data_source: str | Unset = UNSET
        if not isinstance(self.data_source, Unset):
            data_source = self.data_source.value

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

        risk_params: dict[str, Any] | Unset = UNSET
        if not isinstance(self.risk_params, Unset):
            risk_params = self.risk_params.to_dict()

        model_preferences: dict[str, Any] | Unset = UNSET
        if not isinstance(self.model_preferences, Unset):
            model_preferences = self.model_preferences.to_dict()

        callback_url: None | str | Unset
        if isinstance(self.callback_url, Unset):
            callback_url = UNSET
        else:
            callback_url = self.callback_url

        retrain_policy: dict[str, Any] | None | Unset
        if isinstance(self.retrain_policy, Unset):
            retrain_policy = UNSET
        elif isinstance(self.retrain_policy, RetrainPolicy):
            retrain_policy = self.retrain_policy.to_dict()
        else:
            retrain_policy = self.retrain_policy

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "symbol": symbol,
                "start_date": start_date,
                "end_date": end_date,
                "data_frequency": data_frequency,
                "prediction_horizon": prediction_horizon,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if data_source is not UNSET:
            field_dict["data_source"] = data_source
        if features is not UNSET:
            field_dict["features"] = features
        if sentiment_enabled is not UNSET:
            field_dict["sentiment_enabled"] = sentiment_enabled
        if risk_params is not UNSET:
            field_dict["risk_params"] = risk_params
        if model_preferences is not UNSET:
            field_dict["model_preferences"] = model_preferences
        if callback_url is not UNSET:
            field_dict["callback_url"] = callback_url
        if retrain_policy is not UNSET:
            field_dict["retrain_policy"] = retrain_policy

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.model_preferences import ModelPreferences  # noqa: PLC0415
        from ..models.retrain_policy import RetrainPolicy  # noqa: PLC0415
        from ..models.risk_params import RiskParams  # noqa: PLC0415

        d = dict(src_dict)
        symbol = d.pop("symbol")

        start_date = datetime.date.fromisoformat(d.pop("start_date"))

        end_date = datetime.date.fromisoformat(d.pop("end_date"))

        data_frequency = DataFrequency(d.pop("data_frequency"))

        prediction_horizon = d.pop("prediction_horizon")

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        _data_source = d.pop("data_source", UNSET)
        data_source: DataSource | Unset
        if isinstance(_data_source, Unset):
            data_source = UNSET
        else:
            data_source = DataSource(_data_source)

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

        _risk_params = d.pop("risk_params", UNSET)
        risk_params: RiskParams | Unset
        if isinstance(_risk_params, Unset):
            risk_params = UNSET
        else:
            risk_params = RiskParams.from_dict(_risk_params)

        _model_preferences = d.pop("model_preferences", UNSET)
        model_preferences: ModelPreferences | Unset
        if isinstance(_model_preferences, Unset):
            model_preferences = UNSET
        else:
            model_preferences = ModelPreferences.from_dict(_model_preferences)

        def _parse_callback_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        callback_url = _parse_callback_url(d.pop("callback_url", UNSET))

        def _parse_retrain_policy(data: object) -> None | RetrainPolicy | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                retrain_policy_type_0 = RetrainPolicy.from_dict(data)

                return retrain_policy_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RetrainPolicy | Unset, data)

        retrain_policy = _parse_retrain_policy(d.pop("retrain_policy", UNSET))

        agent_create = cls(
            symbol=symbol,
            start_date=start_date,
            end_date=end_date,
            data_frequency=data_frequency,
            prediction_horizon=prediction_horizon,
            name=name,
            data_source=data_source,
            features=features,
            sentiment_enabled=sentiment_enabled,
            risk_params=risk_params,
            model_preferences=model_preferences,
            callback_url=callback_url,
            retrain_policy=retrain_policy,
        )

        return agent_create
