"""The vendor adapters ask for the instrument's own code: RICs as written, Bloomberg
securities with their yellow key, whatever form the agent was created with."""

from __future__ import annotations

import pytest

from app.services.market_data.bloomberg import to_security
from app.services.market_data.refinitiv import to_ric


@pytest.mark.parametrize(
    ("symbol", "ric"),
    [
        ("aapl", "AAPL.O"),
        ("IBM.N", "IBM.N"),
        ("vod.l", "VOD.L"),
        ("BRKb.N", "BRKb.N"),  # the share class's small letter is kept
        ("BRK.B", "BRKb.O"),
        ("EUR=", "EUR="),  # not EUR=.O
        (".SPX", ".SPX"),
        ("VOD LN Equity", "VOD.L"),
        ("SPX Index", ".SPX"),
        ("EURUSD", "EUR="),
        ("0005.HK", "0005.HK"),
    ],
)
def test_refinitiv_is_asked_for_the_ric(symbol: str, ric: str) -> None:
    assert to_ric(symbol) == ric


@pytest.mark.parametrize(
    ("symbol", "security"),
    [
        ("ibm", "IBM US Equity"),
        ("ibm us equity", "IBM US Equity"),
        ("VOD.L", "VOD LN Equity"),
        ("BRKb.N", "BRK/B UN Equity"),
        (".SPX", "SPX Index"),
        ("EUR=", "EURUSD Curncy"),
        ("0005.HK", "5 HK Equity"),
    ],
)
def test_bloomberg_is_asked_for_the_security(symbol: str, security: str) -> None:
    assert to_security(symbol) == security
