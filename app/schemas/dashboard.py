"""The dashboard's answers (SPEC §6): one view per user segment, told apart by `segment`.

Every figure is built from the caller's own stored predictions and agents; the
four views share `CallSummary`, one stored call as a dashboard shows it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field

from app.core.vocabulary import Architecture, DataFrequency, Direction, TradeSignal
from app.models.agents import AgentStatus
from app.schemas.agents import TrackRecord
from app.schemas.base import Output, Stored
from app.schemas.stored import AgentMetrics, LeaderboardEntry, LossPoint


class OutcomeStatus(StrEnum):
    """Where a stored call's outcome stands."""

    pending = "pending"
    realised = "realised"
    unresolved = "unresolved"


class CallSummary(Output):
    """One stored prediction: the call, the plan and (once known) the outcome."""

    prediction_id: uuid.UUID
    symbol: str
    agent_id: uuid.UUID | None
    data_frequency: DataFrequency
    prediction_horizon: str
    trade_signal: TradeSignal
    direction: Direction
    entry_price: float
    stop_loss: float
    predicted_price: float
    confidence: float
    position_size: int
    max_loss: float = Field(description="Dollars lost if the stop is hit.")
    suggested_exit_time: str | None
    suggestion_text: str | None
    as_of: datetime = Field(description="When the last bar used closed.")
    target_time: datetime = Field(description="When the outcome is known.")
    created_at: datetime
    cached: bool
    outcome: OutcomeStatus = Field(
        description="pending until target_time has passed and its bar arrived; "
        "unresolved when no bar came within OUTCOME_MAX_WAIT_S."
    )
    realised_price: float | None
    correct: bool | None
    in_sample: bool = Field(
        description="Made on a bar inside the agent's training data: never in a track record."
    )


class OpenEntryWindow(Output):
    """A call whose entry window (on the day it was made, in its time zone) is not over."""

    call: CallSummary
    timezone: str
    starts_at: datetime | None
    ends_at: datetime
    open_now: bool = Field(description="The window has started (and not ended).")


class ShortTermTraderDashboard(Output):
    segment: Literal["short_term_trader"] = "short_term_trader"
    generated_at: datetime
    trading_date: date = Field(description="Today in America/New_York.")
    todays_signals: list[CallSummary] = Field(description="Made today, newest first.")
    open_entry_windows: list[OpenEntryWindow] = Field(
        description="Per instrument (calls on AAPL, AAPL.O and AAPL US Equity are one), the "
        "newest call whose entry window has not ended."
    )


class Holding(Output):
    symbol: str = Field(
        description="The instrument's display symbol: AAPL for calls on AAPL.O as well."
    )
    latest_call: CallSummary
    track_record: TrackRecord = Field(description="Of the agent that made the call.")


class InvestorDashboard(Output):
    segment: Literal["investor"] = "investor"
    generated_at: datetime
    holdings: list[Holding] = Field(
        description="Per instrument (calls on AAPL, AAPL.O and AAPL US Equity are one), the "
        "latest call with a horizon of a day or more."
    )


class Position(Output):
    symbol: str = Field(
        description="The instrument's display symbol: AAPL for calls on AAPL.O as well."
    )
    direction: Direction
    position_size: int
    entry_price: float
    exposure: float = Field(description="position_size × entry_price, in dollars.")
    max_loss: float
    prediction_id: uuid.UUID
    created_at: datetime


class Exposure(Output):
    long: float
    short: float
    gross: float = Field(description="long + short")
    net: float = Field(description="long − short")


class ManagerDashboard(Output):
    segment: Literal["manager"] = "manager"
    generated_at: datetime
    account_equity: float
    positions: list[Position] = Field(
        description="Per instrument (calls on AAPL, AAPL.O and AAPL US Equity are one), the "
        "latest Enter, unless a later Exit closed it."
    )
    exposure: Exposure
    capital_at_risk: float = Field(description="Sum of the positions' max_loss, dollars.")
    capital_at_risk_fraction: float = Field(description="capital_at_risk ÷ account_equity.")
    signals: list[CallSummary] = Field(
        description="Per instrument (calls on AAPL, AAPL.O and AAPL US Equity are one), the "
        "latest call."
    )


class QuantAgent(Output):
    agent_id: uuid.UUID
    name: str
    symbol: str
    architecture: Architecture
    data_frequency: DataFrequency
    prediction_horizon: str
    status: AgentStatus
    serving_version_id: uuid.UUID | None
    serving_version_number: int | None
    metrics: Annotated[dict[str, Any], Stored(AgentMetrics)] | None = Field(
        description="The serving version's evaluation."
    )
    loss_curve: list[Annotated[dict[str, Any], Stored(LossPoint)]] = Field(
        description="The serving version's, per epoch."
    )
    leaderboard: list[Annotated[dict[str, Any], Stored(LeaderboardEntry)]] | None = Field(
        default=None,
        description="`auto` agents: every architecture the serving version trained, the "
        "one chosen on validation loss marked; null otherwise.",
    )
    track_record: TrackRecord


class QuantDashboard(Output):
    segment: Literal["quant"] = "quant"
    generated_at: datetime
    agents: list[QuantAgent] = Field(description="Newest first.")


Dashboard = Annotated[
    ShortTermTraderDashboard | InvestorDashboard | ManagerDashboard | QuantDashboard,
    Field(discriminator="segment"),
]
