"""How a bar file is laid out, found from the file itself: encoding, separator, header.

Traders' files come as their tools export them (docs/MARKET_DATA.md "csv"): the
platform's own CSV, Yahoo Finance, MetaTrader 4 (no header), MetaTrader 5 (tab-separated,
`<DATE>`-style names, often UTF-16), European files separated by `;` with decimal commas.
`read_table` turns each into one table of columns with plain lower-case names, so the
reader never deals with the differences; a sidecar `<file>.json` says what a file cannot
(the zone its naive times are written in).
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from app.services.market_data.base import MarketDataError

MT4_COLUMNS: tuple[str, ...] = ("date", "time", "open", "high", "low", "close", "volume")
SEPARATOR_NAMES: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab"}
SIDECAR_KEYS: tuple[str, ...] = ("timezone", "adjust_prices")
_SHOWN_ROWS = 5
# A first cell that is a date (2024.01.02, 2024-01-02, 02.01.2024, 20240102) or an epoch
# number: the file starts with data, not with a header.
_DATA_CELL = re.compile(
    r"^\s*\"?(\d{4}[.\-/]\d{1,2}[.\-/]\d{1,2}|\d{1,2}[.\-/]\d{1,2}[.\-/]\d{4}|\d{8,13})\b"
)
_TIME_CELL = re.compile(r"^\s*\d{1,2}:\d{2}(:\d{2})?\s*$")


@dataclass(frozen=True)
class Where:
    """How messages point into a file: lines of a CSV, rows of a parquet file."""

    shown: str  # the file's name relative to DATA_DIR
    first_line: int = 2  # line number of the first data row (1 without a header)
    word: str = "line"

    @property
    def sidecar(self) -> str:
        return f"{self.shown}.json"

    def rows(self, mask: pl.Series) -> str:
        """ "line 7" / "lines 7, 9, 12 and 40 more"."""
        numbers = [int(i) + self.first_line for i in mask.arg_true().to_list()]
        head = ", ".join(str(n) for n in numbers[:_SHOWN_ROWS])
        more = f" and {len(numbers) - _SHOWN_ROWS} more" if len(numbers) > _SHOWN_ROWS else ""
        return f"{self.word}{'s' if len(numbers) > 1 else ''} {head}{more}"


@dataclass(frozen=True)
class Table:
    """A file's columns, renamed to trimmed lower case without MetaTrader's `<>`."""

    frame: pl.DataFrame  # CSV values as text; parquet columns as typed in the file
    layout: str  # for notes and messages: "MetaTrader 4 export", "CSV", ...
    separator: str | None  # None for parquet
    where: Where
    header: tuple[str, ...] = ()  # the column names as the file writes them

    @property
    def decimal_comma(self) -> bool:
        """European exports separate by `;` because `,` is their decimal mark."""
        return self.separator == ";"

    def describe(self) -> str:
        """What was found, for messages: "read as semicolon-separated, its header has …"."""
        header = ", ".join(repr(name) for name in self.header) or "no columns"
        if self.separator is None:
            return f"its columns are {header}"
        if self.where.first_line == 1:
            return (
                f"read as a {self.layout} ({SEPARATOR_NAMES[self.separator]}-separated, no header)"
            )
        return f"read as {SEPARATOR_NAMES[self.separator]}-separated, its header has {header}"


@dataclass(frozen=True)
class FileOptions:
    """What a sidecar `<file>.json` declares; None where it says nothing."""

    timezone: str | None = None
    adjust_prices: bool | None = None


def read_table(path: Path, shown: str) -> Table:
    """The file's columns by plain name; 422 naming the file when it cannot be read."""
    if path.suffix == ".parquet":
        frame = _read(lambda: pl.read_parquet(path), shown)
        where = Where(shown, 1, "row")
        return Table(_renamed(frame, shown), "Parquet file", None, where, tuple(frame.columns))
    data = _utf8(path, shown)
    first = data.split(b"\n", 1)[0].decode("utf-8", errors="replace").strip("\r\n")
    if not first.strip():
        raise MarketDataError(
            f"{shown} is empty or starts with an empty line; its first line must be the "
            "header timestamp,open,high,low,close,volume"
        )
    separator = _sniff(first)
    cells = first.split(separator)
    if not _DATA_CELL.match(cells[0]):
        frame = _read(lambda: _csv(data, separator, has_header=True), shown)
        layout = "MetaTrader 5 export" if "<" in first else "CSV"
        header = tuple(frame.columns)
        return Table(_renamed(frame, shown), layout, separator, Where(shown), header)
    if len(cells) in (6, 7) and _TIME_CELL.match(cells[1]):
        names = list(MT4_COLUMNS[: len(cells)])
        frame = _read(lambda: _csv(data, separator, has_header=False, names=names), shown)
        return Table(frame, "MetaTrader 4 export", separator, Where(shown, 1), tuple(names))
    raise MarketDataError(
        f"{shown} has no header row: its first line is {first!r}. Add the header "
        "timestamp,open,high,low,close,volume as its first line (a MetaTrader 4 export "
        "is read without one when its lines are date,time,open,high,low,close,volume, "
        "e.g. 2024.01.02,09:30,1.1012,1.1020,1.1008,1.1015,240)"
    )


def read_sidecar(path: Path, where: Where) -> FileOptions:
    """The options in `<file>.json` beside the file, checked; none without one."""
    sidecar = path.with_name(path.name + ".json")
    if not sidecar.is_file():
        return FileOptions()
    try:
        options = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MarketDataError(f"{where.sidecar} could not be read: {exc}") from exc
    example = '{"timezone": "Europe/London"}'
    if not isinstance(options, dict):
        raise MarketDataError(f"{where.sidecar} must hold a JSON object such as {example}")
    unknown = sorted(set(options) - set(SIDECAR_KEYS))
    if unknown:
        raise MarketDataError(
            f"{where.sidecar} has the unknown key(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(SIDECAR_KEYS)} (e.g. {example})"
        )
    zone = options.get("timezone")
    if zone is not None:
        check_zone(zone, f"{where.sidecar}: 'timezone'")
    adjust = options.get("adjust_prices")
    if adjust is not None and not isinstance(adjust, bool):
        raise MarketDataError(f"{where.sidecar}: 'adjust_prices' must be true or false")
    return FileOptions(timezone=zone, adjust_prices=adjust)


def check_zone(zone: object, what: str) -> str:
    """`zone` when it names an IANA time zone; else a 422 saying what would."""
    try:
        if isinstance(zone, str) and zone.strip():
            ZoneInfo(zone)
            return zone
    except (ZoneInfoNotFoundError, ValueError):
        pass
    raise MarketDataError(
        f"{what} {zone!r} is not an IANA time zone; use a name such as "
        "'America/New_York', 'Europe/London', 'Asia/Tokyo' or 'UTC'"
    )


def _utf8(path: Path, shown: str) -> bytes:
    """The file's bytes as UTF-8: MetaTrader 5 writes UTF-16, Excel may add a BOM."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MarketDataError(f"{shown} could not be read: {exc.strerror or exc}") from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif len(data) >= 2 and data[1] == 0 and data[0] != 0:
        encoding = "utf-16-le"
    elif len(data) >= 2 and data[0] == 0 and data[1] != 0:
        encoding = "utf-16-be"
    else:
        return data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode(encoding).encode("utf-8")
    except UnicodeDecodeError as exc:
        raise MarketDataError(
            f"{shown} could not be read: it looks like UTF-16 text but is not ({exc.reason}); "
            "save it as UTF-8"
        ) from exc


def _sniff(first_line: str) -> str:
    """The separator the first line uses most (ties: tab, then `;`, then `,`)."""
    counts = {sep: first_line.count(sep) for sep in ("\t", ";", ",")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _csv(
    data: bytes, separator: str, *, has_header: bool, names: list[str] | None = None
) -> pl.DataFrame:
    """Everything as text: each value is then parsed with a message naming its line.
    Empty lines at the end (Excel and Windows exports leave them) are dropped."""
    frame = pl.read_csv(
        io.BytesIO(data),
        separator=separator,
        has_header=has_header,
        new_columns=names,
        infer_schema=False,
        truncate_ragged_lines=False,
    )
    if frame.is_empty() or not frame.columns:
        return frame
    blank = frame.select(
        pl.all_horizontal(pl.all().str.strip_chars().fill_null("") == "")
    ).to_series()
    filled = (~blank).arg_true()
    return frame.head(int(filled[-1]) + 1 if filled.len() else 0)


def _read(reader: Callable[[], pl.DataFrame], shown: str) -> pl.DataFrame:
    try:
        return reader()
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise MarketDataError(f"{shown} could not be read: {_first_line(exc)}") from exc


def _renamed(frame: pl.DataFrame, shown: str) -> pl.DataFrame:
    """Columns trimmed, lower-cased and without `<>`; two that then clash are refused."""
    names = [name.strip().strip("<>").strip().lower() for name in frame.columns]
    seen: dict[str, str] = {}
    for original, name in zip(frame.columns, names, strict=True):
        if name in seen:
            raise MarketDataError(
                f"{shown} has the columns {seen[name]!r} and {original!r}, the same name "
                "once case is ignored; keep one"
            )
        seen[name] = original
    return frame.rename(dict(zip(frame.columns, names, strict=True)))


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
