"""Historical bars from files: `DATA_DIR/<frequency>/<SYMBOL>.csv` or `.parquet`.

The seed's "file system for historical CSV data". Column names are matched loosely so a
common vendor export (`Date,Open,High,Low,Close,Adj Close,Volume`) loads as it is, but a
file the platform cannot trust is refused, naming the problem and, for a bad value, its
line. `Adj Close` is ignored: agents train on traded prices. Formats: docs/MARKET_DATA.md.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from app.services.market_data.base import (
    BAR_SCHEMA,
    MarketDataError,
    check_range,
    empty_bars,
    finalize_bars,
    normalize_symbol,
)
from app.services.market_data.frequency import get_frequency

TIME_COLUMNS: tuple[str, ...] = ("timestamp", "datetime", "date")
VALUE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "volume")
# Tried in order on each value; the first that parses wins. A "T" separator and a "Z"
# suffix are normalised first, as chrono's %z does not read "Z".
_WITH_OFFSET = ("%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%d %H:%M%:z")
_NAIVE = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M")
_DATE_ONLY = "%Y-%m-%d"
_SHOWN_ROWS = 5


class CsvProvider:
    """Reads bar files under `data_dir`; parsing runs in a thread."""

    name = "csv"

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)

    async def fetch_bars(
        self, symbol: str, frequency: str, start: datetime, end: datetime
    ) -> pl.DataFrame:
        return await asyncio.to_thread(self.read_bars, symbol, frequency, start, end)

    def read_bars(
        self, symbol: str, frequency: str, start: datetime, end: datetime
    ) -> pl.DataFrame:
        freq = get_frequency(frequency)
        start_utc, end_utc = check_range(start, end)
        path, shown = self.locate(normalize_symbol(symbol), freq.name)
        frame = load_bar_file(path, shown, dates_allowed=not freq.intraday)
        return finalize_bars(frame, start_utc, end_utc) if frame.height else empty_bars()

    def locate(self, symbol: str, frequency: str) -> tuple[Path, str]:
        """The file to read and its name relative to DATA_DIR (for messages)."""
        for suffix in (".csv", ".parquet"):
            relative = f"{frequency}/{symbol}{suffix}"
            path = self.data_dir / frequency / f"{symbol}{suffix}"
            if path.is_file():
                return path, relative
        raise MarketDataError(
            f"no {frequency} data for {symbol}: expected the file {frequency}/{symbol}.csv "
            f"(or {frequency}/{symbol}.parquet) under DATA_DIR"
        )


@dataclass(frozen=True)
class _Where:
    """How messages point into a file: lines of a CSV (header = line 1), rows of parquet."""

    shown: str
    csv: bool

    def rows(self, mask: pl.Series) -> str:
        """ "line 7" / "lines 7, 9, 12 and 40 more"."""
        offset, word = (2, "line") if self.csv else (1, "row")
        numbers = [int(i) + offset for i in mask.arg_true().to_list()]
        head = ", ".join(str(n) for n in numbers[:_SHOWN_ROWS])
        more = f" and {len(numbers) - _SHOWN_ROWS} more" if len(numbers) > _SHOWN_ROWS else ""
        return f"{word}{'s' if len(numbers) > 1 else ''} {head}{more}"


def load_bar_file(path: Path, shown: str, *, dates_allowed: bool) -> pl.DataFrame:
    """The bars of one file in the contract's schema (checked, in the file's order)."""
    where = _Where(shown, csv=path.suffix != ".parquet")
    raw = _read_raw(path, shown)
    columns = _match_columns(raw, shown)
    raw = raw.select([pl.col(original).alias(name) for name, original in columns.items()])
    if raw.is_empty():
        return empty_bars()
    timestamps = _parse_times(raw["timestamp"], where, dates_allowed)
    values = {name: _parse_numbers(raw[name], name, where) for name in VALUE_COLUMNS}
    frame = pl.DataFrame({"timestamp": timestamps, **values})
    _refuse_duplicates(frame, where)
    return frame


def _read_raw(path: Path, shown: str) -> pl.DataFrame:
    try:
        if path.suffix == ".parquet":
            return pl.read_parquet(path)
        # Everything as text: each value is then parsed with a message naming its row.
        return pl.read_csv(path, infer_schema=False, truncate_ragged_lines=False)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise MarketDataError(f"{shown} could not be read: {_first_line(exc)}") from exc


def _match_columns(raw: pl.DataFrame, shown: str) -> dict[str, str]:
    """Our column name -> the file's, matched case-insensitively."""
    by_lower = {name.strip().lower(): name for name in raw.columns}
    found: dict[str, str] = {}
    time_column = next((by_lower[c] for c in TIME_COLUMNS if c in by_lower), None)
    missing = [] if time_column else ["timestamp (or date/datetime)"]
    if time_column:
        found["timestamp"] = time_column
    for name in VALUE_COLUMNS:
        if name in by_lower:
            found[name] = by_lower[name]
        else:
            missing.append(name)
    if missing:
        raise MarketDataError(
            f"{shown} lacks the column(s) {', '.join(missing)}; its header has "
            f"{', '.join(raw.columns) or 'no columns'} "
            "(expected timestamp,open,high,low,close,volume, in any case)"
        )
    return found


def _parse_times(column: pl.Series, where: _Where, dates_allowed: bool) -> pl.Series:
    if column.dtype == pl.Date:
        column = column.cast(pl.Datetime("us"))
    if isinstance(column.dtype, pl.Datetime):
        stamps = column.dt.cast_time_unit("us")
        if column.dtype.time_zone is None:
            return stamps.dt.replace_time_zone("UTC")
        return stamps.dt.convert_time_zone("UTC")
    text = column.cast(pl.String).str.strip_chars()
    normalised = text.str.replace(r"^(\d{4}-\d{2}-\d{2})[Tt]", "${1} ").str.replace(
        r"[Zz]$", "+00:00"
    )
    frame = pl.DataFrame({"v": normalised})
    parsed = frame.select(
        pl.coalesce(
            *[
                pl.col("v").str.to_datetime(f, strict=False, time_unit="us", time_zone="UTC")
                for f in _WITH_OFFSET
            ],
            *[
                pl.col("v")
                .str.to_datetime(f, strict=False, time_unit="us")
                .dt.replace_time_zone("UTC")
                for f in _NAIVE
            ],
        )
    ).to_series()
    dates = frame.select(
        pl.col("v").str.to_datetime(_DATE_ONLY, strict=False, time_unit="us", time_zone="UTC")
    ).to_series()
    if not dates_allowed and dates.is_not_null().any():
        rows = where.rows(dates.is_not_null() & parsed.is_null())
        raise MarketDataError(
            f"{where.shown}: a date without a time of day in {rows}; intraday files need "
            "a date and time (e.g. 2024-01-02T14:30:00Z)"
        )
    stamps = parsed.fill_null(dates)
    bad = stamps.is_null()
    if bad.any():
        index = int(bad.arg_true()[0])
        raise MarketDataError(
            f"{where.shown}: unreadable timestamp in {where.rows(bad)} "
            f"(first: {text[index]!r}); use ISO-8601 such as 2024-01-02 or "
            "2024-01-02T14:30:00Z"
        )
    return stamps.cast(BAR_SCHEMA["timestamp"])


def _parse_numbers(column: pl.Series, name: str, where: _Where) -> pl.Series:
    if column.dtype.is_numeric():
        values = column.cast(pl.Float64)
        text = column.cast(pl.String)
    else:
        text = column.cast(pl.String).str.strip_chars()
        values = text.cast(pl.Float64, strict=False)
    bad = values.is_null()
    if bad.any():
        index = int(bad.arg_true()[0])
        shown_value = "an empty value" if text[index] in (None, "") else repr(text[index])
        raise MarketDataError(
            f"{where.shown}: column {name!r} is not a number in {where.rows(bad)} "
            f"(first: {shown_value})"
        )
    return values


def _refuse_duplicates(frame: pl.DataFrame, where: _Where) -> None:
    duplicated = frame["timestamp"].is_duplicated()
    if duplicated.any():
        first = frame["timestamp"].filter(duplicated)[0]
        raise MarketDataError(
            f"{where.shown}: the timestamp {first.isoformat()} appears more than once "
            f"({where.rows(duplicated)}); each bar must be listed once"
        )


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
