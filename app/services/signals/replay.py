"""The signal rule replayed bar by bar over a past period: the backtest a user asks for.

Each bar's forecast goes through `decide`, the very rule `/predict` and
`/trade-signal` apply, with the stop `/predict` would place and the equity the
account holds at that bar; so every trade here is the call the platform would have
made then (a trade's recorded inputs, posted to `/trade-signal`, give back its signal
and size). What the rule does not say, the simulation decides as a desk would, and
docs/BACKTESTS.md writes it down:

* one position at a time; a call is only acted on when flat;
* fills: entry at the decision bar's close, worse by `slippage_bp`; a stop touched
  by a later bar's low (long) or high (short) fills at the stop, or at that bar's
  open when the bar gaps through it, worse by the slippage; otherwise the trade is
  closed at the close of the first bar that closes at or after the call's
  `suggested_exit_time` (the horizon, or the exit window's end), or at the period's
  last close;
* `cost_bp` of the traded value is paid on entry and again on exit;
* equity is marked to market at every close; metrics come from that curve.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from app.core.calendars import TradingCalendar, calendar_of
from app.core.clock import Window
from app.core.money import amount_unit, tick
from app.services.signals.rule import SignalInput, decide, expected_direction
from app.services.signals.stops import STOP_ATR_MULTIPLE

# The curve a caller gets back is thinned to at most this many points (the first, the
# last and every trade's entry and exit kept); metrics use every bar.
MAX_CURVE_POINTS = 2000


@dataclass(frozen=True, kw_only=True)
class ReplayParams:
    symbol: str
    user_segment: str
    confidence_level: float
    capital_at_risk: float
    account_equity: float
    cost_bp: float
    slippage_bp: float
    min_edge: float
    bars_per_year: float
    intraday: bool
    timezone: str
    currency: str = "USD"  # the quote's (GBX: pence), as /predict sizes with it
    # The exchange's sessions the exits are timed on; None: the symbol's (`calendar_of`).
    calendar: TradingCalendar | None = None
    stop_atr_multiple: float = STOP_ATR_MULTIPLE
    entry_window: Window | None = None
    exit_window: Window | None = None


@dataclass(frozen=True, kw_only=True)
class ReplayBars:
    """The period's bars, oldest first, with each bar's forecast (NaN: none).

    `closes_at[i]` is when bar i is complete (the decision instant), `horizon_end[i]`
    when the bar the forecast is about closes; `atr` is each bar's ATR, for the stop.
    """

    closes_at: Sequence[datetime]
    horizon_end: Sequence[datetime]
    open: npt.NDArray[np.float64]
    high: npt.NDArray[np.float64]
    low: npt.NDArray[np.float64]
    close: npt.NDArray[np.float64]
    atr: npt.NDArray[np.float64]
    log_return: npt.NDArray[np.float64]
    confidence: npt.NDArray[np.float64]


@dataclass
class _Open:
    index: int
    side: int
    shares: int
    fill: float
    stop: float
    exit_at: datetime
    entry_cost: float
    record: dict[str, Any]


@dataclass
class ReplayResult:
    metrics: dict[str, Any]
    trades: list[dict[str, Any]]
    equity_curve: list[dict[str, Any]]
    signals: dict[str, int] = field(default_factory=dict)


def replay(bars: ReplayBars, params: ReplayParams) -> ReplayResult:
    """Walk the period bar by bar: manage the open trade, then decide when flat."""
    n = len(bars.close)
    if n < 2:
        raise ValueError("a backtest needs at least two bars in its period")
    slip = params.slippage_bp / 1e4
    cost = params.cost_bp / 1e4
    realised = params.account_equity  # cash plus closed trades' profit and loss
    equity = np.empty(n)
    in_market = np.zeros(n, dtype=bool)
    trades: list[dict[str, Any]] = []
    counts = {"Enter": 0, "Exit": 0, "Hold": 0, "none": 0}
    position: _Open | None = None
    calendar = params.calendar or calendar_of(params.symbol)
    # Shares × a price is in the quote's unit; money is counted in its currency (pence
    # quotes: pounds, as /predict's sizing counts the account's equity).
    unit = amount_unit(params.currency)[1]
    for i in range(n):
        if position is not None and i > position.index:
            exit_price, reason = _exit_fill(position, bars, i, n, slip)
            if reason is not None:
                gross = position.side * position.shares * (exit_price - position.fill) / unit
                exit_cost = abs(position.shares * exit_price) * cost / unit
                realised += gross - exit_cost
                trades.append(
                    _closed(position, bars.closes_at[i], exit_price, reason, gross, exit_cost, unit)
                )
                position = None
        if position is None and i < n - 1:
            position = _decide(bars, params, calendar, i, realised, counts)
            if position is not None:
                position.entry_cost = abs(position.shares * position.fill) * cost / unit
                realised -= position.entry_cost
        marked = realised
        if position is not None:
            marked += position.side * position.shares * (bars.close[i] - position.fill) / unit
            in_market[i] = True
        equity[i] = marked
    return ReplayResult(
        metrics=_metrics(equity, in_market, trades, bars, params),
        trades=trades,
        equity_curve=_curve(equity, bars, trades, params.account_equity),
        signals=counts,
    )


def _decide(
    bars: ReplayBars,
    params: ReplayParams,
    calendar: TradingCalendar,
    i: int,
    equity: float,
    counts: dict[str, int],
) -> _Open | None:
    """The rule's call at bar i, as `/predict` would have made it then."""
    log_return, confidence = float(bars.log_return[i]), float(bars.confidence[i])
    close = float(bars.close[i])
    if not (math.isfinite(log_return) and math.isfinite(confidence)) or equity <= 0:
        counts["none"] += 1
        return None
    entry = tick(close)
    predicted = round(close * math.exp(log_return), 4)
    hint = expected_direction(predicted, entry, params.user_segment)
    atr = float(bars.atr[i]) if math.isfinite(bars.atr[i]) else 0.0
    offset = params.stop_atr_multiple * atr
    raw_stop = entry - offset if hint == "Long" else entry + offset
    if raw_stop <= 0 or predicted <= 0:
        counts["none"] += 1
        return None
    stop = tick(raw_stop, entry)
    inputs = SignalInput(
        symbol=params.symbol,
        predicted_price=predicted,
        confidence=round(confidence, 4),
        entry_price=entry,
        stop_loss=stop,
        capital_at_risk=params.capital_at_risk,
        confidence_level=params.confidence_level,
        user_segment=params.user_segment,
        account_equity=round(equity, 2),
        bar_time=bars.closes_at[i],
        horizon_end=bars.horizon_end[i],
        entry_window=params.entry_window,
        exit_window=params.exit_window,
        timezone=params.timezone,
        calendar=calendar,
        currency=params.currency,
        intraday=params.intraday,
        min_edge=params.min_edge,
    )
    signal = decide(inputs)
    counts[str(signal.trade_signal)] += 1
    if signal.trade_signal != "Enter" or signal.position_size <= 0:
        return None
    side = 1 if signal.direction == "Long" else -1
    fill = entry * (1 + side * params.slippage_bp / 1e4)
    record = {
        "entry_time": bars.closes_at[i].isoformat(),
        "direction": str(signal.direction),
        "shares": signal.position_size,
        "entry_price": entry,
        "entry_fill": round(fill, 6),
        "stop_loss": stop,
        "predicted_price": predicted,
        "confidence": inputs.confidence,
        "account_equity": inputs.account_equity,
        "suggested_exit_at": signal.exit_at.isoformat(),
        "max_loss": signal.risk_metrics.max_loss,
        "risk_reward_ratio": signal.risk_metrics.risk_reward_ratio,
    }
    return _Open(i, side, signal.position_size, fill, stop, signal.exit_at, 0.0, record)


def _exit_fill(
    position: _Open, bars: ReplayBars, i: int, n: int, slip: float
) -> tuple[float, str | None]:
    """Where and why the open trade closes at bar i (reason None: it stays open)."""
    side, stop = position.side, position.stop
    opened, low, high = float(bars.open[i]), float(bars.low[i]), float(bars.high[i])
    if side > 0 and low <= stop:
        return min(opened, stop) * (1 - slip), "stop"
    if side < 0 and high >= stop:
        return max(opened, stop) * (1 + slip), "stop"
    close = float(bars.close[i]) * (1 - side * slip)
    if bars.closes_at[i] >= position.exit_at:
        return close, "exit_time"
    if i == n - 1:
        return close, "end_of_period"
    return 0.0, None


def _closed(
    position: _Open,
    when: datetime,
    exit_price: float,
    reason: str,
    gross: float,
    exit_cost: float,
    unit: int,
) -> dict[str, Any]:
    costs = position.entry_cost + exit_cost
    pnl = gross - exit_cost - position.entry_cost
    notional = position.shares * position.fill / unit
    return {
        **position.record,
        "exit_time": when.isoformat(),
        "exit_price": round(exit_price, 6),
        "exit_reason": reason,
        "costs": round(costs, 2),
        "pnl": round(pnl, 2),
        "trade_return": pnl / notional if notional else 0.0,
    }


def _metrics(
    equity: npt.NDArray[np.float64],
    in_market: npt.NDArray[np.bool_],
    trades: list[dict[str, Any]],
    bars: ReplayBars,
    params: ReplayParams,
) -> dict[str, Any]:
    """Pinned definitions (docs/BACKTESTS.md): per-bar returns of the marked equity
    curve, annualised with the frequency's bars per year, risk-free rate 0."""
    start = params.account_equity
    path = np.concatenate([[start], equity])
    returns = path[1:] / path[:-1] - 1.0
    n = len(returns)
    per_year = params.bars_per_year
    std = float(returns.std(ddof=1)) if n > 1 else 0.0
    downside = math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2)))
    peak = np.maximum.accumulate(path)
    pnl = np.array([t["pnl"] for t in trades], dtype=np.float64)
    losses = -pnl[pnl < 0].sum()
    total = float(equity[-1] / start - 1.0)
    years = n / per_year
    growth = equity[-1] / start
    traded = sum(t["shares"] * (t["entry_fill"] + t["exit_price"]) for t in trades)
    hold = float(bars.close[-1] / bars.close[0] - 1.0)
    return {
        "bars": n,
        "start_equity": start,
        "end_equity": round(float(equity[-1]), 2),
        "total_return": total,
        "annualized_return": float(growth ** (1 / years) - 1.0) if growth > 0 else -1.0,
        "annualized_volatility": std * math.sqrt(per_year),
        "sharpe": float(returns.mean() / std * math.sqrt(per_year)) if std > 0 else None,
        "sortino": (
            float(returns.mean() / downside * math.sqrt(per_year)) if downside > 0 else None
        ),
        "max_drawdown": float(np.max(1.0 - path / peak)),
        "n_trades": len(trades),
        "hit_rate": float((pnl > 0).mean()) if len(pnl) else None,
        "profit_factor": float(pnl[pnl > 0].sum() / losses) if losses > 0 else None,
        "average_trade_return": (
            float(np.mean([t["trade_return"] for t in trades])) if trades else None
        ),
        "stops_hit": sum(t["exit_reason"] == "stop" for t in trades),
        "exposure": float(in_market.mean()),
        "turnover": float(traded / start),
        "total_costs": round(sum(t["costs"] for t in trades), 2),
        "buy_and_hold_return": hold,
        "excess_return": total - hold,
        "cost_bp": params.cost_bp,
        "slippage_bp": params.slippage_bp,
        "bars_per_year": per_year,
    }


def _curve(
    equity: npt.NDArray[np.float64],
    bars: ReplayBars,
    trades: list[dict[str, Any]],
    start: float,
) -> list[dict[str, Any]]:
    """Equity and buy-and-hold (the same start, all in at the first close) per bar,
    thinned to `MAX_CURVE_POINTS` keeping the first, the last and trade boundaries."""
    n = len(equity)
    keep = set(np.linspace(0, n - 1, min(n, MAX_CURVE_POINTS), dtype=int).tolist())
    if n > MAX_CURVE_POINTS:
        moments = {t["entry_time"] for t in trades} | {t["exit_time"] for t in trades}
        keep |= {i for i, at in enumerate(bars.closes_at) if at.isoformat() in moments}
    first_close = float(bars.close[0])
    return [
        {
            "time": bars.closes_at[i].isoformat(),
            "equity": round(float(equity[i]), 2),
            "buy_and_hold": round(start * float(bars.close[i]) / first_close, 2),
        }
        for i in sorted(keep)
    ]
