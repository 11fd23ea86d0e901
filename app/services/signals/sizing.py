"""How many shares a call may trade: the risk budget, capped by what the account can pay.

Kept apart from the rule because it answers a different question: the rule says
whether to trade, sizing says how much. It works on `Decimal` prices, so a
position's loss at the stop is exact in cents.
"""

from __future__ import annotations

from decimal import Decimal

from app.core.money import dec, floor_int, format_money, format_quote
from app.services.signals.text import shares


def position_size(
    *,
    entry: Decimal,
    risk: Decimal,
    equity: float,
    capital_at_risk: float,
    buying_power: float | None,
    currency: str = "USD",
) -> tuple[int, list[str]]:
    """⌊budget ÷ risk per share⌋ capped at ⌊buying power ÷ entry⌋; warnings say why.

    `risk` is |entry − stop| per share; `buying_power` None means a cash account,
    capped at the equity. Prices and amounts are all in `currency` (for a pence quote
    the caller converts the prices to pounds first).
    """
    equity_amount = dec(equity)
    budget = equity_amount * dec(capital_at_risk)
    by_risk = floor_int(budget / risk)
    if buying_power is None:
        limit, limit_name = equity_amount, "equity"
    else:
        limit, limit_name = dec(buying_power), "buying power"
    affordable = floor_int(limit / entry)
    if affordable == 0:
        return 0, [
            f"One share at {format_quote(entry, currency)} costs more than your {limit_name} of "
            f"{format_money(limit, currency)}, so the position size is 0."
        ]
    if by_risk == 0:
        return 0, [
            f"Your risk budget of {format_money(budget, currency)} is less than the "
            f"{format_quote(risk, currency)} risked on one share, so the position size is 0."
        ]
    if by_risk > affordable:
        return affordable, [
            f"Position capped at {shares(affordable)} so its value "
            f"({format_money(affordable * entry, currency)}) stays within your {limit_name} of "
            f"{format_money(limit, currency)}; the risk budget alone allowed {shares(by_risk)}."
        ]
    return by_risk, []
