from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.user_segment import UserSegment
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.time_window import TimeWindow


T = TypeVar("T", bound="TradeSignalRequest")


@_attrs_define
class TradeSignalRequest:
    """The signal engine alone, for a forecast the caller brings.

    Attributes:
        symbol (str): What you would type on your terminal: a ticker (AAPL, BRK.B or BRK-B: US listings), a Refinitiv
            RIC as written (AAPL.O, VOD.L, 7203.T, 0005.HK, BRKb.N, .SPX, EUR=), a Bloomberg security (IBM US Equity, VOD LN
            Equity, BRK/B US Equity, SPX Index, EURUSD Curncy), an index (^SPX) or a currency pair (EURUSD, EUR/USD). RICs
            keep their letter case (BRKb.N); everything else is read in any case. docs/MARKET_DATA.md lists the exchanges,
            indices and currencies the platform knows.
        predicted_price (float):
        confidence (float):
        entry_price (float):
        stop_loss (float):
        user_segment (UserSegment):
        capital_at_risk (float | Unset):  Default: 0.02.
        confidence_level (float | Unset):  Default: 0.6.
        prediction_horizon (None | str | Unset):
        entry_window (None | TimeWindow | Unset):
        exit_window (None | TimeWindow | Unset):
        as_of (datetime.datetime | None | Unset):
        account_equity (float | None | Unset):
        timezone (str | Unset): IANA zone the windows are read in and `suggested_exit_time` is written in. Left out: the
            symbol's exchange zone (America/New_York for a US share, Europe/London for VOD.L) Default: 'America/New_York'.
    """

    symbol: str
    predicted_price: float
    confidence: float
    entry_price: float
    stop_loss: float
    user_segment: UserSegment
    capital_at_risk: float | Unset = 0.02
    confidence_level: float | Unset = 0.6
    prediction_horizon: None | str | Unset = UNSET
    entry_window: None | TimeWindow | Unset = UNSET
    exit_window: None | TimeWindow | Unset = UNSET
    as_of: datetime.datetime | None | Unset = UNSET
    account_equity: float | None | Unset = UNSET
    timezone: str | Unset = "America/New_York"

    def to_dict(self) -> dict[str, Any]:
        from ..models.time_window import TimeWindow  # noqa: PLC0415

        symbol = self.symbol

        predicted_price = self.predicted_price

        confidence = self.confidence

        entry_price = self.entry_price

        stop_loss = self.stop_loss

        user_segment = self.user_segment.value

        capital_at_risk = self.capital_at_risk

        confidence_level = self.confidence_level

        prediction_horizon: None | str | Unset
        if isinstance(self.prediction_horizon, Unset):
            prediction_horizon = UNSET
        else:
            prediction_horizon = self.prediction_horizon

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
                "symbol": symbol,
                "predicted_price": predicted_price,
                "confidence": confidence,
                "entry_price": entry_price,
                "stop_loss": stop_loss,
                "user_segment": user_segment,
            }
        )
        if capital_at_risk is not UNSET:
            field_dict["capital_at_risk"] = capital_at_risk
        if confidence_level is not UNSET:
            field_dict["confidence_level"] = confidence_level
        if prediction_horizon is not UNSET:
            field_dict["prediction_horizon"] = prediction_horizon
        if entry_window is not UNSET:
            field_dict["entry_window"] = entry_window
        if exit_window is not UNSET:
            field_dict["exit_window"] = exit_window
        if as_of is not UNSET:
            field_dict["as_of"] = as_of
        if account_equity is not UNSET:
            field_dict["account_equity"] = account_equity
        if timezone is not UNSET:
            field_dict["timezone"] = timezone

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.time_window import TimeWindow  # noqa: PLC0415

        d = dict(src_dict)
        symbol = d.pop("symbol")

        predicted_price = d.pop("predicted_price")

        confidence = d.pop("confidence")

        entry_price = d.pop("entry_price")

        stop_loss = d.pop("stop_loss")

        user_segment = UserSegment(d.pop("user_segment"))

        capital_at_risk = d.pop("capital_at_risk", UNSET)

        confidence_level = d.pop("confidence_level", UNSET)

        def _parse_prediction_horizon(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        prediction_horizon = _parse_prediction_horizon(d.pop("prediction_horizon", UNSET))

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

        trade_signal_request = cls(
            symbol=symbol,
            predicted_price=predicted_price,
            confidence=confidence,
            entry_price=entry_price,
            stop_loss=stop_loss,
            user_segment=user_segment,
            capital_at_risk=capital_at_risk,
            confidence_level=confidence_level,
            prediction_horizon=prediction_horizon,
            entry_window=entry_window,
            exit_window=exit_window,
            as_of=as_of,
            account_equity=account_equity,
            timezone=timezone,
        )

        return trade_signal_request
