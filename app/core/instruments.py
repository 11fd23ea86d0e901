"""What a trader types, resolved to an instrument: one listing, named by every source.

A symbol is not a string pattern: `AAPL`, `AAPL.O` and `AAPL US Equity` are one
share, `BRKb.N` is a RIC whose small letter matters, `EUR=` is a currency pair and
`VOD LN Equity` is priced in pence. `resolve` reads the forms of SPEC §3a and
returns an `Instrument` that carries each source's own code (so adapters stop
re-deriving them), the exchange (ISO 10383 MIC), the currency prices come in, the
time zone and the exchange-calendars name. Pure and table-driven: the exchanges,
indices and currencies it knows are the tables below (docs/MARKET_DATA.md lists
them); anything else is refused with the accepted forms, never guessed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from app.core.money import amount_unit


class InstrumentKind(StrEnum):
    """What an instrument is: a share, an index or a currency pair."""

    EQUITY = "equity"
    INDEX = "index"
    FX = "fx"


# The sources a code is kept for; sources not named here use the plain code.
VENDORS: Final = ("refinitiv", "bloomberg")
PLAIN_SOURCES: Final = ("synthetic", "sample", "csv")

ACCEPTED_FORMS: Final = (
    "a ticker (AAPL, BRK.B or BRK-B: US listings), a Refinitiv RIC as written (AAPL.O, "
    "VOD.L, 7203.T, 0005.HK, BRKb.N, .SPX, EUR=), a Bloomberg security (IBM US Equity, "
    "VOD LN Equity, BRK/B US Equity, SPX Index, EURUSD Curncy), an index (^SPX) or a "
    "currency pair (EURUSD, EUR/USD)"
)


class UnknownInstrument(ValueError):
    """What was typed names nothing any source can resolve; the message says why and
    lists the accepted forms (a `ValueError`, so a pydantic validator reports it on
    its field)."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(
            f"{text!r} is not a symbol the platform can resolve: {reason}. "
            f"Accepted forms: {ACCEPTED_FORMS}"
        )


@dataclass(frozen=True)
class Exchange:
    """One row of the exchange table: how each vendor names the venue and what its
    listings share. `mic` is None for the US composite (a plain US ticker, or
    Bloomberg's `US`, names no single venue)."""

    mic: str | None
    name: str
    market: str  # listings of one market are one instrument across its venues
    ric: str  # RIC exchange suffix, without the dot
    yahoo: str  # the suffix files and display symbols use ("" for US)
    bloomberg: tuple[str, ...]  # Bloomberg exchange codes, the first canonical
    currency: str
    timezone: str
    calendar: str
    tick_size: float
    pad: int = 0  # roots are zero-padded to this width in RICs (Hong Kong: 0005.HK)


_NY = "America/New_York"
EXCHANGES: Final[tuple[Exchange, ...]] = (
    # A plain US ticker: the venue is unknown, so the RIC gets NASDAQ's ".O" (the
    # long-standing default; pass IBM.N for NYSE) and Bloomberg the composite `US`.
    Exchange(None, "US (composite)", "US", "O", "", ("US",), "USD", _NY, "XNYS", 0.01),
    Exchange("XNAS", "Nasdaq", "US", "O", "", ("UW", "UQ"), "USD", _NY, "XNYS", 0.01),
    Exchange("XNYS", "New York Stock Exchange", "US", "N", "", ("UN",), "USD", _NY, "XNYS", 0.01),
    # London equities are quoted in pence (GBX); amounts are shown in pounds.
    Exchange(
        "XLON",
        "London Stock Exchange",
        "GB",
        "L",
        "L",
        ("LN",),
        "GBX",
        "Europe/London",
        "XLON",
        0.01,
    ),
    Exchange(
        "XTKS",
        "Tokyo Stock Exchange",
        "JP",
        "T",
        "T",
        ("JT", "JP"),
        "JPY",
        "Asia/Tokyo",
        "XTKS",
        1.0,
    ),
    Exchange(
        "XHKG",
        "Hong Kong Exchanges",
        "HK",
        "HK",
        "HK",
        ("HK",),
        "HKD",
        "Asia/Hong_Kong",
        "XHKG",
        0.01,
        pad=4,
    ),
    Exchange("XETR", "Xetra", "DE", "DE", "DE", ("GY", "GR"), "EUR", "Europe/Berlin", "XETR", 0.01),
    Exchange(
        "XPAR", "Euronext Paris", "FR", "PA", "PA", ("FP",), "EUR", "Europe/Paris", "XPAR", 0.01
    ),
    Exchange(
        "XAMS",
        "Euronext Amsterdam",
        "NL",
        "AS",
        "AS",
        ("NA",),
        "EUR",
        "Europe/Amsterdam",
        "XAMS",
        0.01,
    ),
    Exchange(
        "XTSE",
        "Toronto Stock Exchange",
        "CA",
        "TO",
        "TO",
        ("CT", "CN"),
        "CAD",
        "America/Toronto",
        "XTSE",
        0.01,
    ),
    Exchange(
        "XASX", "ASX", "AU", "AX", "AX", ("AT", "AU"), "AUD", "Australia/Sydney", "XASX", 0.01
    ),
    Exchange(
        "XSWX",
        "SIX Swiss Exchange",
        "CH",
        "S",
        "SW",
        ("SE", "SW"),
        "CHF",
        "Europe/Zurich",
        "XSWX",
        0.01,
    ),
)
_US_COMPOSITE = EXCHANGES[0]
# A listing suffix, as a RIC or a Yahoo-style file name writes it (case-insensitive).
_BY_SUFFIX: Final = {
    **{e.yahoo: e for e in reversed(EXCHANGES) if e.yahoo},
    **{e.ric: e for e in reversed(EXCHANGES) if e.market != "US" or e.mic},
}
_BY_BLOOMBERG: Final = {code: e for e in EXCHANGES for code in e.bloomberg}


@dataclass(frozen=True)
class Index:
    """A major index as each vendor names it (they differ: UKX Index is .FTSE)."""

    ric: str  # without the leading dot
    bloomberg: str
    yahoo: tuple[str, ...]  # without the caret
    currency: str
    timezone: str
    calendar: str


INDICES: Final[tuple[Index, ...]] = (
    Index("SPX", "SPX", ("GSPC", "SPX"), "USD", _NY, "XNYS"),
    Index("DJI", "INDU", ("DJI",), "USD", _NY, "XNYS"),
    Index("NDX", "NDX", ("NDX",), "USD", _NY, "XNYS"),
    Index("IXIC", "CCMP", ("IXIC",), "USD", _NY, "XNYS"),
    Index("FTSE", "UKX", ("FTSE",), "GBP", "Europe/London", "XLON"),
    Index("N225", "NKY", ("N225",), "JPY", "Asia/Tokyo", "XTKS"),
    Index("HSI", "HSI", ("HSI",), "HKD", "Asia/Hong_Kong", "XHKG"),
    Index("GDAXI", "DAX", ("GDAXI",), "EUR", "Europe/Berlin", "XETR"),
    Index("STOXX50E", "SX5E", ("STOXX50E",), "EUR", "Europe/Berlin", "XETR"),
)

# Currencies a pair may name, and those quoted as the base against the dollar by
# market convention (EUR= is EURUSD, but JPY= is USDJPY).
CURRENCIES: Final = frozenset(
    {"USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "HKD"}
    | {"SGD", "CNH", "MXN", "ZAR"}
)
_BASE_OVER_USD: Final = frozenset({"EUR", "GBP", "AUD", "NZD"})
# exchange-calendars' weekday calendar: FX trades around the clock, Monday to Friday.
FX_CALENDAR: Final = "24/5"


@dataclass(frozen=True)
class Instrument:
    """One instrument, however it was typed.

    `symbol` is the display symbol and the identity: two forms resolve to one
    instrument exactly when their symbols are equal (US listings: the ticker, `BRK.B`;
    elsewhere the Yahoo-style `VOD.L`; indices `^SPX`; pairs `EURUSD`). `entered` is
    what was typed in its canonical spelling. `currency` is the unit prices come in
    (`GBX` for pence); `amount_currency` and `price_divisor` turn a price into money
    (GBX: GBP and 100). `mic` is None for a US ticker whose venue was not named, an
    index or a currency pair.
    """

    symbol: str
    kind: InstrumentKind
    entered: str
    ric: str
    bloomberg: str
    plain: str
    mic: str | None
    exchange: str
    currency: str
    timezone: str
    calendar: str
    tick_size: float
    aliases: frozenset[str]

    @property
    def amount_currency(self) -> str:
        return amount_unit(self.currency)[0]

    @property
    def price_divisor(self) -> int:
        return amount_unit(self.currency)[1]

    def vendor_code(self, source: str) -> str:
        """The code `source` is asked for: a RIC, a Bloomberg security, or the plain
        code (the file name of `csv`, the ticker of `synthetic` and `sample`)."""
        if source == "refinitiv":
            return self.ric
        if source == "bloomberg":
            return self.bloomberg
        return self.plain

    def to_json(self) -> dict[str, Any]:
        """What the agent stores (the `InstrumentShape` of the API)."""
        return {
            "symbol": self.symbol,
            "kind": str(self.kind),
            "entered": self.entered,
            "vendor_codes": {s: self.vendor_code(s) for s in (*PLAIN_SOURCES, *VENDORS)},
            "mic": self.mic,
            "exchange": self.exchange,
            "currency": self.currency,
            "amount_currency": self.amount_currency,
            "price_divisor": self.price_divisor,
            "timezone": self.timezone,
            "calendar": self.calendar,
            "tick_size": self.tick_size,
        }


_CHARACTERS = re.compile(r"^[A-Za-z0-9 .\-/=^]+$")
_ROOT = re.compile(r"^[A-Z0-9]{1,12}$")
_US_ROOT = re.compile(r"^[A-Z][A-Z0-9]{0,9}$")
_CLASS = re.compile(r"^[A-Z0-9]{1,4}$")
_RIC_CLASS = re.compile(r"^([A-Z0-9]+)([a-z])$")


def resolve(text: str) -> Instrument:
    """The instrument `text` names, or `UnknownInstrument` saying why not."""
    if not isinstance(text, str) or not text.strip():
        raise UnknownInstrument(str(text), "it is empty")
    return _resolve(text)


# Bounded and per text: every /predict validates its symbols through here twice, and an
# instrument is immutable (a refusal, raised, is not kept).
@functools.lru_cache(maxsize=4096)
def _resolve(text: str) -> Instrument:
    typed = " ".join(text.split())
    if len(typed) > 40:
        raise UnknownInstrument(typed, "it is longer than 40 characters")
    if not _CHARACTERS.match(typed):
        raise UnknownInstrument(
            typed, "a symbol is written with ASCII letters, digits, spaces and . - / = ^"
        )
    if " " in typed:
        return _bloomberg(typed)
    if typed[0] in ".^":
        return _index_code(typed)
    if typed.endswith("="):
        return _ric_fx(typed)
    pair = _pair(typed.upper().replace("/", ""))
    if pair is not None and ("/" in typed or len(typed) == 6):
        return pair
    if "." in typed:
        root, _, suffix = typed.rpartition(".")
        exchange = _BY_SUFFIX.get(suffix.upper())
        if exchange is not None:
            return _listing(typed, root, exchange, ric_form=True)
        return _us_class(typed, root, suffix, ".")
    if "-" in typed:
        root, _, suffix = typed.rpartition("-")
        return _us_class(typed, root, suffix, "-")
    upper = typed.upper()
    if not _US_ROOT.match(upper):
        raise UnknownInstrument(typed, "a ticker is a letter then up to 9 letters or digits")
    return _equity(upper, None, _US_COMPOSITE, entered=upper, plain=upper)


# --- equities ---------------------------------------------------------------------------


def _us_class(typed: str, root: str, share_class: str, mark: str) -> Instrument:
    """`BRK.B` / `BRK-B`: a US ticker with a share class (a suffix that is no exchange)."""
    upper_root, upper_class = root.upper(), share_class.upper()
    if not _US_ROOT.match(upper_root) or not _CLASS.match(upper_class):
        raise UnknownInstrument(
            typed,
            f"{share_class!r} after {mark!r} is neither a share class (BRK.B) nor an "
            f"exchange suffix ({', '.join('.' + s for s in sorted(_BY_SUFFIX))})",
        )
    entered = f"{upper_root}{mark}{upper_class}"
    return _equity(upper_root, upper_class, _US_COMPOSITE, entered=entered, plain=entered)


def _listing(typed: str, root: str, exchange: Exchange, *, ric_form: bool) -> Instrument:
    """`VOD.L`, `7203.T`, `BRKb.N`: a root on a named exchange. RICs are
    case-sensitive: a small letter after capitals is a share class and is kept
    (`BRKb.N`); a root typed all in small letters is read in capitals."""
    share_class = None
    if root.islower() or root.isdigit():
        root = root.upper()
    elif not root.isupper():
        match = _RIC_CLASS.match(root) if ric_form else None
        if match is None:
            raise UnknownInstrument(
                typed,
                "RICs are case-sensitive: write the root in capitals and only a share "
                "class in small letters (BRKb.N)",
            )
        root, share_class = match.group(1), match.group(2).upper()
    if not _ROOT.match(root) or (exchange.market == "US" and not _US_ROOT.match(root)):
        raise UnknownInstrument(typed, f"{root!r} is not a ticker")
    code = _ric_root(root, share_class, exchange) + "." + exchange.ric
    as_ric = ric_form and exchange.ric.upper() == typed.rpartition(".")[2].upper()
    entered = code if as_ric else f"{root}.{exchange.yahoo}"
    return _equity(root, share_class, exchange, entered=entered, plain=None)


def _equity(
    root: str, share_class: str | None, exchange: Exchange, *, entered: str, plain: str | None
) -> Instrument:
    if exchange.pad and root.isdigit():
        root = (root.lstrip("0") or "0").rjust(exchange.pad, "0")
    display = f"{root}.{share_class}" if share_class else root
    if exchange.yahoo:
        display = f"{display}.{exchange.yahoo}"
    # Every code an agent on this instrument may be stored under: each venue of its
    # market on each vendor, and the plain spellings (BRK.B, BRK-B).
    venues = [e for e in EXCHANGES if e.market == exchange.market]
    rics = {_ric_root(root, share_class, e) + "." + e.ric for e in venues}
    bloombergs = {
        _bloomberg_equity(root, share_class, e, code) for e in venues for code in e.bloomberg
    }
    plains = {display, plain or display}
    if share_class and not exchange.yahoo:
        plains |= {f"{root}-{share_class}", f"{root}.{share_class}"}
    return Instrument(
        symbol=display,
        kind=InstrumentKind.EQUITY,
        entered=entered,
        ric=_ric_root(root, share_class, exchange) + "." + exchange.ric,
        bloomberg=_bloomberg_equity(root, share_class, exchange, exchange.bloomberg[0]),
        plain=plain or display,
        mic=exchange.mic,
        exchange=exchange.name,
        currency=exchange.currency,
        timezone=exchange.timezone,
        calendar=exchange.calendar,
        tick_size=exchange.tick_size,
        aliases=frozenset(rics | bloombergs | plains),
    )


def _ric_root(root: str, share_class: str | None, exchange: Exchange) -> str:
    padded = root.rjust(exchange.pad, "0") if exchange.pad and root.isdigit() else root
    return padded + (share_class.lower() if share_class else "")


def _bloomberg_equity(root: str, share_class: str | None, exchange: Exchange, code: str) -> str:
    # Bloomberg writes Hong Kong codes without leading zeros (5 HK Equity).
    bare = (root.lstrip("0") or "0") if exchange.pad and root.isdigit() else root
    return f"{bare}{'/' + share_class if share_class else ''} {code} Equity"


# --- Bloomberg securities ---------------------------------------------------------------


def _bloomberg(typed: str) -> Instrument:
    """`IBM US Equity`, `BRK/B US Equity`, `SPX Index`, `EURUSD Curncy`: Bloomberg is
    case-insensitive, so any case is read."""
    parts = typed.split(" ")
    key = parts[-1].lower()
    if key == "equity" and len(parts) == 3:
        ticker, code = parts[0].upper(), parts[1].upper()
        exchange = _BY_BLOOMBERG.get(code)
        if exchange is None:
            raise UnknownInstrument(
                typed,
                f"{code} is not an exchange code the platform knows "
                f"({', '.join(sorted(_BY_BLOOMBERG))})",
            )
        root, _, share_class = ticker.partition("/")
        if not _ROOT.match(root) or (share_class and not _CLASS.match(share_class)):
            raise UnknownInstrument(typed, f"{ticker!r} is not a ticker")
        if exchange.market == "US" and not _US_ROOT.match(root):
            raise UnknownInstrument(typed, f"{ticker!r} is not a US ticker")
        entered = _bloomberg_equity(root, share_class or None, exchange, code)
        return _equity(root, share_class or None, exchange, entered=entered, plain=None)
    if key == "index" and len(parts) == 2:
        code = parts[0].upper()
        index = next((i for i in INDICES if i.bloomberg == code), None)
        if index is None:
            raise UnknownInstrument(typed, _unknown_index(code))
        return _index(index, entered=f"{code} Index")
    if key == "curncy" and len(parts) == 2:
        pair = _pair(parts[0].upper())
        if pair is None:
            raise UnknownInstrument(typed, _unknown_pair(parts[0]))
        return _fx(pair.symbol[:3], pair.symbol[3:], entered=f"{pair.symbol} Curncy")
    raise UnknownInstrument(
        typed,
        "a Bloomberg security is '<ticker> <exchange> Equity', '<index> Index' or '<pair> Curncy'",
    )


# --- indices ----------------------------------------------------------------------------


def _index_code(typed: str) -> Instrument:
    """`.SPX` (a RIC) or `^SPX` / `^GSPC` (Yahoo-style, the display form)."""
    code = typed[1:].upper()
    if typed[0] == ".":
        index = next((i for i in INDICES if i.ric == code), None)
    else:
        index = next((i for i in INDICES if code == i.ric or code in i.yahoo), None)
    if index is None:
        raise UnknownInstrument(typed, _unknown_index(typed))
    return _index(index, entered=(f".{index.ric}" if typed[0] == "." else f"^{code}"))


def _index(index: Index, *, entered: str) -> Instrument:
    display = f"^{index.ric}"
    return Instrument(
        symbol=display,
        kind=InstrumentKind.INDEX,
        entered=entered,
        ric=f".{index.ric}",
        bloomberg=f"{index.bloomberg} Index",
        plain=display,
        mic=None,
        exchange=f"{index.ric} index",
        currency=index.currency,
        timezone=index.timezone,
        calendar=index.calendar,
        tick_size=0.01,
        aliases=frozenset(
            {display, f".{index.ric}", f"{index.bloomberg} Index", *(f"^{y}" for y in index.yahoo)}
        ),
    )


def _unknown_index(code: str) -> str:
    known = ", ".join(f".{i.ric} / {i.bloomberg} Index" for i in INDICES)
    return f"{code} is not an index the platform knows ({known})"


# --- currency pairs ---------------------------------------------------------------------


def _ric_fx(typed: str) -> Instrument:
    """`EUR=` (the currency against the dollar, quoted the market's way) or `EURGBP=`."""
    code = typed[:-1].upper()
    if len(code) == 3 and code in CURRENCIES and code != "USD":
        base, quote = (code, "USD") if code in _BASE_OVER_USD else ("USD", code)
        return _fx(base, quote, entered=f"{code}=")
    pair = _pair(code)
    if pair is None:
        raise UnknownInstrument(typed, _unknown_pair(code))
    return _fx(pair.symbol[:3], pair.symbol[3:], entered=f"{code}=")


def _pair(code: str) -> Instrument | None:
    if len(code) != 6:
        return None
    base, quote = code[:3], code[3:]
    if base == quote or base not in CURRENCIES or quote not in CURRENCIES:
        return None
    return _fx(base, quote, entered=code)


def _fx(base: str, quote: str, *, entered: str) -> Instrument:
    display = base + quote
    if "USD" in (base, quote) and (quote == "USD") == (base in _BASE_OVER_USD):
        ric = f"{base if quote == 'USD' else quote}="
    else:
        ric = f"{display}="
    return Instrument(
        symbol=display,
        kind=InstrumentKind.FX,
        entered=entered,
        ric=ric,
        bloomberg=f"{display} Curncy",
        plain=display,
        mic=None,
        exchange="FX (over the counter)",
        currency=quote,
        timezone=_NY,  # the FX day rolls at 17:00 New York
        calendar=FX_CALENDAR,
        tick_size=0.001 if quote == "JPY" else 0.00001,
        aliases=frozenset({display, ric, f"{display} Curncy", f"{base}/{quote}"}),
    )


def _unknown_pair(code: str) -> str:
    return f"{code} is not a pair of the currencies {', '.join(sorted(CURRENCIES))}"


def same_instrument(first: str, second: str) -> bool:
    """Whether two typed symbols name one instrument (False when either is unknown)."""
    try:
        return resolve(first).symbol == resolve(second).symbol
    except UnknownInstrument:
        return False
