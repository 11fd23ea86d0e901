"""Money and prices: one tick rule and one way to write dollars.

Amounts are computed in `Decimal` from a float's shortest decimal form, so
185.57 − 182.00 is 3.57 (what the user typed), not 3.5699999999999932.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Final

CENT: Final = Decimal("0.01")
SUB_DOLLAR_TICK: Final = Decimal("0.0001")


def dec(value: float) -> Decimal:
    """The shortest decimal that round-trips `value`: what the user typed, not binary."""
    return Decimal(repr(float(value)))


def tick(price: float, reference: float | None = None) -> float:
    """`price` on the US tick grid: $0.01, or $0.0001 when `reference` (default: the
    price itself) is below $1 (SEC Rule 612). Rounded half-up."""
    places = CENT if (price if reference is None else reference) >= 1 else SUB_DOLLAR_TICK
    return float(dec(price).quantize(places, ROUND_HALF_UP))


def cents(amount: float) -> float:
    """A dollar amount (not a price) rounded half-up to the cent."""
    return float(dec(amount).quantize(CENT, ROUND_HALF_UP))


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def floor_int(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def format_usd(amount: Decimal | float | int) -> str:
    """Dollars as the seed writes them: "$700", "$1,234.50", "$1,000,000", "$0".

    Rounded half-up to the cent; whole dollars are shown without cents.
    """
    value = (amount if isinstance(amount, Decimal) else dec(amount)).quantize(CENT, ROUND_HALF_UP)
    if value == value.to_integral_value():
        return f"${int(value):,}"
    return f"${value:,.2f}"


def format_price(amount: Decimal | float) -> str:
    """A price, or an amount per share, on the tick it trades at.

    From $1 up: two decimals ("$185.50", "$1,234.50"). Below $1: the $0.0001
    sub-dollar tick (SEC Rule 612), so a penny stock is never rounded to a price it
    does not trade at: four decimals as a sub-penny quote is written ("$0.0512",
    "$0.0480"), two when the amount is whole cents ("$0.05", "$0.50", "$0.00").
    Rounded half-up, on the grid of the amount itself (0.99995 is "$1.00").
    """
    value = amount if isinstance(amount, Decimal) else dec(amount)
    if abs(value) >= 1:
        return f"${value.quantize(CENT, ROUND_HALF_UP):,.2f}"
    ticked = value.quantize(SUB_DOLLAR_TICK, ROUND_HALF_UP)
    return f"${ticked:.2f}" if ticked == ticked.quantize(CENT) else f"${ticked:.4f}"
