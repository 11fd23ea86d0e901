"""The signal rule: one forecast and a trade plan → Enter / Exit / Hold.

Written once, without I/O, so that `/predict`, `/trade-signal` and the training
backtest apply the very same rule: what a user is shown is what an agent was
evaluated with. `decide` is the whole rule for one forecast; the rule itself is
described for users in docs/SIGNALS.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final
from zoneinfo import ZoneInfo

from app.core.calendars import TradingCalendar, calendar_of
from app.core.clock import DEFAULT_TIMEZONE, Window, clock_text, is_aware, zone_of
from app.core.money import amount_unit, dec, format_money, format_quote, round2, tick
from app.core.segments import LONG_ONLY_SEGMENTS, UserSegment
from app.core.vocabulary import Direction, TradeSignal
from app.services.signals.exit_time import format_exit, suggested_exit
from app.services.signals.sizing import position_size
from app.services.signals.text import figure_above, number_pair, price_pair, suggestion
from app.services.signals.venue import exchange_zone

SEGMENTS: Final[frozenset[str]] = frozenset(UserSegment)
# 5 bp of the entry: roughly commission plus half-spread in and out on a liquid US
# stock. Below it the expected gain is eaten by costs before the forecast is tested.
DEFAULT_MIN_EDGE: Final = 0.0005
LOW_CONFIDENCE: Final = 0.60
MAX_CAPITAL_AT_RISK: Final = 0.25
# An entry farther than this from the last close, in ATRs, is "far from the market":
# past the default stop's two ATRs plus an ordinary bar's range, a distance the price
# would have to travel before the trade even opens. The forecast and the risk/reward
# are measured from the entry, so such a request is warned about (never held).
FAR_ENTRY_ATRS: Final = 3.0
# The same warning without an ATR (none given, or zero on a flat series): 5 % of the
# last close, several days' ordinary move of a liquid US stock.
FAR_ENTRY_FRACTION: Final = 0.05


class HoldReason(StrEnum):
    """Why a call is held, as a stable code for filters and dashboards."""

    below_confidence_level = "below_confidence_level"
    below_min_edge = "below_min_edge"
    outside_entry_window = "outside_entry_window"
    stop_wrong_side = "stop_wrong_side"


# --- inputs -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SignalInput:
    """One forecast and the user's trade plan (the request's fields, already parsed).

    Keyword-only: a rule with eight floats must not depend on argument order.
    Prices are in `currency`, the unit the instrument is quoted in (ISO 4217, or GBX
    for pence); `account_equity` and `buying_power` are money in that currency (in
    pounds for a pence quote: `app.core.money.amount_unit`), and so is the max loss
    the signal reports. `capital_at_risk` and `min_edge` are fractions;
    `timezone` is the windows' zone (None: the exchange's, `venue.exchange_zone`) and
    `calendar` the exchange's sessions the exit is timed on (None: the symbol's);
    `intraday` says whether the bars are intraday (only then does the entry window
    apply); give `horizon` (elapsed time) or `horizon_end` (an instant), not both.

    `buying_power` caps the position's value; by default it is the equity (a
    cash account). A margin account passes its buying power (Reg T: twice the
    equity), which is what the worked example in docs/SIGNALS.md needs: 200 shares
    at $185.50 are worth $37,100, more than its $35,000 equity.

    `last_close` and `atr` (the market's last close and its ATR, in USD; `/predict`
    knows them, `/trade-signal` does not) only add a warning when the entry is far
    from the market (`FAR_ENTRY_ATRS`, `FAR_ENTRY_FRACTION`); the signal is the same.
    An `atr` of 0 counts as none.

    Inputs are validated again here (a `ValueError` names the field); routers
    validate first and map their own errors.
    """

    symbol: str
    predicted_price: float
    confidence: float
    entry_price: float
    stop_loss: float
    capital_at_risk: float
    confidence_level: float
    user_segment: str
    account_equity: float
    bar_time: datetime
    horizon: timedelta | None = None
    horizon_end: datetime | None = None
    entry_window: Window | None = None
    exit_window: Window | None = None
    timezone: str | None = None
    calendar: TradingCalendar | None = None
    min_edge: float = DEFAULT_MIN_EDGE
    intraday: bool = True
    buying_power: float | None = None
    last_close: float | None = None
    atr: float | None = None
    currency: str = "USD"

    def __post_init__(self) -> None:
        for name in ("predicted_price", "entry_price", "stop_loss", "account_equity"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive finite number, got {value!r}")
        for name in ("confidence", "confidence_level"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1], got {value!r}")
        if not 0.0 < self.capital_at_risk <= MAX_CAPITAL_AT_RISK:
            raise ValueError(
                f"capital_at_risk must lie in (0, {MAX_CAPITAL_AT_RISK}], "
                f"got {self.capital_at_risk!r}"
            )
        if not 0.0 <= self.min_edge < 1.0:
            raise ValueError(f"min_edge must lie in [0, 1), got {self.min_edge!r}")
        if self.user_segment not in SEGMENTS:
            raise ValueError(f"unknown user_segment {self.user_segment!r}")
        if not self.symbol.strip():
            raise ValueError("symbol must not be empty")
        if not is_aware(self.bar_time):
            raise ValueError("bar_time must be timezone-aware")
        if self.horizon is not None and self.horizon_end is not None:
            raise ValueError("give horizon or horizon_end, not both")
        if self.horizon is not None and self.horizon <= timedelta(0):
            raise ValueError("horizon must be positive")
        if self.horizon_end is not None and (
            not is_aware(self.horizon_end) or self.horizon_end <= self.bar_time
        ):
            raise ValueError("horizon_end must be timezone-aware and after bar_time")
        if self.buying_power is not None and not (
            math.isfinite(self.buying_power) and self.buying_power > 0
        ):
            raise ValueError(
                f"buying_power must be a positive finite number, got {self.buying_power!r}"
            )
        if self.last_close is not None and not (
            math.isfinite(self.last_close) and self.last_close > 0
        ):
            raise ValueError(
                f"last_close must be a positive finite number, got {self.last_close!r}"
            )
        if self.atr is not None and not (math.isfinite(self.atr) and self.atr >= 0):
            raise ValueError(f"atr must be a non-negative finite number, got {self.atr!r}")
        if self.timezone is not None:
            zone_of(self.timezone)


# --- output -----------------------------------------------------------------


@dataclass(frozen=True)
class RiskMetrics:
    max_loss: str
    risk_reward_ratio: float


@dataclass(frozen=True)
class Signal:
    """The decision. `to_dict()` is the seed's eight fields; the rest is for callers.

    `exit_at` is the suggested exit as an instant (for the outcome job), `timezone`
    the zone the windows were read and the exit is written in,
    `max_loss_amount` the unformatted loss at the stop in the money of the input's
    currency (pounds for a pence quote), for portfolio totals.
    """

    symbol: str
    predicted_price: float
    confidence: float
    trade_signal: TradeSignal
    direction: Direction
    suggested_exit_time: str
    position_size: int
    suggestion_text: str
    risk_metrics: RiskMetrics
    exit_at: datetime
    max_loss_amount: Decimal
    warnings: list[str] = field(default_factory=list)
    hold_reasons: list[HoldReason] = field(default_factory=list)
    timezone: str = DEFAULT_TIMEZONE

    @property
    def suggested_exit_at(self) -> str:
        """`exit_at` as ISO-8601 in the windows' zone, as `suggested_exit_time` is written."""
        return self.exit_at.astimezone(zone_of(self.timezone)).isoformat()

    def to_dict(self) -> dict[str, Any]:
        """Exactly the seed's response fields, in the seed's order."""
        return {
            "predicted_price": self.predicted_price,
            "confidence": self.confidence,
            "trade_signal": self.trade_signal,
            "direction": self.direction,
            "suggested_exit_time": self.suggested_exit_time,
            "position_size": self.position_size,
            "suggestion_text": self.suggestion_text,
            "risk_metrics": {
                "max_loss": self.risk_metrics.max_loss,
                "risk_reward_ratio": self.risk_metrics.risk_reward_ratio,
            },
        }


# --- the rule -----------------------------------------------------------------


def expected_direction(predicted_price: float, entry_price: float, user_segment: str) -> Direction:
    """The direction a signal will carry: Short only below the entry, never long-only."""
    if user_segment in LONG_ONLY_SEGMENTS or predicted_price >= entry_price:
        return Direction.Long
    return Direction.Short


def decide(inp: SignalInput) -> Signal:
    """Apply the rule (docs/SIGNALS.md) to one forecast."""
    zone_name = inp.timezone or exchange_zone(inp.symbol)
    zone = zone_of(zone_name)
    entry, stop, predicted = dec(inp.entry_price), dec(inp.stop_loss), dec(inp.predicted_price)
    direction = expected_direction(inp.predicted_price, inp.entry_price, inp.user_segment)
    exiting = inp.user_segment in LONG_ONLY_SEGMENTS and predicted < entry
    risk, reward = abs(entry - stop), abs(predicted - entry)

    holds = _hold_reasons(inp, direction, exiting, zone, zone_name)
    trade_signal = (
        TradeSignal.Hold if holds else (TradeSignal.Exit if exiting else TradeSignal.Enter)
    )
    warnings = [f"Hold: {text}." for _, text in holds]
    if exiting and not _stop_protects(direction, entry, stop):
        warnings.append(f"Stop-loss: {_stop_problem(Direction.Long, entry, stop, inp.currency)}.")
    if inp.confidence < LOW_CONFIDENCE:
        warnings.append(
            "Low confidence: {} is below {}; treat this call with caution.".format(
                *number_pair(inp.confidence, LOW_CONFIDENCE)
            )
        )

    far = _far_entry(inp)
    if far:
        warnings.append(far)

    ratio = round2(reward / risk) if risk else Decimal(0)
    if risk and reward and reward / risk < 1:
        move_text, risk_text = price_pair(reward, risk, inp.currency)
        warnings.append(
            f"Risk/reward {ratio:.2f} is below 1: the expected move of {move_text} a share "
            f"is smaller than the {risk_text} a share risked to the stop."
        )

    # Money is counted in the quote's currency (pounds for a pence quote).
    money, per_unit = amount_unit(inp.currency)
    size = 0
    if trade_signal == "Enter":
        size, sizing_warnings = position_size(
            entry=entry if per_unit == 1 else entry / per_unit,
            risk=risk if per_unit == 1 else risk / per_unit,
            equity=inp.account_equity,
            capital_at_risk=inp.capital_at_risk,
            buying_power=inp.buying_power,
            currency=money,
        )
        warnings.extend(sizing_warnings)
    max_loss = size * risk if per_unit == 1 else size * risk / per_unit

    exit_at, exit_warnings = suggested_exit(
        bar_time=inp.bar_time,
        horizon=inp.horizon,
        horizon_end=inp.horizon_end,
        exit_window=inp.exit_window,
        intraday=inp.intraday,
        zone=zone,
        zone_name=zone_name,
        calendar=inp.calendar or calendar_of(inp.symbol),
    )
    warnings.extend(exit_warnings)

    confidence = round2(dec(inp.confidence))
    text = suggestion(
        symbol=inp.symbol,
        trade_signal=trade_signal,
        direction=direction,
        entry_price=inp.entry_price,
        stop_loss=inp.stop_loss,
        predicted_price=inp.predicted_price,
        size=size,
        confidence=confidence,
        hold_texts=[t for _, t in holds],
        currency=inp.currency,
    )
    return Signal(
        symbol=inp.symbol,
        predicted_price=tick(inp.predicted_price),
        confidence=float(confidence),
        trade_signal=trade_signal,
        direction=direction,
        suggested_exit_time=format_exit(exit_at, inp.bar_time, zone),
        position_size=size,
        suggestion_text=text,
        risk_metrics=RiskMetrics(
            max_loss=format_money(max_loss, money), risk_reward_ratio=float(ratio)
        ),
        exit_at=exit_at,
        max_loss_amount=max_loss,
        warnings=warnings,
        hold_reasons=[code for code, _ in holds],
        timezone=zone_name,
    )


# --- why a call is held ---------------------------------------------------------------


def _hold_reasons(
    inp: SignalInput, direction: Direction, exiting: bool, zone: ZoneInfo, zone_name: str
) -> list[tuple[HoldReason, str]]:
    entry, stop, predicted = dec(inp.entry_price), dec(inp.stop_loss), dec(inp.predicted_price)
    reasons: list[tuple[HoldReason, str]] = []
    if inp.confidence < inp.confidence_level:
        reasons.append(
            (
                HoldReason.below_confidence_level,
                "confidence {} is below your {} threshold".format(
                    *number_pair(inp.confidence, inp.confidence_level)
                ),
            )
        )
    move = abs(predicted - entry) / entry
    if move == 0:
        reasons.append(
            (
                HoldReason.below_min_edge,
                f"the model predicts no move from {format_quote(entry, inp.currency)}",
            )
        )
    elif move < dec(inp.min_edge):
        shown, edge = number_pair(float(move * 100), float(dec(inp.min_edge) * 100))
        reasons.append(
            (
                HoldReason.below_min_edge,
                f"the predicted move of {shown}% is below the {edge}% minimum edge",
            )
        )
    if exiting:
        return reasons
    window = inp.entry_window
    local = inp.bar_time.astimezone(zone)
    if inp.intraday and window is not None and not window.contains(local.time()):
        reasons.append(
            (
                HoldReason.outside_entry_window,
                f"the bar at {clock_text(local)} is outside your entry window {window.text()} "
                f"({zone_name})",
            )
        )
    if not _stop_protects(direction, entry, stop):
        reasons.append(
            (HoldReason.stop_wrong_side, _stop_problem(direction, entry, stop, inp.currency))
        )
    return reasons


def _stop_protects(direction: Direction, entry: Decimal, stop: Decimal) -> bool:
    return stop < entry if direction == "Long" else stop > entry


def _stop_problem(
    direction: Direction, entry: Decimal, stop: Decimal, currency: str = "USD"
) -> str:
    side, where = ("below", "above") if direction == "Long" else ("above", "below")
    relation = "equals" if stop == entry else f"is {where}"
    stop_text, entry_text = price_pair(stop, entry, currency)
    return (
        f"a {direction.lower()} position needs its stop-loss {side} the entry, "
        f"but the stop-loss {stop_text} {relation} the entry {entry_text}"
    )


# --- an entry far from the market -------------------------------------------------------


def _far_entry(inp: SignalInput) -> str | None:
    """The warning for an entry more than `FAR_ENTRY_ATRS` ATRs (without an ATR:
    `FAR_ENTRY_FRACTION` of the price) from the last close, naming both prices.

    The close is taken on the tick, as it is quoted: an entry that is the last close
    rounded to the tick (the default entry of /predict) is never far from it.
    """
    if inp.last_close is None:
        return None
    entry, close = dec(inp.entry_price), dec(tick(inp.last_close))
    distance = abs(entry - close)
    percent = distance / close * 100
    if inp.atr:
        atrs = distance / dec(inp.atr)
        if atrs <= dec(FAR_ENTRY_ATRS):
            return None
        how_far = f"{figure_above(percent)}% ({figure_above(atrs, dec(FAR_ENTRY_ATRS))} ATRs)"
    else:
        if percent <= dec(FAR_ENTRY_FRACTION) * 100:
            return None
        how_far = f"{figure_above(percent, dec(FAR_ENTRY_FRACTION) * 100)}%"
    side = "below" if entry < close else "above"
    entry_text, close_text = price_pair(entry, close, inp.currency)
    return (
        f"Your entry {entry_text} is {how_far} {side} the last close {close_text}: the "
        "forecast and risk/reward are measured from your entry, not from the market."
    )
