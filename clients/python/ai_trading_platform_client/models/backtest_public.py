from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.backtest_status import BacktestStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.backtest_metrics import BacktestMetrics
    from ..models.backtest_progress import BacktestProgress
    from ..models.backtest_settings import BacktestSettings
    from ..models.backtest_trade import BacktestTrade
    from ..models.equity_point import EquityPoint
    from ..models.signal_counts import SignalCounts


T = TypeVar("T", bound="BacktestPublic")


@_attrs_define
class BacktestPublic:
    """
    Attributes:
        id (UUID):
        agent_id (UUID):
        version_id (UUID):
        status (BacktestStatus):
        status_url (str):
        progress (BacktestProgress): How far a running backtest got (the last heartbeat's news).
        attempts (int):
        error (None | str):
        created_at (datetime.datetime):
        started_at (datetime.datetime | None):
        finished_at (datetime.datetime | None):
        request (BacktestSettings): The request as the job ran it, every default filled in.
        first_bar (datetime.datetime | None): The period's first bar the source had
        last_bar (datetime.datetime | None): Its last (the source may end earlier)
        metrics (BacktestMetrics | None):
        signals (None | SignalCounts):
        trades (list[BacktestTrade]):
        equity_curve (list[EquityPoint]):
        warnings (list[str]):
    """

    id: UUID
    agent_id: UUID
    version_id: UUID
    status: BacktestStatus
    status_url: str
    progress: BacktestProgress
    attempts: int
    error: None | str
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    request: BacktestSettings
    first_bar: datetime.datetime | None
    last_bar: datetime.datetime | None
    metrics: BacktestMetrics | None
    signals: None | SignalCounts
    trades: list[BacktestTrade]
    equity_curve: list[EquityPoint]
    warnings: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.backtest_metrics import BacktestMetrics  # noqa: PLC0415
        from ..models.backtest_progress import BacktestProgress  # noqa: PLC0415
        from ..models.backtest_settings import BacktestSettings  # noqa: PLC0415
        from ..models.backtest_trade import BacktestTrade  # noqa: PLC0415
        from ..models.equity_point import EquityPoint  # noqa: PLC0415
        from ..models.signal_counts import SignalCounts  # noqa: PLC0415

        id = str(self.id)

        agent_id = str(self.agent_id)

        version_id = str(self.version_id)

        status = self.status.value

        status_url = self.status_url

        progress = self.progress.to_dict()

        attempts = self.attempts

        error: None | str
        error = self.error

        created_at = self.created_at.isoformat()

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        request = self.request.to_dict()

        first_bar: None | str
        if isinstance(self.first_bar, datetime.datetime):
            first_bar = self.first_bar.isoformat()
        else:
            first_bar = self.first_bar

        last_bar: None | str
        if isinstance(self.last_bar, datetime.datetime):
            last_bar = self.last_bar.isoformat()
        else:
            last_bar = self.last_bar

        metrics: dict[str, Any] | None
        if isinstance(self.metrics, BacktestMetrics):
            metrics = self.metrics.to_dict()
        else:
            metrics = self.metrics

        signals: dict[str, Any] | None
        if isinstance(self.signals, SignalCounts):
            signals = self.signals.to_dict()
        else:
            signals = self.signals

        trades = []
        for trades_item_data in self.trades:
            trades_item = trades_item_data.to_dict()
            trades.append(trades_item)

        equity_curve = []
        for equity_curve_item_data in self.equity_curve:
            equity_curve_item = equity_curve_item_data.to_dict()
            equity_curve.append(equity_curve_item)

        warnings = self.warnings

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "agent_id": agent_id,
                "version_id": version_id,
                "status": status,
                "status_url": status_url,
                "progress": progress,
                "attempts": attempts,
                "error": error,
                "created_at": created_at,
                "started_at": started_at,
                "finished_at": finished_at,
                "request": request,
                "first_bar": first_bar,
                "last_bar": last_bar,
                "metrics": metrics,
                "signals": signals,
                "trades": trades,
                "equity_curve": equity_curve,
                "warnings": warnings,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.backtest_metrics import BacktestMetrics  # noqa: PLC0415
        from ..models.backtest_progress import BacktestProgress  # noqa: PLC0415
        from ..models.backtest_settings import BacktestSettings  # noqa: PLC0415
        from ..models.backtest_trade import BacktestTrade  # noqa: PLC0415
        from ..models.equity_point import EquityPoint  # noqa: PLC0415
        from ..models.signal_counts import SignalCounts  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        agent_id = UUID(d.pop("agent_id"))

        version_id = UUID(d.pop("version_id"))

        status = BacktestStatus(d.pop("status"))

        status_url = d.pop("status_url")

        progress = BacktestProgress.from_dict(d.pop("progress"))

        attempts = d.pop("attempts")

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        started_at = _parse_started_at(d.pop("started_at"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        request = BacktestSettings.from_dict(d.pop("request"))

        def _parse_first_bar(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                first_bar_type_0 = datetime.datetime.fromisoformat(data)

                return first_bar_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        first_bar = _parse_first_bar(d.pop("first_bar"))

        def _parse_last_bar(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_bar_type_0 = datetime.datetime.fromisoformat(data)

                return last_bar_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_bar = _parse_last_bar(d.pop("last_bar"))

        def _parse_metrics(data: object) -> BacktestMetrics | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metrics_type_0 = BacktestMetrics.from_dict(data)

                return metrics_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BacktestMetrics | None, data)

        metrics = _parse_metrics(d.pop("metrics"))

        def _parse_signals(data: object) -> None | SignalCounts:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                signals_type_0 = SignalCounts.from_dict(data)

                return signals_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SignalCounts, data)

        signals = _parse_signals(d.pop("signals"))

        trades = []
        _trades = d.pop("trades")
        for trades_item_data in _trades:
            trades_item = BacktestTrade.from_dict(trades_item_data)

            trades.append(trades_item)

        equity_curve = []
        _equity_curve = d.pop("equity_curve")
        for equity_curve_item_data in _equity_curve:
            equity_curve_item = EquityPoint.from_dict(equity_curve_item_data)

            equity_curve.append(equity_curve_item)

        warnings = cast(list[str], d.pop("warnings"))

        backtest_public = cls(
            id=id,
            agent_id=agent_id,
            version_id=version_id,
            status=status,
            status_url=status_url,
            progress=progress,
            attempts=attempts,
            error=error,
            created_at=created_at,
            started_at=started_at,
            finished_at=finished_at,
            request=request,
            first_bar=first_bar,
            last_bar=last_bar,
            metrics=metrics,
            signals=signals,
            trades=trades,
            equity_curve=equity_curve,
            warnings=warnings,
        )

        backtest_public.additional_properties = d
        return backtest_public

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
