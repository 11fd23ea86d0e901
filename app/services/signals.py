"""The signal rule of SPEC §6: a forecast and a trade plan → Enter / Exit / Hold.

One pure module (no I/O, no FastAPI, no database) shared by `/predict`,
`/trade-signal` and the training backtest, so the rule a user is shown is exactly
the rule an agent was evaluated with. `decide(SignalInput) -> Signal` is the whole
rule for one forecast; `backtest_positions` is the same rule on arrays.

The rule
========

1. **Direction**: Long when the predicted price is above the entry, Short when it
   is below. A prediction *equal* to the entry has no direction: it is reported as
   Long and held ("the model predicts no move").
2. **Long-only segments**: `investor` and `manager` cannot short, so a Short call
   becomes `Exit` with direction Long ("leave or avoid the long position"). These
   segments never see direction Short, not even on a Hold.
3. **Hold** when any of these holds (all that apply are reported, in this order,
   as codes in `hold_reasons`, as sentences in `warnings` and in `suggestion_text`):

   * confidence < `confidence_level`;
   * the predicted move |predicted − entry| ÷ entry is zero or below `min_edge`
     (default `DEFAULT_MIN_EDGE` = 5 bp: about a round-trip's cost on a liquid US
     stock, so a call that cannot pay its own commission and spread is not traded;
     exactly `min_edge` is enough);
   * intraday bars only: the bar time, read in the window's time zone, lies outside
     the entry window [start, end] (both edges inside; a missing start means "from
     midnight"). Daily and weekly bars have no time of day worth checking;
   * the stop is on the wrong side of the entry: a Long needs stop < entry, a Short
     stop > entry (a stop *at* the entry is wrong for both: zero risk per share).

   The last two concern a position about to be *opened*, so they never turn an
   `Exit` into a Hold: leaving a position is allowed outside the entry window, and a
   long stop placed above the entry only adds a warning.
4. Otherwise **Enter**.

Warnings that do not change the signal: confidence < `LOW_CONFIDENCE` (0.60, the
seed's ConfidenceCheck) whatever the signal; a risk/reward below 1 (whenever both
the move and the risk are non-zero); a position capped by equity; an Enter whose size is 0
(the risk budget does not cover one share, or one share costs more than the equity;
the signal stays Enter as the SPEC says, the warning says why no shares); an exit
deadline that has passed.

Sizing and risk (money in `Decimal` from the inputs' shortest decimal form, so
185.57 − 182.00 is 3.57, not 3.5699999999999932):

* `position_size` = ⌊equity × capital_at_risk ÷ |entry − stop|⌋, then capped at
  ⌊equity ÷ entry⌋ so the position's value never exceeds equity; 0 unless Enter.
  The SPEC's worked example (equity $35,000, 2 %, 185.50 / 182.00 → 200 shares,
  "$700") breaks that cap (200 × $185.50 = $37,100): with the cap it is 188 shares
  and "$658". `SignalInput.buying_power` lets a margin account raise the cap (with
  $70,000, Reg T's 2:1, the example's 200 shares and "$700" come back).
* `max_loss` = position_size × |entry − stop| as `format_usd` text ("$700",
  "$1,234.50", "$0").
* `risk_reward_ratio` = |predicted − entry| ÷ |entry − stop| rounded half-up to two
  decimals; 0.0 when the stop is at the entry (no finite ratio, and JSON has no
  infinity; the Hold reason explains it).

Suggested exit time (`Signal.exit_at`, shown in `suggested_exit_time`):

* the horizon's end is `horizon_end` when the caller knows the trading calendar
  (the platform's "1h" is trading time: the 15:30 bar's 1h-ahead bar is 10:00 the
  next day), otherwise `bar_time + horizon` in elapsed time (a DST change does not
  shift it);
* intraday bars: the earlier of the horizon's end and the exit window's end on the
  bar's trading day in the window's time zone (a day trader's "flat by" deadline).
  If that deadline has already passed at the bar, the exit is the bar time itself,
  with a warning to close now;
* daily and weekly bars: the exit window's end is the time of day to act on the day
  the horizon ends (without a horizon, the bar's day), rolled to the next weekday if
  it is not after the bar;
* neither a horizon nor an exit window: the next regular-session close (16:00
  America/New_York) — at or after the bar for intraday bars (intraday positions are
  flat by the close), strictly after it for daily bars;
* the exit window's start does not move the exit (the SPEC takes the earlier of the
  two ends); an exit before it only adds a warning;
* "HH:MM" in the window's time zone when the exit falls on the bar's local date,
  otherwise ISO-8601 with the zone's offset ("2025-06-11T10:30:00-04:00").
  Weekends are skipped when rolling; exchange holidays are not known here.

`bar_time` is the instant the decision is made: pass the last bar's *close*
(`market_data.frequency.bar_close`), so that a 1-minute bar stamped 09:59 counts
as 10:00 for a 10:00 entry window and a daily bar's local date is its trading date.

Inputs are validated again here (a `ValueError` names the field); routers validate
first and map their own errors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, Final, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

Segment = Literal["short_term_trader", "investor", "manager", "quant"]
TradeSignal = Literal["Enter", "Exit", "Hold"]
Direction = Literal["Long", "Short"]

SEGMENTS: Final[frozenset[str]] = frozenset(get_args(Segment))
LONG_ONLY_SEGMENTS: Final[frozenset[str]] = frozenset({"investor", "manager"})
DEFAULT_TIMEZONE: Final = "America/New_York"
# 5 bp of the entry: roughly commission plus half-spread in and out on a liquid US
# stock. Below it the expected gain is eaten by costs before the forecast is tested.
DEFAULT_MIN_EDGE: Final = 0.0005
LOW_CONFIDENCE: Final = 0.60
MAX_CAPITAL_AT_RISK: Final = 0.25
STOP_ATR_MULTIPLE: Final = 2.0
# The platform trades the regular US session (see market_data.frequency).
SESSION_ZONE: Final = ZoneInfo("America/New_York")
SESSION_CLOSE: Final = time(16, 0)

_CENT = Decimal("0.01")
_HHMM = re.compile(r"(\d{1,2}):(\d{2})")


class HoldReason(StrEnum):
    """Why a call is held, as a stable code for filters and dashboards."""

    below_confidence_level = "below_confidence_level"
    below_min_edge = "below_min_edge"
    outside_entry_window = "outside_entry_window"
    stop_wrong_side = "stop_wrong_side"


# --- inputs -----------------------------------------------------------------


def parse_hhmm(text: str) -> time:
    """A wall-clock time from "HH:MM" (00:00-23:59; "9:30" is accepted)."""
    match = _HHMM.fullmatch(text.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"expected a time of day as HH:MM, got {text!r}")
    return time(int(match[1]), int(match[2]))


@dataclass(frozen=True, kw_only=True)
class Window:
    """A time-of-day window in the signal's time zone; both edges are inside.

    A missing `start` means "from midnight" (an exit window is often just an end).
    Windows do not cross midnight: the platform trades the regular US session.
    """

    start: time | None = None
    end: time

    def __post_init__(self) -> None:
        if self.end.tzinfo is not None or (self.start is not None and self.start.tzinfo):
            raise ValueError("window times are wall-clock times; the zone is separate")
        if self.start is not None and self.start >= self.end:
            raise ValueError(
                f"window start {_hhmm(self.start)} must be before its end {_hhmm(self.end)}"
            )

    @classmethod
    def parse(cls, start: str | None, end: str) -> Window:
        """From the request's "HH:MM" strings."""
        return cls(start=None if start is None else parse_hhmm(start), end=parse_hhmm(end))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Window:
        """From the seed's JSON shape, `{"start": "10:00", "end": "11:30"}`."""
        if "end" not in data or data["end"] is None:
            raise ValueError("a window needs an end")
        start = data.get("start")
        return cls.parse(None if start is None else str(start), str(data["end"]))

    def contains(self, moment: time) -> bool:
        return (self.start or time.min) <= moment <= self.end

    def text(self) -> str:
        if self.start is None:
            return f"until {_hhmm(self.end)}"
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


@dataclass(frozen=True, kw_only=True)
class SignalInput:
    """One forecast and the user's trade plan (SPEC §6's fields, already parsed).

    Keyword-only: a rule with eight floats must not depend on argument order.
    `account_equity` is in USD; `capital_at_risk` and `min_edge` are fractions;
    `intraday` says whether the bars are intraday (only then does the entry window
    apply); give `horizon` (elapsed time) or `horizon_end` (an instant), not both.

    `buying_power` (USD) caps the position's value; by default it is the equity, the
    SPEC's cap (a cash account). A margin account passes its buying power (Reg T:
    twice the equity), which is what the SPEC's worked example needs: 200 shares at
    $185.50 are worth $37,100, more than its $35,000 equity.
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
    timezone: str = DEFAULT_TIMEZONE
    min_edge: float = DEFAULT_MIN_EDGE
    intraday: bool = True
    buying_power: float | None = None

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
        if not _aware(self.bar_time):
            raise ValueError("bar_time must be timezone-aware")
        if self.horizon is not None and self.horizon_end is not None:
            raise ValueError("give horizon or horizon_end, not both")
        if self.horizon is not None and self.horizon <= timedelta(0):
            raise ValueError("horizon must be positive")
        if self.horizon_end is not None and (
            not _aware(self.horizon_end) or self.horizon_end <= self.bar_time
        ):
            raise ValueError("horizon_end must be timezone-aware and after bar_time")
        if self.buying_power is not None and not (
            math.isfinite(self.buying_power) and self.buying_power > 0
        ):
            raise ValueError(
                f"buying_power must be a positive finite number, got {self.buying_power!r}"
            )
        zone_of(self.timezone)


def zone_of(name: str) -> ZoneInfo:
    """The IANA zone `name`, or a ValueError (ZoneInfo raises a KeyError subclass)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


# --- output -----------------------------------------------------------------


@dataclass(frozen=True)
class RiskMetrics:
    max_loss: str
    risk_reward_ratio: float


@dataclass(frozen=True)
class Signal:
    """The decision. `to_dict()` is the seed's eight fields; the rest is for callers.

    `exit_at` is the suggested exit as an instant (for the outcome job),
    `max_loss_amount` the unformatted dollar loss at the stop (for portfolio totals).
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
        return "Long"
    return "Short"


def decide(inp: SignalInput) -> Signal:
    """Apply the §6 rule (see the module docstring) to one forecast."""
    zone = zone_of(inp.timezone)
    entry, stop, predicted = _dec(inp.entry_price), _dec(inp.stop_loss), _dec(inp.predicted_price)
    direction = expected_direction(inp.predicted_price, inp.entry_price, inp.user_segment)
    exiting = inp.user_segment in LONG_ONLY_SEGMENTS and predicted < entry
    risk, reward = abs(entry - stop), abs(predicted - entry)

    holds = _hold_reasons(inp, direction, exiting, zone)
    trade_signal: TradeSignal = "Hold" if holds else ("Exit" if exiting else "Enter")
    warnings = [f"Hold: {text}." for _, text in holds]
    if exiting and not _stop_protects(direction, entry, stop):
        warnings.append(f"Stop-loss: {_stop_problem('Long', entry, stop)}.")
    if inp.confidence < LOW_CONFIDENCE:
        warnings.append(
            "Low confidence: {} is below {}; treat this call with caution.".format(
                *_pair(inp.confidence, LOW_CONFIDENCE)
            )
        )

    ratio = (reward / risk).quantize(_CENT, ROUND_HALF_UP) if risk else Decimal(0)
    if risk and reward and reward / risk < 1:
        warnings.append(
            f"Risk/reward {ratio:.2f} is below 1: the expected move of {_usd2(reward)} a share "
            f"is smaller than the {_usd2(risk)} a share risked to the stop."
        )

    size = 0
    if trade_signal == "Enter":
        size, sizing_warnings = _position_size(inp, entry, risk)
        warnings.extend(sizing_warnings)
    max_loss = size * risk

    exit_at, exit_warnings = _exit_instant(inp, zone)
    warnings.extend(exit_warnings)

    confidence = _round2(_dec(inp.confidence))
    text = _suggestion(inp, trade_signal, direction, size, confidence, [t for _, t in holds])
    return Signal(
        symbol=inp.symbol,
        predicted_price=float(_round2(predicted)),
        confidence=float(confidence),
        trade_signal=trade_signal,
        direction=direction,
        suggested_exit_time=_format_exit(exit_at, inp.bar_time, zone),
        position_size=size,
        suggestion_text=text,
        risk_metrics=RiskMetrics(max_loss=format_usd(max_loss), risk_reward_ratio=float(ratio)),
        exit_at=exit_at,
        max_loss_amount=max_loss,
        warnings=warnings,
        hold_reasons=[code for code, _ in holds],
    )


def _hold_reasons(
    inp: SignalInput, direction: Direction, exiting: bool, zone: ZoneInfo
) -> list[tuple[HoldReason, str]]:
    entry, stop, predicted = _dec(inp.entry_price), _dec(inp.stop_loss), _dec(inp.predicted_price)
    reasons: list[tuple[HoldReason, str]] = []
    if inp.confidence < inp.confidence_level:
        reasons.append(
            (
                HoldReason.below_confidence_level,
                "confidence {} is below your {} threshold".format(
                    *_pair(inp.confidence, inp.confidence_level)
                ),
            )
        )
    move = abs(predicted - entry) / entry
    if move == 0:
        reasons.append(
            (HoldReason.below_min_edge, f"the model predicts no move from {_usd2(entry)}")
        )
    elif move < _dec(inp.min_edge):
        shown, edge = _pair(float(move * 100), float(_dec(inp.min_edge) * 100))
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
                f"the bar at {_clock(local)} is outside your entry window {window.text()} "
                f"({inp.timezone})",
            )
        )
    if not _stop_protects(direction, entry, stop):
        reasons.append((HoldReason.stop_wrong_side, _stop_problem(direction, entry, stop)))
    return reasons


def _stop_protects(direction: Direction, entry: Decimal, stop: Decimal) -> bool:
    return stop < entry if direction == "Long" else stop > entry


def _stop_problem(direction: Direction, entry: Decimal, stop: Decimal) -> str:
    side, where = ("below", "above") if direction == "Long" else ("above", "below")
    relation = "equals" if stop == entry else f"is {where}"
    return (
        f"a {direction.lower()} position needs its stop-loss {side} the entry, "
        f"but the stop-loss {_usd2(stop)} {relation} the entry {_usd2(entry)}"
    )


def _position_size(inp: SignalInput, entry: Decimal, risk: Decimal) -> tuple[int, list[str]]:
    """⌊budget ÷ risk per share⌋ capped at ⌊buying power ÷ entry⌋; warnings say why."""
    equity = _dec(inp.account_equity)
    budget = equity * _dec(inp.capital_at_risk)
    by_risk = _floor(budget / risk)
    if inp.buying_power is None:
        limit, limit_name = equity, "equity"
    else:
        limit, limit_name = _dec(inp.buying_power), "buying power"
    affordable = _floor(limit / entry)
    if affordable == 0:
        return 0, [
            f"One share at {_usd2(entry)} costs more than your {limit_name} of "
            f"{format_usd(limit)}, so the position size is 0."
        ]
    if by_risk == 0:
        return 0, [
            f"Your risk budget of {format_usd(budget)} is less than the {_usd2(risk)} "
            "risked on one share, so the position size is 0."
        ]
    if by_risk > affordable:
        return affordable, [
            f"Position capped at {_shares(affordable)} so its value "
            f"({format_usd(affordable * entry)}) stays within your {limit_name} of "
            f"{format_usd(limit)}; the risk budget alone allowed {_shares(by_risk)}."
        ]
    return by_risk, []


def _suggestion(
    inp: SignalInput,
    trade_signal: TradeSignal,
    direction: Direction,
    size: int,
    confidence: Decimal,
    hold_texts: list[str],
) -> str:
    sym = inp.symbol
    entry, predicted = _usd2(_dec(inp.entry_price)), _usd2(_dec(inp.predicted_price))
    tail = f"Confidence: {confidence:.2f}."
    if trade_signal == "Enter":
        return (
            f"Entering {direction.upper()} on {sym} at {entry} with stop-loss "
            f"{_usd2(_dec(inp.stop_loss))}. Trade size: {_shares(size)}. {tail}"
        )
    if trade_signal == "Exit":
        return (
            f"Exit or avoid a long position in {sym}: the model expects {predicted} "
            f"(below {entry}). {tail}"
        )
    if inp.predicted_price > inp.entry_price:
        relation = f"above {entry}"
    elif inp.predicted_price < inp.entry_price:
        relation = f"below {entry}"
    else:
        relation = f"the same as {entry}"
    return (
        f"Holding on {sym}: {'; '.join(hold_texts)}. "
        f"The model expects {predicted} ({relation}). {tail}"
    )


# --- exit time ------------------------------------------------------------------


def _exit_instant(inp: SignalInput, zone: ZoneInfo) -> tuple[datetime, list[str]]:
    """The suggested exit instant (see the module docstring) and its warnings."""
    bar = inp.bar_time
    horizon_end = inp.horizon_end
    if horizon_end is None and inp.horizon is not None:
        # Elapsed time: aware + timedelta in the same zone is wall-clock arithmetic.
        horizon_end = bar.astimezone(UTC) + inp.horizon
    window = inp.exit_window
    if window is None:
        return (horizon_end or _next_session_close(bar, inclusive=inp.intraday)), []

    local_bar = bar.astimezone(zone)
    warnings: list[str] = []
    if inp.intraday:
        deadline = _at(local_bar.date(), window.end, zone)
        exit_at = deadline if horizon_end is None else min(horizon_end, deadline)
        if exit_at < bar:
            warnings.append(
                f"Your exit window closed at {_hhmm(window.end)} ({inp.timezone}), before "
                f"this bar at {_clock(local_bar)}: close any open position now."
            )
            exit_at = bar
    else:
        day = (horizon_end or bar).astimezone(zone).date()
        deadline = _at(day, window.end, zone)
        while deadline <= bar or deadline.weekday() >= 5:
            day += timedelta(days=1)
            deadline = _at(day, window.end, zone)
        exit_at = deadline if horizon_end is None else min(horizon_end, deadline)

    local_exit = exit_at.astimezone(zone)
    if window.start is not None and local_exit.time() < window.start:
        warnings.append(
            f"The suggested exit at {_clock(local_exit)} comes before your exit window opens "
            f"at {_hhmm(window.start)} ({inp.timezone}): the forecast's horizon ends first."
        )
    return exit_at, warnings


def _next_session_close(moment: datetime, *, inclusive: bool) -> datetime:
    """The first weekday 16:00 New York at (inclusive) or after `moment`."""
    day = moment.astimezone(SESSION_ZONE).date()
    while True:
        close = _at(day, SESSION_CLOSE, SESSION_ZONE)
        if day.weekday() < 5 and (close > moment or (inclusive and close == moment)):
            return close
        day += timedelta(days=1)


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)


def _format_exit(exit_at: datetime, bar_time: datetime, zone: ZoneInfo) -> str:
    local = exit_at.astimezone(zone)
    if local.date() == bar_time.astimezone(zone).date():
        return local.strftime("%H:%M")
    return local.isoformat(timespec="seconds")


# --- stops for the other stocks of a /predict -----------------------------------


def default_stop(entry: float, atr: float, direction_hint: Direction) -> float:
    """Two ATRs from the entry on the protective side (below for Long, above for Short).

    Two ATRs keeps an ordinary bar's noise from stopping the trade out, the common
    volatility stop. Rounded to the cent ($0.0001 below $1, the US tick sizes). A
    zero ATR (a flat series) gives a stop at the entry, which the rule then holds.
    """
    _positive("entry", entry)
    if not (math.isfinite(atr) and atr >= 0):
        raise ValueError(f"atr must be a non-negative finite number, got {atr!r}")
    offset = STOP_ATR_MULTIPLE * atr
    stop = entry - offset if direction_hint == "Long" else entry + offset
    if stop <= 0:
        raise ValueError(
            f"two ATRs ({offset:g}) below the entry {entry:g} is not a price; give a stop-loss"
        )
    return _tick(stop, entry)


def scale_stop(
    first_entry: float, first_stop: float, entry: float, direction_hint: Direction | None = None
) -> float:
    """A stop for another stock at the first stock's percentage distance from its entry.

    Without `direction_hint` the stop stays on the first stop's side; with it, the
    same distance is put on the protective side for that stock's own direction (the
    first stock may be a Long and this one a Short).
    """
    for name, value in (("first_entry", first_entry), ("first_stop", first_stop), ("entry", entry)):
        _positive(name, value)
    distance = abs(first_stop - first_entry) / first_entry
    below = first_stop < first_entry if direction_hint is None else direction_hint == "Long"
    stop = entry * (1 - distance) if below else entry * (1 + distance)
    if stop <= 0:
        raise ValueError("the first stock's stop distance is 100 % or more of its entry")
    return _tick(stop, entry)


def _positive(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")


def _tick(price: float, entry: float) -> float:
    places = Decimal("0.01") if entry >= 1 else Decimal("0.0001")
    return float(_dec(price).quantize(places, ROUND_HALF_UP))


# --- the backtest's view -----------------------------------------------------------


def position_of(signal: Signal) -> int:
    """+1 for Enter Long, −1 for Enter Short, 0 otherwise (Exit and Hold are flat)."""
    if signal.trade_signal != "Enter":
        return 0
    return 1 if signal.direction == "Long" else -1


def backtest_positions(
    *,
    predicted_log_returns: npt.ArrayLike,
    confidence: npt.ArrayLike,
    confidence_level: float,
    user_segment: str,
    min_edge: float = DEFAULT_MIN_EDGE,
    in_entry_window: npt.ArrayLike | None = None,
) -> npt.NDArray[np.int8]:
    """The rule on arrays of forecasts: `position_of(decide(...))` per bar.

    Each bar's entry is its close and its forecast is `close·exp(r)`, so the move is
    |exp(r) − 1|. The backtest places stops on the protective side (`default_stop`),
    so the wrong-side rule never fires; `in_entry_window` (bools) applies the entry
    window when the caller has bar times, otherwise every bar may enter. A Short
    call of a long-only segment is an Exit, i.e. flat. Non-finite forecasts or
    confidences are held.
    """
    if user_segment not in SEGMENTS:
        raise ValueError(f"unknown user_segment {user_segment!r}")
    r = np.asarray(predicted_log_returns, dtype=np.float64)
    c = np.asarray(confidence, dtype=np.float64)
    if r.shape != c.shape:
        raise ValueError(f"forecasts {r.shape} and confidences {c.shape} differ in shape")
    with np.errstate(invalid="ignore"):
        tradable = (
            np.isfinite(r)
            & np.isfinite(c)
            & (c >= confidence_level)
            & (r != 0)
            & (np.abs(np.expm1(r)) >= min_edge)
        )
    if in_entry_window is not None:
        window = np.asarray(in_entry_window, dtype=bool)
        if window.shape != r.shape:
            raise ValueError(f"in_entry_window {window.shape} and forecasts {r.shape} differ")
        tradable &= window
    side = np.sign(np.where(tradable, r, 0.0))
    if user_segment in LONG_ONLY_SEGMENTS:
        side = np.maximum(side, 0.0)
    return side.astype(np.int8)


# --- formatting ----------------------------------------------------------------------


def format_usd(amount: Decimal | float | int) -> str:
    """Dollars as the seed writes them: "$700", "$1,234.50", "$1,000,000", "$0".

    Rounded half-up to the cent; whole dollars are shown without cents.
    """
    value = (amount if isinstance(amount, Decimal) else _dec(amount)).quantize(_CENT, ROUND_HALF_UP)
    if value == value.to_integral_value():
        return f"${int(value):,}"
    return f"${value:,.2f}"


def _usd2(amount: Decimal) -> str:
    """A price: always two decimals ("$185.50", "$1,234.50")."""
    return f"${amount.quantize(_CENT, ROUND_HALF_UP):,.2f}"


def _shares(count: int) -> str:
    return f"{count:,} share" if count == 1 else f"{count:,} shares"


def _pair(value: float, threshold: float) -> tuple[str, str]:
    """Both numbers with two decimals, or more when the threshold needs them or two
    would make them look equal.

    So a warning never reads "0.60 is below 0.60" for a confidence of 0.5996, and a
    0.755 threshold is not shown as 0.76.
    """
    places = 2
    while places < 6 and float(f"{threshold:.{places}f}") != threshold:
        places += 1
    while places < 6 and f"{value:.{places}f}" == f"{threshold:.{places}f}":
        places += 1
    return f"{value:.{places}f}", f"{threshold:.{places}f}"


def _round2(value: Decimal) -> Decimal:
    return value.quantize(_CENT, ROUND_HALF_UP)


def _dec(value: float) -> Decimal:
    """The shortest decimal that round-trips `value`: what the user typed, not binary."""
    return Decimal(repr(float(value)))


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def _hhmm(clock: time) -> str:
    return clock.strftime("%H:%M")


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M:%S" if moment.second or moment.microsecond else "%H:%M")


def _aware(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.utcoffset() is not None
