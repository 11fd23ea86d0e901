"""The four user segments: one type for the account, the API and the signal rule."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class UserSegment(StrEnum):
    short_term_trader = "short_term_trader"
    investor = "investor"
    manager = "manager"
    quant = "quant"


# Investors and portfolio managers do not short: their Short call is an Exit.
LONG_ONLY_SEGMENTS: Final = frozenset({UserSegment.investor, UserSegment.manager})
