"""The rule replayed over a period: fills, stops, costs and the books, on bars
built by hand so that every figure can be worked out on paper."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from app.services.signals.replay import ReplayBars, ReplayParams, replay
from app.services.signals.rule import SignalInput, decide

START = datetime(2024, 7, 1, 20, tzinfo=UTC)
PARAMS = ReplayParams(
    symbol="AAPL",
    user_segment="short_term_trader",
    confidence_level=0.6,
    capital_at_risk=0.02,
    account_equity=10_000.0,
    cost_bp=0.0,
    slippage_bp=0.0,
    min_edge=0.0005,
    bars_per_year=252.0,
    intraday=False,
    timezone="America/New_York",
)


def _bars(
    close: list[float],
    *,
    log_return: float | list[float] = 0.01,
    confidence: float = 0.8,
    low: list[float] | None = None,
    high: list[float] | None = None,
    opened: list[float] | None = None,
) -> ReplayBars:
    n = len(close)
    at = [START + timedelta(days=i) for i in range(n)]
    c = np.asarray(close, dtype=np.float64)
    r = np.full(n, log_return) if isinstance(log_return, float) else np.asarray(log_return)
    return ReplayBars(
        closes_at=at,
        horizon_end=[t + timedelta(days=1) for t in at],
        open=np.asarray(opened if opened else close, dtype=np.float64),
        high=np.asarray(high if high else close, dtype=np.float64),
        low=np.asarray(low if low else close, dtype=np.float64),
        close=c,
        atr=np.full(n, 1.0),
        log_return=r.astype(np.float64),
        confidence=np.full(n, confidence),
    )


def test_each_trade_is_the_rules_call_and_the_books_balance() -> None:
    bars = _bars([100.0, 102.0, 101.0, 104.0])
    result = replay(bars, PARAMS)
    # Flat at bars 0, 1, 2 (each trade exits at the next close); never at the last bar.
    assert [t["entry_time"] for t in result.trades] == [
        bars.closes_at[i].isoformat() for i in range(3)
    ]
    first = result.trades[0]
    call = decide(
        SignalInput(
            symbol="AAPL",
            predicted_price=round(100.0 * math.exp(0.01), 4),
            confidence=0.8,
            entry_price=100.0,
            stop_loss=98.0,  # two ATRs of 1.0 below the entry
            capital_at_risk=0.02,
            confidence_level=0.6,
            user_segment="short_term_trader",
            account_equity=10_000.0,
            bar_time=bars.closes_at[0],
            horizon_end=bars.horizon_end[0],
            intraday=False,
        )
    )
    assert (first["shares"], first["stop_loss"]) == (call.position_size, 98.0) == (100, 98.0)
    assert (first["exit_price"], first["exit_reason"], first["pnl"]) == (102.0, "exit_time", 200.0)
    total = sum(t["pnl"] for t in result.trades)
    assert result.metrics["end_equity"] == pytest.approx(10_000 + total)
    assert result.metrics["buy_and_hold_return"] == pytest.approx(0.04)
    assert result.metrics["n_trades"] == 3 and result.signals["Enter"] == 3
    assert result.equity_curve[-1]["buy_and_hold"] == pytest.approx(10_400.0)


def test_costs_and_slippage_are_paid_on_both_sides() -> None:
    bars = _bars([100.0, 100.0])
    params = replace(PARAMS, cost_bp=10.0, slippage_bp=5.0)
    trade = replay(bars, params).trades[0]
    assert trade["entry_fill"] == pytest.approx(100.05)
    assert trade["exit_price"] == pytest.approx(99.95)
    shares = trade["shares"]
    costs = shares * (100.05 + 99.95) * 0.001
    assert trade["costs"] == pytest.approx(costs, abs=0.01)
    assert trade["pnl"] == pytest.approx(shares * (99.95 - 100.05) - costs, abs=0.01)


def test_a_stop_fills_at_the_stop_or_at_the_open_of_a_gap() -> None:
    touched = replay(_bars([100.0, 99.0, 99.0], low=[100.0, 97.5, 99.0]), PARAMS).trades[0]
    assert (touched["exit_reason"], touched["exit_price"]) == ("stop", 98.0)
    gapped = replay(
        _bars([100.0, 95.0, 95.0], low=[100.0, 94.0, 95.0], opened=[100.0, 96.0, 95.0]),
        PARAMS,
    ).trades[0]
    assert (gapped["exit_reason"], gapped["exit_price"]) == ("stop", 96.0)
    short = replay(
        _bars(
            [100.0, 103.0, 103.0],
            log_return=-0.01,
            high=[100.0, 103.0, 103.0],
            opened=[100.0, 101.0, 103.0],
        ),
        PARAMS,
    ).trades[0]
    assert (short["direction"], short["stop_loss"], short["exit_price"]) == ("Short", 102.0, 102.0)


def test_calls_the_rule_holds_or_exits_are_not_traded() -> None:
    unsure = replay(_bars([100.0, 101.0, 102.0], confidence=0.55), PARAMS)
    assert unsure.trades == [] and unsure.signals["Hold"] == 2
    assert unsure.metrics["total_return"] == 0.0 and unsure.metrics["exposure"] == 0.0
    investor = replace(PARAMS, user_segment="investor")
    falling = replay(_bars([100.0, 99.0, 98.0], log_return=-0.01), investor)
    assert falling.trades == [] and falling.signals["Exit"] == 2
    blind = _bars([100.0, 101.0], log_return=[float("nan"), 0.01])
    assert replay(blind, PARAMS).signals["none"] == 1


def test_a_trade_open_at_the_end_is_closed_at_the_last_close() -> None:
    bars = _bars([100.0, 101.0, 102.0])
    bars = replace(bars, horizon_end=[t + timedelta(days=5) for t in bars.closes_at])
    (trade,) = replay(bars, PARAMS).trades
    assert (trade["exit_reason"], trade["exit_price"]) == ("end_of_period", 102.0)
    with pytest.raises(ValueError, match="two bars"):
        replay(_bars([100.0]), PARAMS)


def test_a_pence_quote_is_sized_and_booked_in_pounds() -> None:
    """London quotes in pence: the rule sizes with pounds of equity, as /predict does,
    and the books count pounds (a 2p gain on 10,000 shares is £200, not 20,000)."""
    bars = _bars([100.0, 102.0])
    params = replace(PARAMS, symbol="VOD.L", currency="GBX", timezone="Europe/London")
    trade = replay(bars, params).trades[0]
    call = decide(
        SignalInput(
            symbol="VOD.L",
            predicted_price=round(100.0 * math.exp(0.01), 4),
            confidence=0.8,
            entry_price=100.0,
            stop_loss=98.0,
            capital_at_risk=0.02,
            confidence_level=0.6,
            user_segment="short_term_trader",
            account_equity=10_000.0,
            bar_time=bars.closes_at[0],
            horizon_end=bars.horizon_end[0],
            intraday=False,
            currency="GBX",
        )
    )
    assert trade["shares"] == call.position_size == 10_000  # £200 at risk, 2p a share
    assert trade["pnl"] == pytest.approx(200.0)
    assert replay(bars, params).metrics["end_equity"] == pytest.approx(10_200.0)
