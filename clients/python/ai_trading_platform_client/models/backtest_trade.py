from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.direction import Direction
from ..types import UNSET, Unset

T = TypeVar("T", bound="BacktestTrade")


@_attrs_define
class BacktestTrade:
    """One trade: the call as the rule made it (post these inputs to `/trade-signal`
    and the same signal and size come back), then how it ended.

        Attributes:
            entry_time (datetime.datetime):
            direction (Direction): Which way the position faces (a Long-only segment's Short call is an Exit).
            shares (int):
            entry_price (float):
            entry_fill (float):
            stop_loss (float):
            predicted_price (float):
            confidence (float):
            account_equity (float):
            suggested_exit_at (datetime.datetime):
            max_loss (str):
            risk_reward_ratio (float):
            exit_time (datetime.datetime):
            exit_price (float):
            exit_reason (str): `stop`, `exit_time` or `end_of_period`
            costs (float):
            pnl (float):
            trade_return (float): pnl ÷ the entry's traded value
    """

    entry_time: datetime.datetime
    direction: Direction
    shares: int
    entry_price: float
    entry_fill: float
    stop_loss: float
    predicted_price: float
    confidence: float
    account_equity: float
    suggested_exit_at: datetime.datetime
    max_loss: str
    risk_reward_ratio: float
    exit_time: datetime.datetime
    exit_price: float
    exit_reason: str
    costs: float
    pnl: float
    trade_return: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        entry_time = self.entry_time.isoformat()

        direction = self.direction.value

        shares = self.shares

        entry_price = self.entry_price

        entry_fill = self.entry_fill

        stop_loss = self.stop_loss

        predicted_price = self.predicted_price

        confidence = self.confidence

        account_equity = self.account_equity

        suggested_exit_at = self.suggested_exit_at.isoformat()

        max_loss = self.max_loss

        risk_reward_ratio = self.risk_reward_ratio

        exit_time = self.exit_time.isoformat()

        exit_price = self.exit_price

        exit_reason = self.exit_reason

        costs = self.costs

        pnl = self.pnl

        trade_return = self.trade_return

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "entry_time": entry_time,
                "direction": direction,
                "shares": shares,
                "entry_price": entry_price,
                "entry_fill": entry_fill,
                "stop_loss": stop_loss,
                "predicted_price": predicted_price,
                "confidence": confidence,
                "account_equity": account_equity,
                "suggested_exit_at": suggested_exit_at,
                "max_loss": max_loss,
                "risk_reward_ratio": risk_reward_ratio,
                "exit_time": exit_time,
                "exit_price": exit_price,
                "exit_reason": exit_reason,
                "costs": costs,
                "pnl": pnl,
                "trade_return": trade_return,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        entry_time = datetime.datetime.fromisoformat(d.pop("entry_time"))

        direction = Direction(d.pop("direction"))

        shares = d.pop("shares")

        entry_price = d.pop("entry_price")

        entry_fill = d.pop("entry_fill")

        stop_loss = d.pop("stop_loss")

        predicted_price = d.pop("predicted_price")

        confidence = d.pop("confidence")

        account_equity = d.pop("account_equity")

        suggested_exit_at = datetime.datetime.fromisoformat(d.pop("suggested_exit_at"))

        max_loss = d.pop("max_loss")

        risk_reward_ratio = d.pop("risk_reward_ratio")

        exit_time = datetime.datetime.fromisoformat(d.pop("exit_time"))

        exit_price = d.pop("exit_price")

        exit_reason = d.pop("exit_reason")

        costs = d.pop("costs")

        pnl = d.pop("pnl")

        trade_return = d.pop("trade_return")

        backtest_trade = cls(
            entry_time=entry_time,
            direction=direction,
            shares=shares,
            entry_price=entry_price,
            entry_fill=entry_fill,
            stop_loss=stop_loss,
            predicted_price=predicted_price,
            confidence=confidence,
            account_equity=account_equity,
            suggested_exit_at=suggested_exit_at,
            max_loss=max_loss,
            risk_reward_ratio=risk_reward_ratio,
            exit_time=exit_time,
            exit_price=exit_price,
            exit_reason=exit_reason,
            costs=costs,
            pnl=pnl,
            trade_return=trade_return,
        )

        backtest_trade.additional_properties = d
        return backtest_trade

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
