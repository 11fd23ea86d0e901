"""Historical bars from files: `DATA_DIR/<frequency>/<SYMBOL>.csv` or `.parquet`.

The seed's "file system for historical CSV data", read as traders export it: the
platform's own CSV, Yahoo Finance, MetaTrader 4 and 5, `;` or tab separated, separate
date and time columns, epoch times, no volume for FX (layouts: csv_formats; times:
csv_times). Yahoo's `Adj Close` adjusts prices for splits and dividends unless
CSV_ADJUST_PRICES (or the file's sidecar) says otherwise. What the trader should know
about a file's data is kept as notes (`CsvProvider.data_notes`); a file the platform
cannot trust is refused, naming the problem, its line and how to fix it. Formats:
docs/MARKET_DATA.md.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from app.core.calendars import calendar_of
from app.core.clock import DEFAULT_TIMEZONE
from app.services.market_data.base import (
    MarketDataError,
    check_range,
    empty_bars,
    finalize_bars,
    normalize_symbol,
)
from app.services.market_data.csv_formats import Table, Where, check_zone, read_sidecar, read_table
from app.services.market_data.csv_times import parse_times
from app.services.market_data.frequency import get_frequency

if TYPE_CHECKING:
    from app.config import Settings

# Our name -> the names a file may use (after trimming, lower-casing, removing `<>`).
TIME_COLUMNS: tuple[str, ...] = ("timestamp", "datetime", "date", "time")
PRICE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close")
VOLUME_COLUMNS: tuple[str, ...] = ("volume", "vol")
TICK_VOLUME_COLUMNS: tuple[str, ...] = ("tickvol", "tick_volume", "tick volume", "tickvolume")
ADJ_CLOSE_COLUMNS: tuple[str, ...] = (
    "adj close",
    "adj_close",
    "adjclose",
    "adjusted close",
    "adjusted_close",
)
EXPECTED = (
    "expected a header with timestamp (or date and time), open, high, low, close and, "
    "optionally, volume, in any case; accepted exports are listed in docs/MARKET_DATA.md"
)


@dataclass(frozen=True)
class BarFile:
    """One file's bars in the contract's schema (file order) and what to tell the trader."""

    bars: pl.DataFrame
    notes: tuple[str, ...] = ()


class CsvProvider:
    """Reads bar files under `data_dir`; parsing runs in a thread.

    `timezone` is the zone of naive times in files without a sidecar (CSV_TIMEZONE,
    when it is set); None reads them in the zone of the file's instrument's exchange
    (`VOD.L`: Europe/London, `7203.T`: Asia/Tokyo, a plain ticker: New York).
    `adjust_prices` says whether files with an `Adj Close` column are adjusted.
    """

    name = "csv"

    def __init__(
        self,
        data_dir: Path,
        *,
        timezone: str | None = None,
        adjust_prices: bool = True,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.timezone = None if timezone is None else check_zone(timezone, "CSV_TIMEZONE")
        self.adjust_prices = adjust_prices
        self._notes: dict[tuple[str, str], tuple[str, ...]] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> CsvProvider:
        # Unset, each file is read in its exchange's zone.
        return cls(
            settings.data_dir,
            timezone=settings.csv_timezone,
            adjust_prices=settings.csv_adjust_prices,
        )

    async def fetch_bars(
        self, symbol: str, frequency: str, start: datetime, end: datetime
    ) -> pl.DataFrame:
        return await asyncio.to_thread(self.read_bars, symbol, frequency, start, end)

    def read_bars(
        self, symbol: str, frequency: str, start: datetime, end: datetime
    ) -> pl.DataFrame:
        freq = get_frequency(frequency)
        start_utc, end_utc = check_range(start, end)
        key = (normalize_symbol(symbol), freq.name)
        path, shown = self.locate(*key)
        loaded = load_bar_file(
            path,
            shown,
            dates_allowed=not freq.intraday,
            timezone=self.timezone or calendar_of(key[0]).zone_name,
            zone_declared=self.timezone is not None,
            adjust_prices=self.adjust_prices,
        )
        self._notes[key] = loaded.notes
        frame = loaded.bars
        return finalize_bars(frame, start_utc, end_utc) if frame.height else empty_bars()

    def data_notes(self, symbol: str, frequency: str) -> list[str]:
        """What the trader should be told about the file last read for `symbol` at
        `frequency` (adjusted prices, no volume, assumed zone); empty before a read."""
        key = (normalize_symbol(symbol), get_frequency(frequency).name)
        return list(self._notes.get(key, ()))

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


def load_bar_file(
    path: Path,
    shown: str,
    *,
    dates_allowed: bool,
    timezone: str = DEFAULT_TIMEZONE,
    adjust_prices: bool = True,
    zone_declared: bool = True,
) -> BarFile:
    """The bars of one file in the contract's schema (checked, in the file's order).

    The file's sidecar `<file>.json` overrides `timezone` and `adjust_prices`;
    `zone_declared` False says `timezone` is the instrument's exchange zone, not
    CSV_TIMEZONE (for the notes).
    """
    table = read_table(path, shown)
    where = table.where
    options = read_sidecar(path, where)
    zone = options.timezone or timezone
    adjust = adjust_prices if options.adjust_prices is None else options.adjust_prices
    times = _time_column(table)
    if table.frame.is_empty():
        return BarFile(empty_bars())
    stamps, local = parse_times(times, where, zone=zone, daily=dates_allowed)
    number = table.decimal_comma
    prices = {
        name: _parse_numbers(table.frame[name], name, where, number) for name in PRICE_COLUMNS
    }
    volume, notes = _volume(table)
    adj_close = _first_present(table.frame, ADJ_CLOSE_COLUMNS)
    if adj_close is not None and adjust:
        factor = _adjustment(
            _parse_numbers(table.frame[adj_close], "adj close", where, number), prices["close"]
        )
        prices = {name: values * factor for name, values in prices.items()}
        volume = volume / factor
        notes.insert(
            0,
            f"{shown}: prices are adjusted for splits and dividends (scaled by Adj Close / "
            "Close, volume by the inverse); set CSV_ADJUST_PRICES=false, or "
            f'{{"adjust_prices": false}} in {where.sidecar}, to use traded prices.',
        )
    if local and table.layout.startswith("MetaTrader") and options.timezone is None:
        source = "CSV_TIMEZONE" if zone_declared else "the zone of its instrument's exchange"
        notes.append(
            f"{shown}: MetaTrader writes the broker's server time; it was read as {zone} "
            f"({source}). If the broker's server runs on another zone, declare it in "
            f'{where.sidecar}, e.g. {{"timezone": "Europe/Athens"}}.'
        )
    frame = pl.DataFrame({"timestamp": stamps, **prices, "volume": volume})
    _refuse_duplicates(frame, where)
    return BarFile(frame, tuple(notes))


def _first_present(frame: pl.DataFrame, names: tuple[str, ...]) -> str | None:
    return next((name for name in names if name in frame.columns), None)


def _time_column(table: Table) -> pl.Series:
    """The file's time values: one column, or its Date and Time columns joined."""
    frame = table.frame
    missing = [name for name in PRICE_COLUMNS if name not in frame.columns]
    time = _first_present(frame, TIME_COLUMNS)
    if time is None:
        missing.insert(0, "timestamp (or date/datetime)")
    if missing:
        hint = ""
        if len(frame.columns) == 1:
            hint = " The header reads as one column: separate columns with ',', ';' or a tab."
        raise MarketDataError(
            f"{table.where.shown} lacks the column(s) {', '.join(missing)}; "
            f"{table.describe()} ({EXPECTED}).{hint}"
        )
    assert time is not None
    column = frame[time]
    if time == "date" and "time" in frame.columns and not isinstance(column.dtype, pl.Datetime):
        joined = pl.concat_str(
            [pl.col("date").cast(pl.String), pl.col("time").cast(pl.String)],
            separator=" ",
            ignore_nulls=True,
        )
        column = frame.select(joined.str.strip_chars()).to_series()
    return column


def _volume(table: Table) -> tuple[pl.Series, list[str]]:
    """Traded volume; MetaTrader's tick volume where there is none; 0 for FX files."""
    frame, where, shown = table.frame, table.where, table.where.shown
    number = table.decimal_comma
    real = _first_present(frame, VOLUME_COLUMNS)
    tick = _first_present(frame, TICK_VOLUME_COLUMNS)
    if real is not None:
        volume = _parse_numbers(frame[real], "volume", where, number)
        if tick is None or (volume != 0).any():
            return volume, _zero_volume_note(volume, shown)
    if tick is not None:
        volume = _parse_numbers(frame[tick], "tick volume", where, number)
        note = (
            f"{shown}: volume is MetaTrader's tick volume (price changes per bar), not "
            "traded volume."
        )
        return volume, [note, *_zero_volume_note(volume, shown)]
    no_volume = (
        f"{shown} has no volume column (usual for FX): volume is 0, so volume features "
        "(OBV, VWAP) carry no information."
    )
    return pl.Series("volume", [0.0] * frame.height, dtype=pl.Float64), [no_volume]


def _zero_volume_note(volume: pl.Series, shown: str) -> list[str]:
    if volume.len() and (volume == 0).all():
        return [f"{shown}: every volume is 0, so volume features (OBV, VWAP) carry no information."]
    return []


def _adjustment(adj_close: pl.Series, close: pl.Series) -> pl.Series:
    """Adj Close / Close per row; 1 where Close is not positive (validation names it)."""
    factor = adj_close / close
    return factor.zip_with(close > 0, pl.Series([1.0] * close.len()))


def _parse_numbers(column: pl.Series, name: str, where: Where, decimal_comma: bool) -> pl.Series:
    if column.dtype.is_numeric():
        values = column.cast(pl.Float64)
        text = column.cast(pl.String)
    else:
        text = column.cast(pl.String).str.strip_chars()
        readable = text
        if decimal_comma:
            # "1.234,5" and "1,2345": dots group thousands, the comma marks decimals.
            readable = text.zip_with(
                ~text.str.contains(",").fill_null(False),
                text.str.replace_all(r"[.\s]", "").str.replace(",", ".", literal=True),
            )
        values = readable.cast(pl.Float64, strict=False)
    bad = values.is_null()
    if bad.any():
        index = int(bad.arg_true()[0])
        shown_value = "an empty value" if text[index] in (None, "") else repr(text[index])
        raise MarketDataError(
            f"{where.shown}: column {name!r} is not a number in {where.rows(bad)} "
            f"(first: {shown_value})"
        )
    return values


def _refuse_duplicates(frame: pl.DataFrame, where: Where) -> None:
    duplicated = frame["timestamp"].is_duplicated()
    if duplicated.any():
        first = frame["timestamp"].filter(duplicated)[0]
        raise MarketDataError(
            f"{where.shown}: the timestamp {first.isoformat()} appears more than once "
            f"({where.rows(duplicated)}); each bar must be listed once"
        )
