from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="BacktestMetrics")


@_attrs_define
class BacktestMetrics:
    """Definitions in docs/BACKTESTS.md: returns of the equity marked at every close,
    annualised with the frequency's bars per year, risk-free rate 0.

        Attributes:
            bars (int):
            start_equity (float):
            end_equity (float):
            total_return (float):
            annualized_return (float):
            annualized_volatility (float):
            sharpe (float | None):
            sortino (float | None):
            max_drawdown (float):
            n_trades (int):
            hit_rate (float | None):
            profit_factor (float | None):
            average_trade_return (float | None):
            stops_hit (int):
            exposure (float): Share of bars with a position open
            turnover (float): Traded value (entries and exits) ÷ starting equity
            total_costs (float):
            buy_and_hold_return (float):
            excess_return (float): total_return − buy_and_hold_return
            cost_bp (float):
            slippage_bp (float):
            bars_per_year (float):
    """

    bars: int
    start_equity: float
    end_equity: float
    total_return: float
    annualized_return: float
    annualized_volatility: float
    sharpe: float | None
    sortino: float | None
    max_drawdown: float
    n_trades: int
    hit_rate: float | None
    profit_factor: float | None
    average_trade_return: float | None
    stops_hit: int
    exposure: float
    turnover: float
    total_costs: float
    buy_and_hold_return: float
    excess_return: float
    cost_bp: float
    slippage_bp: float
    bars_per_year: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bars = self.bars

        start_equity = self.start_equity

        end_equity = self.end_equity

        total_return = self.total_return

        annualized_return = self.annualized_return

        annualized_volatility = self.annualized_volatility

        sharpe: float | None
        sharpe = self.sharpe

        sortino: float | None
        sortino = self.sortino

        max_drawdown = self.max_drawdown

        n_trades = self.n_trades

        hit_rate: float | None
        hit_rate = self.hit_rate

        profit_factor: float | None
        profit_factor = self.profit_factor

        average_trade_return: float | None
        average_trade_return = self.average_trade_return

        stops_hit = self.stops_hit

        exposure = self.exposure

        turnover = self.turnover

        total_costs = self.total_costs

        buy_and_hold_return = self.buy_and_hold_return

        excess_return = self.excess_return

        cost_bp = self.cost_bp

        slippage_bp = self.slippage_bp

        bars_per_year = self.bars_per_year

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bars": bars,
                "start_equity": start_equity,
                "end_equity": end_equity,
                "total_return": total_return,
                "annualized_return": annualized_return,
                "annualized_volatility": annualized_volatility,
                "sharpe": sharpe,
                "sortino": sortino,
                "max_drawdown": max_drawdown,
                "n_trades": n_trades,
                "hit_rate": hit_rate,
                "profit_factor": profit_factor,
                "average_trade_return": average_trade_return,
                "stops_hit": stops_hit,
                "exposure": exposure,
                "turnover": turnover,
                "total_costs": total_costs,
                "buy_and_hold_return": buy_and_hold_return,
                "excess_return": excess_return,
                "cost_bp": cost_bp,
                "slippage_bp": slippage_bp,
                "bars_per_year": bars_per_year,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        bars = d.pop("bars")

        start_equity = d.pop("start_equity")

        end_equity = d.pop("end_equity")

        total_return = d.pop("total_return")

        annualized_return = d.pop("annualized_return")

        annualized_volatility = d.pop("annualized_volatility")

        def _parse_sharpe(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        sharpe = _parse_sharpe(d.pop("sharpe"))

        def _parse_sortino(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        sortino = _parse_sortino(d.pop("sortino"))

        max_drawdown = d.pop("max_drawdown")

        n_trades = d.pop("n_trades")

        def _parse_hit_rate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        hit_rate = _parse_hit_rate(d.pop("hit_rate"))

        def _parse_profit_factor(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        profit_factor = _parse_profit_factor(d.pop("profit_factor"))

        def _parse_average_trade_return(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        average_trade_return = _parse_average_trade_return(d.pop("average_trade_return"))

        stops_hit = d.pop("stops_hit")

        exposure = d.pop("exposure")

        turnover = d.pop("turnover")

        total_costs = d.pop("total_costs")

        buy_and_hold_return = d.pop("buy_and_hold_return")

        excess_return = d.pop("excess_return")

        cost_bp = d.pop("cost_bp")

        slippage_bp = d.pop("slippage_bp")

        bars_per_year = d.pop("bars_per_year")

        backtest_metrics = cls(
            bars=bars,
            start_equity=start_equity,
            end_equity=end_equity,
            total_return=total_return,
            annualized_return=annualized_return,
            annualized_volatility=annualized_volatility,
            sharpe=sharpe,
            sortino=sortino,
            max_drawdown=max_drawdown,
            n_trades=n_trades,
            hit_rate=hit_rate,
            profit_factor=profit_factor,
            average_trade_return=average_trade_return,
            stops_hit=stops_hit,
            exposure=exposure,
            turnover=turnover,
            total_costs=total_costs,
            buy_and_hold_return=buy_and_hold_return,
            excess_return=excess_return,
            cost_bp=cost_bp,
            slippage_bp=slippage_bp,
            bars_per_year=bars_per_year,
        )

        backtest_metrics.additional_properties = d
        return backtest_metrics

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
