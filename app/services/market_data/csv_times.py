"""Bar times as UTC instants, from whatever a file writes.

Exports write local time: the exchange's, or a MetaTrader broker's server time, and
rarely say so. A value with an offset or "Z" is kept; a naive date and time is read in
the file's zone (its sidecar's, else CSV_TIMEZONE when set, else the zone of the
exchange of the file's instrument: `VOD.L` London, `7203.T` Tokyo), never as UTC. A date alone,
or a naive midnight in a daily file, is the platform's daily stamp: midnight UTC of that
date. Dates may be ISO, `2024.01.02` (MetaTrader), `02.01.2024` (European, day first) or
`20240102`; epoch seconds and milliseconds are UTC. `02/01/2024` stays refused: day or
month first cannot be told. At a DST fall-back the repeated hour is placed by file order;
a time the zone skips (spring-forward) is refused, since it means the zone is wrong.
"""

from __future__ import annotations

import polars as pl

from app.services.market_data.base import BAR_SCHEMA, MarketDataError
from app.services.market_data.csv_formats import Where

# Tried in order on each value after normalising the date to YYYY-MM-DD, a "T" to a
# space and "Z" to "+00:00" (chrono's %z does not read "Z"); the first that parses wins.
_WITH_OFFSET = ("%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%d %H:%M%:z")
_NAIVE = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M")
_DATE_ONLY = "%Y-%m-%d"
_EPOCH_SECONDS = r"^\d{9,10}(\.\d+)?$"
_EPOCH_MILLISECONDS = r"^\d{12,13}$"
_ACCEPTED = (
    "use ISO-8601 such as 2024-01-02 or 2024-01-02T14:30:00Z; also read: 2024.01.02 14:30 "
    "(MetaTrader), 02.01.2024, 20240102 and epoch seconds or milliseconds"
)


def parse_times(
    column: pl.Series, where: Where, *, zone: str, daily: bool
) -> tuple[pl.Series, bool]:
    """Each value of `column` as a UTC instant (module doc), and whether any was read in
    `zone` (a note may say so); 422 naming the lines that cannot be read."""
    if column.dtype == pl.Date:
        column = column.cast(pl.Datetime("us"))
    if isinstance(column.dtype, pl.Datetime):
        stamps = column.dt.cast_time_unit("us")
        if column.dtype.time_zone is not None:
            return stamps.dt.convert_time_zone("UTC"), False
        return _localize(stamps, where, zone, daily), _any_local(stamps, daily)
    text = column.cast(pl.String).str.strip_chars()
    frame = pl.DataFrame({"v": _normalised(text)})
    value = pl.col("v")
    epoch_us = (
        pl.when(value.str.contains(_EPOCH_SECONDS))
        .then((value.cast(pl.Float64, strict=False) * 1e6).round())
        .when(value.str.contains(_EPOCH_MILLISECONDS))
        .then(value.cast(pl.Float64, strict=False) * 1e3)
    )
    parsed = frame.select(
        aware=pl.coalesce(
            *[
                value.str.to_datetime(f, strict=False, time_unit="us", time_zone="UTC")
                for f in _WITH_OFFSET
            ],
            epoch_us.cast(pl.Int64).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
        ),
        naive=pl.coalesce(
            *[value.str.to_datetime(f, strict=False, time_unit="us") for f in _NAIVE]
        ),
        date=value.str.to_datetime(_DATE_ONLY, strict=False, time_unit="us"),
    )
    date_only = parsed["date"].is_not_null() & parsed["aware"].is_null() & parsed["naive"].is_null()
    if not daily and date_only.any():
        raise MarketDataError(
            f"{where.shown}: a date without a time of day in {where.rows(date_only)}; intraday "
            "files need a date and time in each row: one column (2024-01-02T14:30:00Z, "
            "2024-01-02 09:30) or separate Date and Time columns"
        )
    naive = parsed["naive"].zip_with(parsed["aware"].is_null(), _nulls(parsed["naive"]))
    stamps = parsed["aware"].fill_null(_localize(naive, where, zone, daily))
    stamps = stamps.fill_null(parsed["date"].dt.replace_time_zone("UTC"))
    bad = stamps.is_null()
    if bad.any():
        first = text[int(bad.arg_true()[0])]
        shown = "an empty value" if first in (None, "") else repr(first)
        raise MarketDataError(
            f"{where.shown}: unreadable timestamp in {where.rows(bad)} (first: {shown}); "
            f"{_ACCEPTED}. Day-first or month-first dates with '/' are ambiguous: rewrite "
            "them as 2024-01-02"
        )
    local = _any_local(naive, daily)
    return stamps.cast(BAR_SCHEMA["timestamp"]), local


def _any_local(naive: pl.Series, daily: bool) -> bool:
    """Whether a naive value is a wall-clock time (in a daily file: not a midnight)."""
    times = naive.drop_nulls()
    if daily:
        times = times.filter(times != times.dt.truncate("1d"))
    return not times.is_empty()


def _nulls(like: pl.Series) -> pl.Series:
    return pl.repeat(None, like.len(), dtype=like.dtype, eager=True)


def _normalised(text: pl.Series) -> pl.Series:
    """Dates as YYYY-MM-DD, "T" as a space, "Z" as "+00:00", hours with two digits."""
    return (
        text.str.replace(r"^(\d{4})[./](\d{1,2})[./](\d{1,2})", "${1}-${2}-${3}")
        .str.replace(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})", "${3}-${2}-${1}")
        .str.replace(r"^(\d{4})(\d{2})(\d{2})($|[ Tt])", "${1}-${2}-${3}${4}")
        .str.replace(r"^(\d{4}-\d{1,2}-\d{1,2})[Tt ]\s*(\d):", "${1} 0${2}:")
        .str.replace(r"^(\d{4}-\d{1,2}-\d{1,2})[Tt]", "${1} ")
        .str.replace(r"[Zz]$", "+00:00")
    )


def _localize(naive: pl.Series, where: Where, zone: str, daily: bool) -> pl.Series:
    """Naive wall-clock times of `zone` as UTC; in daily files a midnight is a date."""
    if daily:
        midnight = naive == naive.dt.truncate("1d")
        dates = naive.dt.replace_time_zone("UTC")
        is_date = midnight.fill_null(False)
        times = _in_zone(
            naive.zip_with(~is_date, _nulls(naive)),
            where,
            zone,
        )
        return dates.zip_with(is_date, times)
    return _in_zone(naive, where, zone)


def _in_zone(naive: pl.Series, where: Where, zone: str) -> pl.Series:
    if zone == "UTC":
        return naive.dt.replace_time_zone("UTC")
    earliest = naive.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    latest = naive.dt.replace_time_zone(zone, ambiguous="latest", non_existent="null")
    skipped = naive.is_not_null() & earliest.is_null()
    if skipped.any():
        first = naive.filter(skipped)[0]
        raise MarketDataError(
            f"{where.shown}: times that do not exist in {zone}, whose clocks skip them, in "
            f"{where.rows(skipped)} (first: {first:%Y-%m-%d %H:%M}); the file's times are "
            f'in another zone: declare it in {where.sidecar}, e.g. {{"timezone": "UTC"}}'
        )
    ambiguous = (earliest != latest).fill_null(False)
    if ambiguous.any():
        # The hour repeated when clocks go back: its first appearance in an oldest-first
        # file is the earlier instant, in a newest-first file the later one.
        present = naive.drop_nulls()
        newest_first = present.len() > 1 and present[0] > present[-1]
        first_seen = naive.is_first_distinct()
        take_latest = ambiguous & (first_seen if newest_first else ~first_seen)
        earliest = earliest.zip_with(~take_latest, latest)
    return earliest.dt.convert_time_zone("UTC")
