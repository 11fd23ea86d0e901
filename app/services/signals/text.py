"""The words of a signal: the suggestion sentence and the small helpers it needs.

What the user reads is part of the contract (tests pin it to the letter), so the
wording lives in one place, apart from the arithmetic that decides the call.
Numbers are never rounded into a contradiction ("0.60 is below 0.60", "$0.05 is
above $0.05"), and prices are written on their tick in the unit they are quoted in
(app.core.money.format_quote).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from app.core.money import dec, format_quote

if TYPE_CHECKING:
    from app.services.signals.rule import Direction, TradeSignal


def suggestion(
    *,
    symbol: str,
    trade_signal: TradeSignal,
    direction: Direction,
    entry_price: float,
    stop_loss: float,
    predicted_price: float,
    size: int,
    confidence: Decimal,
    hold_texts: list[str],
    currency: str = "USD",
) -> str:
    """The `suggestion_text`: what to do, at which prices (in the unit they are
    quoted in: "$185.50", "700.5p"), or why not."""
    predicted, entry = price_pair(dec(predicted_price), dec(entry_price), currency)
    tail = f"Confidence: {confidence:.2f}."
    if trade_signal == "Enter":
        entry, stop = price_pair(dec(entry_price), dec(stop_loss), currency)
        return (
            f"Entering {direction.upper()} on {symbol} at {entry} with stop-loss "
            f"{stop}. Trade size: {shares(size)}. {tail}"
        )
    if trade_signal == "Exit":
        return (
            f"Exit or avoid a long position in {symbol}: the model expects {predicted} "
            f"(below {entry}). {tail}"
        )
    if predicted_price > entry_price:
        relation = f"above {entry}"
    elif predicted_price < entry_price:
        relation = f"below {entry}"
    else:
        relation = f"the same as {entry}"
    return (
        f"Holding on {symbol}: {'; '.join(hold_texts)}. "
        f"The model expects {predicted} ({relation}). {tail}"
    )


def shares(count: int) -> str:
    """A count of shares: "1 share", "200 shares", "25,000 shares"."""
    return f"{count:,} share" if count == 1 else f"{count:,} shares"


def price_pair(first: Decimal, second: Decimal, currency: str = "USD") -> tuple[str, str]:
    """Both prices on their tick (`format_quote`), or with every digit typed when the
    tick would make two different prices look equal ("$185.504" and "$185.500")."""
    texts = format_quote(first, currency), format_quote(second, currency)
    if first == second or texts[0] != texts[1]:
        return texts
    places = max(2, *(-int(v.normalize().as_tuple().exponent) for v in (first, second)))
    return format_quote(first, currency, places), format_quote(second, currency, places)


def figure_above(value: Decimal, floor: Decimal = Decimal(0)) -> str:
    """`value` (known to exceed `floor`) with one decimal, or more when one would show
    it at or below `floor`: 3.04 ATRs over a 3-ATR threshold is "3.04", not "3.0";
    0.04 % is "0.04", not "0.0"."""
    places = 1
    while places < 4 and _rounded(value, places) <= floor:
        places += 1
    return f"{_rounded(value, places):.{places}f}"


def _rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def number_pair(value: float, threshold: float) -> tuple[str, str]:
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
