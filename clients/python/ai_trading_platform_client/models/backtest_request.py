from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.user_segment import UserSegment
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.time_window import TimeWindow


T = TypeVar("T", bound="BacktestRequest")


@_attrs_define
class BacktestRequest:
    """Every field is optional: left out, the period runs from the first day after the
    version's data to today, and the trade plan is the agent's own (its risk
    parameters, your segment and equity, the stop `/predict` would place).

        Attributes:
            start_date (datetime.date | None | Unset): First day of the period; after the version's data (default: the day
                after it ends)
            end_date (datetime.date | None | Unset): Last day (default: today)
            version_id (None | Unset | UUID): The version to replay (default: the serving champion)
            account_equity (float | None | Unset): Default: your equity
            capital_at_risk (float | None | Unset): Default: the agent's
            confidence_level (float | None | Unset): Default: the agent's
            user_segment (None | Unset | UserSegment): Default: yours
            cost_bp (float | None | Unset): Commission per side, in basis points of the traded value (default: the
                platform's training backtest cost)
            slippage_bp (float | Unset): Adverse fill per side, bp Default: 2.0.
            stop_atr_multiple (float | Unset): Stop distance in ATRs Default: 2.0.
            entry_window (None | TimeWindow | Unset):
            exit_window (None | TimeWindow | Unset):
            timezone (str | Unset): IANA zone of the windows. Left out: the agent's exchange zone (America/New_York for a US
                share, Europe/London for VOD.L) Default: 'America/New_York'.
    """

    start_date: datetime.date | None | Unset = UNSET
    end_date: datetime.date | None | Unset = UNSET
    version_id: None | Unset | UUID = UNSET
    account_equity: float | None | Unset = UNSET
    capital_at_risk: float | None | Unset = UNSET
    confidence_level: float | None | Unset = UNSET
    user_segment: None | Unset | UserSegment = UNSET
    cost_bp: float | None | Unset = UNSET
    slippage_bp: float | Unset = 2.0
    stop_atr_multiple: float | Unset = 2.0
    entry_window: None | TimeWindow | Unset = UNSET
    exit_window: None | TimeWindow | Unset = UNSET
    timezone: str | Unset = "America/New_York"

    def to_dict(self) -> dict[str, Any]:
        from ..models.time_window import TimeWindow  # noqa: PLC0415

        start_date: None | str | Unset
        if isinstance(self.start_date, Unset):
            start_date = UNSET
        elif isinstance(self.start_date, datetime.date):
            start_date = self.start_date.isoformat()
        else:
            start_date = self.start_date

        end_date: None | str | Unset
        if isinstance(self.end_date, Unset):
            end_date = UNSET
        elif isinstance(self.end_date, datetime.date):
            end_date = self.end_date.isoformat()
        else:
            end_date = self.end_date

        version_id: None | str | Unset
        if isinstance(self.version_id, Unset):
            version_id = UNSET
        elif isinstance(self.version_id, UUID):
            version_id = str(self.version_id)
        else:
            version_id = self.version_id

        account_equity: float | None | Unset
        if isinstance(self.account_equity, Unset):
            account_equity = UNSET
        else:
            account_equity = self.account_equity

        capital_at_risk: float | None | Unset
        if isinstance(self.capital_at_risk, Unset):
            capital_at_risk = UNSET
        else:
            capital_at_risk = self.capital_at_risk

        confidence_level: float | None | Unset
        if isinstance(self.confidence_level, Unset):
            confidence_level = UNSET
        else:
            confidence_level = self.confidence_level

        user_segment: None | str | Unset
        if isinstance(self.user_segment, Unset):
            user_segment = UNSET
        elif isinstance(self.user_segment, UserSegment):
            user_segment = self.user_segment.value
        else:
            user_segment = self.user_segment

        cost_bp: float | None | Unset
        if isinstance(self.cost_bp, Unset):
            cost_bp = UNSET
        else:
            cost_bp = self.cost_bp

        slippage_bp = self.slippage_bp

        stop_atr_multiple = self.stop_atr_multiple

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

        timezone = self.timezone

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if start_date is not UNSET:
            field_dict["start_date"] = start_date
        if end_date is not UNSET:
            field_dict["end_date"] = end_date
        if version_id is not UNSET:
            field_dict["version_id"] = version_id
        if account_equity is not UNSET:
            field_dict["account_equity"] = account_equity
        if capital_at_risk is not UNSET:
            field_dict["capital_at_risk"] = capital_at_risk
        if confidence_level is not UNSET:
            field_dict["confidence_level"] = confidence_level
        if user_segment is not UNSET:
            field_dict["user_segment"] = user_segment
        if cost_bp is not UNSET:
            field_dict["cost_bp"] = cost_bp
        if slippage_bp is not UNSET:
            field_dict["slippage_bp"] = slippage_bp
        if stop_atr_multiple is not UNSET:
            field_dict["stop_atr_multiple"] = stop_atr_multiple
        if entry_window is not UNSET:
            field_dict["entry_window"] = entry_window
        if exit_window is not UNSET:
            field_dict["exit_window"] = exit_window
        if timezone is not UNSET:
            field_dict["timezone"] = timezone

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.time_window import TimeWindow  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_start_date(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                start_date_type_0 = datetime.date.fromisoformat(data)

                return start_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        start_date = _parse_start_date(d.pop("start_date", UNSET))

        def _parse_end_date(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                end_date_type_0 = datetime.date.fromisoformat(data)

                return end_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        end_date = _parse_end_date(d.pop("end_date", UNSET))

        def _parse_version_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                version_id_type_0 = UUID(data)

                return version_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        version_id = _parse_version_id(d.pop("version_id", UNSET))

        def _parse_account_equity(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        account_equity = _parse_account_equity(d.pop("account_equity", UNSET))

        def _parse_capital_at_risk(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        capital_at_risk = _parse_capital_at_risk(d.pop("capital_at_risk", UNSET))

        def _parse_confidence_level(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        confidence_level = _parse_confidence_level(d.pop("confidence_level", UNSET))

        def _parse_user_segment(data: object) -> None | Unset | UserSegment:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                user_segment_type_0 = UserSegment(data)

                return user_segment_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UserSegment, data)

        user_segment = _parse_user_segment(d.pop("user_segment", UNSET))

        def _parse_cost_bp(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        cost_bp = _parse_cost_bp(d.pop("cost_bp", UNSET))

        slippage_bp = d.pop("slippage_bp", UNSET)

        stop_atr_multiple = d.pop("stop_atr_multiple", UNSET)

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

        timezone = d.pop("timezone", UNSET)

        backtest_request = cls(
            start_date=start_date,
            end_date=end_date,
            version_id=version_id,
            account_equity=account_equity,
            capital_at_risk=capital_at_risk,
            confidence_level=confidence_level,
            user_segment=user_segment,
            cost_bp=cost_bp,
            slippage_bp=slippage_bp,
            stop_atr_multiple=stop_atr_multiple,
            entry_window=entry_window,
            exit_window=exit_window,
            timezone=timezone,
        )

        return backtest_request
