"""The instrument resolver: every accepted form, both vendors' codes, and refusals."""

from __future__ import annotations

import pytest

from app.core.instruments import ACCEPTED_FORMS, UnknownInstrument, resolve, same_instrument

# typed -> (display symbol, entered, RIC, Bloomberg, plain code, MIC, currency, zone, calendar)
TABLE: list[tuple[str, tuple[str, str, str, str, str, str | None, str, str, str]]] = [
    (
        "AAPL",
        (
            "AAPL",
            "AAPL",
            "AAPL.O",
            "AAPL US Equity",
            "AAPL",
            None,
            "USD",
            "America/New_York",
            "XNYS",
        ),
    ),
    (
        " aapl ",
        (
            "AAPL",
            "AAPL",
            "AAPL.O",
            "AAPL US Equity",
            "AAPL",
            None,
            "USD",
            "America/New_York",
            "XNYS",
        ),
    ),
    (
        "BRK.B",
        (
            "BRK.B",
            "BRK.B",
            "BRKb.O",
            "BRK/B US Equity",
            "BRK.B",
            None,
            "USD",
            "America/New_York",
            "XNYS",
        ),
    ),
    (
        "brk-b",
        (
            "BRK.B",
            "BRK-B",
            "BRKb.O",
            "BRK/B US Equity",
            "BRK-B",
            None,
            "USD",
            "America/New_York",
            "XNYS",
        ),
    ),
    (
        "AAPL.O",
        (
            "AAPL",
            "AAPL.O",
            "AAPL.O",
            "AAPL UW Equity",
            "AAPL",
            "XNAS",
            "USD",
            "America/New_York",
            "XNYS",
        ),
    ),
    (
        "IBM.N",
        (
            "IBM",
            "IBM.N",
            "IBM.N",
            "IBM UN Equity",
            "IBM",
            "XNYS",
            "USD",
            "America/New_York",
            "XNYS",
        ),
    ),
    (
        "BRKb.N",
        (
            "BRK.B",
            "BRKb.N",
            "BRKb.N",
            "BRK/B UN Equity",
            "BRK.B",
            "XNYS",
            "USD",
            "America/New_York",
            "XNYS",
        ),
    ),
    (
        "VOD.L",
        (
            "VOD.L",
            "VOD.L",
            "VOD.L",
            "VOD LN Equity",
            "VOD.L",
            "XLON",
            "GBX",
            "Europe/London",
            "XLON",
        ),
    ),
    (
        "vod.l",
        (
            "VOD.L",
            "VOD.L",
            "VOD.L",
            "VOD LN Equity",
            "VOD.L",
            "XLON",
            "GBX",
            "Europe/London",
            "XLON",
        ),
    ),
    (
        "7203.T",
        (
            "7203.T",
            "7203.T",
            "7203.T",
            "7203 JT Equity",
            "7203.T",
            "XTKS",
            "JPY",
            "Asia/Tokyo",
            "XTKS",
        ),
    ),
    (
        "0005.HK",
        (
            "0005.HK",
            "0005.HK",
            "0005.HK",
            "5 HK Equity",
            "0005.HK",
            "XHKG",
            "HKD",
            "Asia/Hong_Kong",
            "XHKG",
        ),
    ),
    (
        "NESN.SW",
        (
            "NESN.SW",
            "NESN.SW",
            "NESN.S",
            "NESN SE Equity",
            "NESN.SW",
            "XSWX",
            "CHF",
            "Europe/Zurich",
            "XSWX",
        ),
    ),
    (
        ".SPX",
        ("^SPX", ".SPX", ".SPX", "SPX Index", "^SPX", None, "USD", "America/New_York", "XNYS"),
    ),
    (
        "^GSPC",
        ("^SPX", "^GSPC", ".SPX", "SPX Index", "^SPX", None, "USD", "America/New_York", "XNYS"),
    ),
    (
        "EUR=",
        (
            "EURUSD",
            "EUR=",
            "EUR=",
            "EURUSD Curncy",
            "EURUSD",
            None,
            "USD",
            "America/New_York",
            "24/5",
        ),
    ),
    (
        "JPY=",
        (
            "USDJPY",
            "JPY=",
            "JPY=",
            "USDJPY Curncy",
            "USDJPY",
            None,
            "JPY",
            "America/New_York",
            "24/5",
        ),
    ),
    (
        "EURGBP=",
        (
            "EURGBP",
            "EURGBP=",
            "EURGBP=",
            "EURGBP Curncy",
            "EURGBP",
            None,
            "GBP",
            "America/New_York",
            "24/5",
        ),
    ),
    (
        "eur/usd",
        (
            "EURUSD",
            "EURUSD",
            "EUR=",
            "EURUSD Curncy",
            "EURUSD",
            None,
            "USD",
            "America/New_York",
            "24/5",
        ),
    ),
    (
        "IBM US Equity",
        (
            "IBM",
            "IBM US Equity",
            "IBM.O",
            "IBM US Equity",
            "IBM",
            None,
            "USD",
            "America/New_York",
            "XNYS",
        ),
    ),
    (
        "ibm  us   equity",
        (
            "IBM",
            "IBM US Equity",
            "IBM.O",
            "IBM US Equity",
            "IBM",
            None,
            "USD",
            "America/New_York",
            "XNYS",
        ),
    ),
    (
        "VOD LN Equity",
        (
            "VOD.L",
            "VOD LN Equity",
            "VOD.L",
            "VOD LN Equity",
            "VOD.L",
            "XLON",
            "GBX",
            "Europe/London",
            "XLON",
        ),
    ),
    (
        "BRK/B US Equity",
        (
            "BRK.B",
            "BRK/B US Equity",
            "BRKb.O",
            "BRK/B US Equity",
            "BRK.B",
            None,
            "USD",
            "America/New_York",
            "XNYS",
        ),
    ),
    (
        "5 HK Equity",
        (
            "0005.HK",
            "5 HK Equity",
            "0005.HK",
            "5 HK Equity",
            "0005.HK",
            "XHKG",
            "HKD",
            "Asia/Hong_Kong",
            "XHKG",
        ),
    ),
    (
        "SPX Index",
        ("^SPX", "SPX Index", ".SPX", "SPX Index", "^SPX", None, "USD", "America/New_York", "XNYS"),
    ),
    (
        "UKX Index",
        ("^FTSE", "UKX Index", ".FTSE", "UKX Index", "^FTSE", None, "GBP", "Europe/London", "XLON"),
    ),
    (
        "EURUSD Curncy",
        (
            "EURUSD",
            "EURUSD Curncy",
            "EUR=",
            "EURUSD Curncy",
            "EURUSD",
            None,
            "USD",
            "America/New_York",
            "24/5",
        ),
    ),
]


@pytest.mark.parametrize(("typed", "expected"), TABLE, ids=[t for t, _ in TABLE])
def test_each_form_resolves_to_its_instrument(typed: str, expected: tuple[object, ...]) -> None:
    instrument = resolve(typed)
    assert (
        instrument.symbol,
        instrument.entered,
        instrument.ric,
        instrument.bloomberg,
        instrument.plain,
        instrument.mic,
        instrument.currency,
        instrument.timezone,
        instrument.calendar,
    ) == expected
    # Resolving the canonical spelling again gives the same instrument.
    assert resolve(instrument.entered) == instrument


def test_each_source_is_asked_for_its_own_code() -> None:
    instrument = resolve("VOD LN Equity")
    assert instrument.vendor_code("refinitiv") == "VOD.L"
    assert instrument.vendor_code("bloomberg") == "VOD LN Equity"
    assert instrument.vendor_code("csv") == "VOD.L"  # DATA_DIR/<freq>/VOD.L.csv
    assert instrument.vendor_code("synthetic") == "VOD.L"
    assert instrument.to_json()["vendor_codes"] == {
        "synthetic": "VOD.L",
        "sample": "VOD.L",
        "csv": "VOD.L",
        "refinitiv": "VOD.L",
        "bloomberg": "VOD LN Equity",
    }


def test_pence_quotes_count_money_in_pounds() -> None:
    london = resolve("VOD.L")
    assert (london.currency, london.amount_currency, london.price_divisor) == ("GBX", "GBP", 100)
    us = resolve("AAPL")
    assert (us.currency, us.amount_currency, us.price_divisor) == ("USD", "USD", 1)
    assert resolve("7203.T").tick_size == 1.0 and resolve("EUR=").tick_size == 0.00001


def test_rics_keep_their_case_and_a_small_letter_is_a_share_class() -> None:
    assert resolve("BRKb.N").ric == "BRKb.N"
    assert resolve("BRK.B").ric == "BRKb.O"  # never BRK.B.O nor BRKB.N
    assert resolve("EUR=").ric == "EUR="  # never EUR=.O
    assert resolve("BRKB.N").symbol == "BRKB"  # capitals: another root, not a class


@pytest.mark.parametrize(
    ("forms"),
    [
        ("AAPL", "aapl", "AAPL.O", "AAPL.N", "AAPL US Equity", "aapl uw equity"),
        ("BRK.B", "BRK-B", "BRKb.N", "BRK/B US Equity"),
        ("VOD.L", "VOD LN Equity"),
        (".SPX", "SPX Index", "^GSPC", "^SPX"),
        ("EUR=", "EURUSD", "EUR/USD", "EURUSD Curncy"),
        ("0005.HK", "5 HK Equity"),
    ],
)
def test_every_form_of_one_instrument_is_the_same_instrument(forms: tuple[str, ...]) -> None:
    first = resolve(forms[0])
    for other in forms[1:]:
        assert same_instrument(forms[0], other), other
        # Each form's codes are among the first's aliases: an agent stored under any
        # of them is found by any other form.
        assert resolve(other).vendor_code("refinitiv") in first.aliases or other == "AAPL.N"
        assert resolve(other).vendor_code("bloomberg") in first.aliases
        assert resolve(other).vendor_code("csv") in first.aliases


def test_different_instruments_stay_apart() -> None:
    assert not same_instrument("VOD", "VOD.L")  # a US ticker VOD is not Vodafone London
    assert not same_instrument("SPX", ".SPX")  # a US share SPX is not the index
    assert not same_instrument("EUR=", "EURGBP=")
    assert resolve("VOD").aliases.isdisjoint(resolve("VOD.L").aliases)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("FOO Index", "FOO is not an index the platform knows (.SPX / SPX Index"),
        ("IBM ZZ Equity", "ZZ is not an exchange code the platform knows"),
        ("IBM US Govt", "a Bloomberg security is '<ticker> <exchange> Equity'"),
        (".XYZ", ".XYZ is not an index the platform knows"),
        ("USD=", "USD is not a pair of the currencies"),
        ("XXXYYY Curncy", "XXXYYY is not a pair of the currencies"),
        ("Brk.N", "RICs are case-sensitive"),
        ("AAPL.TOOLONG", "'TOOLONG' after '.' is neither a share class (BRK.B) nor an exchange"),
        ("123", "a ticker is a letter then up to 9 letters or digits"),
        ("AAPL$", "a symbol is written with ASCII letters, digits, spaces and . - / = ^"),
        ("ÄAPL", "a symbol is written with ASCII letters"),
        ("AAPL\x00", "a symbol is written with ASCII letters"),
        ("X" * 41, "longer than 40 characters"),
    ],
)
def test_what_no_source_can_resolve_is_refused_with_the_accepted_forms(
    typed: str, reason: str
) -> None:
    with pytest.raises(UnknownInstrument) as refused:
        resolve(typed)
    message = str(refused.value)
    assert reason in message
    assert message.endswith(f"Accepted forms: {ACCEPTED_FORMS}")
    assert "IBM US Equity" in message and "BRKb.N" in message and "EUR=" in message
