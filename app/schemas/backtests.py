"""Backtests over HTTP: what a caller asks for and what the job gives back."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field

from app.core.clock import DEFAULT_TIMEZONE
from app.core.segments import UserSegment
from app.core.vocabulary import Direction
from app.models.backtests import BacktestStatus
from app.schemas.base import Output
from app.schemas.predictions import TimeWindow

# Two basis points each way: half a cent's spread on a $50 stock, the usual
# assumption for a liquid US name filled at the close.
DEFAULT_SLIPPAGE_BP: Final = 2.0
DEFAULT_STOP_ATRS: Final = 2.0

EXAMPLE: dict[str, Any] = {
    "start_date": "2024-07-01",
    "end_date": "2024-12-31",
    "cost_bp": 5,
    "slippage_bp": 2,
}


class BacktestRequest(BaseModel):
    """Every field is optional: left out, the period runs from the first day after the
    version's data to today, and the trade plan is the agent's own (its risk
    parameters, your segment and equity, the stop `/predict` would place)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    start_date: date | None = Field(
        default=None,
        description="First day of the period; after the version's data (default: the day "
        "after it ends)",
    )
    end_date: date | None = Field(default=None, description="Last day (default: today)")
    version_id: uuid.UUID | None = Field(
        default=None, description="The version to replay (default: the serving champion)"
    )
    account_equity: float | None = Field(
        default=None, gt=0, le=1e12, allow_inf_nan=False, description="Default: your equity"
    )
    capital_at_risk: float | None = Field(
        default=None, gt=0, le=0.25, description="Default: the agent's"
    )
    confidence_level: float | None = Field(
        default=None, ge=0.5, lt=1, description="Default: the agent's"
    )
    user_segment: UserSegment | None = Field(default=None, description="Default: yours")
    cost_bp: float | None = Field(
        default=None,
        ge=0,
        le=500,
        description="Commission per side, in basis points of the "
        "traded value (default: the platform's training backtest cost)",
    )
    slippage_bp: float = Field(
        default=DEFAULT_SLIPPAGE_BP, ge=0, le=500, description="Adverse fill per side, bp"
    )
    stop_atr_multiple: float = Field(
        default=DEFAULT_STOP_ATRS, gt=0, le=20, description="Stop distance in ATRs"
    )
    entry_window: TimeWindow | None = None
    exit_window: TimeWindow | None = None
    timezone: str = Field(
        default=DEFAULT_TIMEZONE,
        max_length=64,
        description="IANA zone of the windows. Left out: the agent's exchange zone "
        "(America/New_York for a US share, Europe/London for VOD.L)",
    )


class BacktestSettings(Output):
    """The request as the job ran it, every default filled in."""

    start_date: date
    end_date: date
    account_equity: float
    capital_at_risk: float
    confidence_level: float
    user_segment: UserSegment
    cost_bp: float
    slippage_bp: float
    stop_atr_multiple: float
    entry_window: TimeWindow | None
    exit_window: TimeWindow | None
    timezone: str
    min_edge: float


class BacktestMetrics(Output):
    """Definitions in docs/BACKTESTS.md: returns of the equity marked at every close,
    annualised with the frequency's bars per year, risk-free rate 0."""

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
    exposure: float = Field(description="Share of bars with a position open")
    turnover: float = Field(description="Traded value (entries and exits) ÷ starting equity")
    total_costs: float
    buy_and_hold_return: float
    excess_return: float = Field(description="total_return − buy_and_hold_return")
    cost_bp: float
    slippage_bp: float
    bars_per_year: float


class BacktestTrade(Output):
    """One trade: the call as the rule made it (post these inputs to `/trade-signal`
    and the same signal and size come back), then how it ended."""

    entry_time: datetime
    direction: Direction
    shares: int
    entry_price: float
    entry_fill: float
    stop_loss: float
    predicted_price: float
    confidence: float
    account_equity: float
    suggested_exit_at: datetime
    max_loss: str
    risk_reward_ratio: float
    exit_time: datetime
    exit_price: float
    exit_reason: str = Field(description="`stop`, `exit_time` or `end_of_period`")
    costs: float
    pnl: float
    trade_return: float = Field(description="pnl ÷ the entry's traded value")


class EquityPoint(Output):
    time: datetime
    equity: float
    buy_and_hold: float


class SignalCounts(Output):
    """Calls the rule made at the bars where the account was flat."""

    Enter: int = 0
    Exit: int = 0
    Hold: int = 0
    none: int = Field(default=0, description="Bars without a usable forecast or stop")


class BacktestProgress(Output):
    """How far a running backtest got (the last heartbeat's news)."""

    stage: str | None = Field(
        default=None, description="`fetching_data`, `forecasting`, `replaying`, then `done`"
    )
    done: int | None = Field(default=None, description="Bars forecast so far")
    total: int | None = Field(default=None, description="Bars to forecast, or to replay")


class BacktestSummary(Output):
    id: uuid.UUID
    agent_id: uuid.UUID
    version_id: uuid.UUID
    status: BacktestStatus
    status_url: str
    progress: BacktestProgress
    attempts: int
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    request: BacktestSettings


class BacktestPublic(BacktestSummary):
    first_bar: datetime | None = Field(description="The period's first bar the source had")
    last_bar: datetime | None = Field(description="Its last (the source may end earlier)")
    metrics: BacktestMetrics | None
    signals: SignalCounts | None
    trades: list[BacktestTrade]
    equity_curve: list[EquityPoint]
    warnings: list[str]


class BacktestPage(Output):
    items: list[BacktestSummary]
