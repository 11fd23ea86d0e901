"""Money and prices: one tick rule and one way to write each currency.

Amounts are computed in `Decimal` from a float's shortest decimal form, so
185.57 − 182.00 is 3.57 (what the user typed), not 3.5699999999999932.

Prices are written in the unit they are quoted in, amounts of money in the
currency itself: a London share quoted in pence (GBX) is "700.5p" a share, and the
loss on 200 of them "£1,401". US dollars are written exactly as the seed writes
them ("$700", "$185.50"); other currencies take their sign ("€", "¥", "HK$") or,
when they have none here, their ISO code ("SEK 1,234.50").
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


# Quote units that are a fraction of a currency: (the currency, units per one of it).
MINOR_QUOTES: Final[dict[str, tuple[str, int]]] = {"GBX": ("GBP", 100)}
SIGNS: Final[dict[str, str]] = {
    "USD": "$",
    "GBP": "£",
    "EUR": "€",
    "JPY": "¥",
    "HKD": "HK$",
    "CAD": "C$",
    "AUD": "A$",
}
# Currencies written without minor units.
WHOLE_UNITS: Final = frozenset({"JPY"})


def amount_unit(currency: str) -> tuple[str, int]:
    """The currency amounts are counted in for prices quoted in `currency`, and how
    many price units make one of it: ("GBP", 100) for GBX, (`currency`, 1) otherwise."""
    return MINOR_QUOTES.get(currency, (currency, 1))


def _signed(text: str, currency: str) -> str:
    sign = SIGNS.get(currency)
    negative = text.startswith("-")
    body = text[1:] if negative else text
    written = f"{sign}{body}" if sign else f"{currency} {body}"
    return f"-{written}" if negative else written


def format_money(amount: Decimal | float | int, currency: str = "USD") -> str:
    """An amount of money in `currency` (never a pence quote: convert with
    `amount_unit` first): "$700" as the seed writes dollars, "£1,234.50", "¥70,000".
    Whole amounts are shown without minor units."""
    if currency == "USD":
        return format_usd(amount)
    value = amount if isinstance(amount, Decimal) else dec(amount)
    if currency in WHOLE_UNITS:
        return _signed(f"{int(value.quantize(Decimal(1), ROUND_HALF_UP)):,}", currency)
    value = value.quantize(CENT, ROUND_HALF_UP)
    if value == value.to_integral_value():
        return _signed(f"{int(value):,}", currency)
    return _signed(f"{value:,.2f}", currency)


def format_quote(amount: Decimal | float, currency: str = "USD", places: int | None = None) -> str:
    """A price in the unit it is quoted in: `format_price` for dollars, "700p" or
    "700.25p" for pence (sub-penny quotes to four places), and the currency's sign
    otherwise ("€12.34", "¥2,850.00"). `places` writes exactly that many decimals
    (to tell apart two prices the tick would show as one)."""
    value = amount if isinstance(amount, Decimal) else dec(amount)
    if places is not None:
        body = f"{value:,.{places}f}"
        if currency == "USD":
            return f"${body}"
        return f"{body}p" if currency in MINOR_QUOTES else _signed(body, currency)
    if currency == "USD":
        return format_price(amount)
    if currency in MINOR_QUOTES:
        grid = CENT if abs(value) >= 1 else SUB_DOLLAR_TICK
        ticked = value.quantize(grid, ROUND_HALF_UP)
        if ticked == ticked.to_integral_value():
            return f"{int(ticked):,}p"
        return f"{ticked:,.2f}p" if ticked == ticked.quantize(CENT) else f"{ticked:,.4f}p"
    return _signed(format_price(value).removeprefix("$"), currency)
