"""The seed's request as a SignalInput, and the small builders the signal tests share."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from app.core.clock import Window
from app.services.signals.rule import SignalInput

NY = ZoneInfo("America/New_York")
SEED_TEXT = (
    "Entering LONG on AAPL at $185.50 with stop-loss $182.00. "
    "Trade size: 200 shares. Confidence: 0.85."
)
SEED_KEYS = [
    "predicted_price",
    "confidence",
    "trade_signal",
    "direction",
    "suggested_exit_time",
    "position_size",
    "suggestion_text",
    "risk_metrics",
]
SEGMENTS = ["short_term_trader", "investor", "manager", "quant"]
LONG_ONLY = ["investor", "manager"]
MAY_SHORT = ["short_term_trader", "quant"]
# A Short call with the stop on the protective side for a short.
BEARISH: dict[str, Any] = {"predicted_price": 181.00, "stop_loss": 189.00}
# The seed's account: $35,000 of equity with a margin account's 2:1 buying power.
SEED_MARGIN: dict[str, Any] = {"account_equity": 35_000, "buying_power": 70_000}


def ny(hour: int, minute: int = 0, second: int = 0, day: int = 10, month: int = 6) -> datetime:
    """A 2025 New York wall-clock instant; 2025-06-10 is a Tuesday."""
    return datetime(2025, month, day, hour, minute, second, tzinfo=NY)


def plan(**overrides: Any) -> SignalInput:
    """The seed's request as a SignalInput (a bullish 1-minute call at 10:30 New York)."""
    fields: dict[str, Any] = {
        "symbol": "AAPL",
        "predicted_price": 190.75,
        "confidence": 0.85,
        "entry_price": 185.50,
        "stop_loss": 182.00,
        "capital_at_risk": 0.02,
        "confidence_level": 0.7,
        "user_segment": "short_term_trader",
        "account_equity": 100_000.0,
        "bar_time": ny(10, 30),
        "horizon": timedelta(hours=1),
        "entry_window": Window.parse("10:00", "11:30"),
        "exit_window": Window.parse(None, "14:00"),
    }
    fields.update(overrides)
    return SignalInput(**fields)


def has_warning(signal: Any, fragment: str) -> bool:
    return any(fragment in w for w in signal.warnings)


def dollars(text: str) -> Decimal:
    """The amount of a dollar text: "$1,886.50" → Decimal("1886.50")."""
    return Decimal(text.lstrip("$").replace(",", ""))
