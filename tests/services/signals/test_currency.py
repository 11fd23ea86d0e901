"""The signal rule in the instrument's currency: pence quotes, money in pounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.services.signals.rule import SignalInput, decide

BASE = {
    "symbol": "VOD.L",
    "predicted_price": 72.50,
    "confidence": 0.85,
    "entry_price": 70.00,
    "stop_loss": 68.60,
    "capital_at_risk": 0.02,
    "confidence_level": 0.6,
    "user_segment": "short_term_trader",
    "account_equity": 35_000,
    "bar_time": datetime(2025, 6, 2, 13, 15, tzinfo=UTC),
    "horizon": timedelta(hours=1),
    "timezone": "Europe/London",
}


def test_dollars_by_default_as_the_seed_writes_them() -> None:
    usd = decide(
        SignalInput(
            **{
                **BASE,
                "symbol": "AAPL",
                "entry_price": 185.5,
                "stop_loss": 182.0,
                "predicted_price": 187.25,
                "timezone": "America/New_York",
                "buying_power": 70_000,  # the seed's margin account
            }
        )
    )
    assert usd.risk_metrics.max_loss == "$700"
    assert usd.suggestion_text.startswith("Entering LONG on AAPL at $185.50 with stop-loss $182.00")


def test_pence_prices_and_pound_amounts() -> None:
    signal = decide(SignalInput(**BASE, currency="GBX"))
    # £700 at risk (2 % of £35,000) over 1.40p a share: 50,000 shares, capped by what
    # £35,000 buys at 70p (50,000 shares): the max loss is 50,000 × 1.4p = £700.
    assert signal.position_size == 50_000
    assert signal.risk_metrics.max_loss == "£700"
    assert float(signal.max_loss_amount) == 700.0
    assert "at 70p with stop-loss 68.60p" in signal.suggestion_text


def test_the_same_figures_in_dollars_would_size_a_hundred_times_smaller() -> None:
    usd = decide(SignalInput(**BASE))
    assert usd.position_size == 500 and usd.risk_metrics.max_loss == "$700"
    assert "at $70.00 with stop-loss $68.60" in usd.suggestion_text
