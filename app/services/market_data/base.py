"""The market-data contract: one provider interface, its errors, the bar schema and
the registry that picks a provider by an agent's `data_source`.

Every provider answers `fetch_bars` in `BAR_SCHEMA` (UTC timestamps of bar starts,
sorted, unique, within [start, end]). The errors tell callers what to do:
`MarketDataError` (bad or absent data) is never retried, `MarketDataUnavailable` (vendor
down) is, and `DataSourceNotConfigured` is raised at agent creation, before any job is
queued. For users: docs/MARKET_DATA.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import polars as pl

from app.errors import ServiceUnavailable, Unprocessable

if TYPE_CHECKING:
    import httpx

    from app.config import Settings
    from app.core.calendars import TradingCalendar

DATA_SOURCES: tuple[str, ...] = ("synthetic", "csv", "refinitiv", "bloomberg", "sample")
PRICE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close")
BAR_SCHEMA: dict[str, pl.DataType] = {
    "timestamp": pl.Datetime("us", "UTC"),
    "open": pl.Float64(),
    "high": pl.Float64(),
    "low": pl.Float64(),
    "close": pl.Float64(),
    "volume": pl.Float64(),
}
# Tickers, RICs ("AAPL.O", "BRK.B"), Bloomberg securities ("IBM US Equity"), indices
# ("^GSPC", ".SPX"): letters, digits and a few separators only, which also keeps a
# symbol from ever naming a path outside DATA_DIR.
_SYMBOL = re.compile(r"^[A-Za-z0-9^][A-Za-z0-9.\-_=^ ]{0,39}$")


class MarketDataError(Unprocessable):
    """Bad or missing data (unknown symbol, malformed file, empty history): not retried."""

    code = "market_data_error"
    message = "The market data could not be used."


class DataSourceNotConfigured(MarketDataError):
    """The data source needs settings or a package this deployment lacks."""

    code = "data_source_not_configured"
    message = "The data source is not configured."


def not_configured(message: str) -> DataSourceNotConfigured:
    """The 422 for an unusable source, pointing at the request's `data_source` field."""
    return DataSourceNotConfigured(
        message,
        details=[{"loc": ["data_source"], "msg": message, "type": "data_source_not_configured"}],
    )


class MarketDataUnavailable(ServiceUnavailable):
    """The vendor failed transiently (5xx, 429, timeouts) after our retries: retry later."""

    code = "market_data_unavailable"
    message = "The market-data vendor is unavailable; retry shortly."


@runtime_checkable
class MarketDataProvider(Protocol):
    """What every data source implements."""

    name: str

    async def fetch_bars(
        self, symbol: str, frequency: str, start: datetime, end: datetime
    ) -> pl.DataFrame:
        """Bars of `symbol` at `frequency` whose start lies in [start, end] (UTC)."""
        ...


def normalize_symbol(symbol: str) -> str:
    """Upper-cased, trimmed symbol; 422 for anything that is not a plausible ticker."""
    cleaned = str(symbol).strip()
    if not _SYMBOL.match(cleaned):
        raise Unprocessable.field(
            ["symbol"],
            f"invalid symbol {symbol!r}: use a ticker such as 'AAPL' or a vendor code "
            "such as 'AAPL.O' (letters, digits, '.', '-', '_', '^', '=')",
        )
    return cleaned.upper()


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def check_range(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """Both ends in UTC; 422 when the range is empty."""
    start_utc, end_utc = as_utc(start), as_utc(end)
    if start_utc > end_utc:
        raise Unprocessable.field(
            ["start_date"], f"start {start_utc.isoformat()} is after end {end_utc.isoformat()}"
        )
    return start_utc, end_utc


def empty_bars() -> pl.DataFrame:
    return pl.DataFrame(schema=BAR_SCHEMA)


def finalize_bars(frame: pl.DataFrame, start: datetime, end: datetime) -> pl.DataFrame:
    """The contract's shape: schema cast, range filter, sorted, last duplicate kept.

    Providers whose source may repeat a bar (a vendor page boundary) rely on the
    de-duplication; sources that must not (a user's file) check before calling this.
    """
    if frame.is_empty():
        return empty_bars()
    start_utc, end_utc = as_utc(start), as_utc(end)
    return (
        frame.select(
            pl.col("timestamp").cast(BAR_SCHEMA["timestamp"]),
            *[pl.col(name).cast(pl.Float64) for name in (*PRICE_COLUMNS, "volume")],
        )
        .filter(pl.col("timestamp").is_between(start_utc, end_utc, closed="both"))
        .unique(subset="timestamp", keep="last")
        .sort("timestamp")
    )


def regular_session_only(
    frame: pl.DataFrame, calendar: TradingCalendar | None = None
) -> pl.DataFrame:
    """Intraday bars that start within one of the exchange's sessions (outside a lunch
    break): `calendar`'s, New York's 09:30-16:00 by default, a half-day's early close
    and holidays included.

    Vendors may include pre- and post-market trading; the platform's intraday bars
    (and its horizons in trading time) are those of the regular session.
    """
    from app.services.market_data.frequency import in_sessions

    if frame.is_empty():
        return frame
    return frame.filter(in_sessions(frame["timestamp"], calendar))


# -- the registry ----------------------------------------------------------------------


def data_warnings(data_source: str, symbol: str) -> list[str]:
    """What every agent and prediction on `data_source` must say about its data: the
    one place the synthetic-data warning is written (agents and /predict use it)."""
    if data_source != "synthetic":
        return []
    return [
        f"Synthetic data: {symbol}'s bars are generated offline by the platform's "
        "built-in provider (a random walk with a weak planted momentum), not real market "
        "prices, so its forecasts and signals say nothing about the market; use them to "
        "try the product, never to trade."
    ]


def source_notes(provider: MarketDataProvider, symbol: str, frequency: str) -> list[str]:
    """What the source said about the data it last gave for `symbol` (a file's price
    adjustment, its assumed zone, a missing volume); vendors say nothing."""
    notes = getattr(provider, "data_notes", None)
    return list(notes(symbol, frequency)) if callable(notes) else []


def ensure_configured(data_source: str, settings: Settings) -> None:
    """Raise the 422 an agent creation should answer when `data_source` cannot work here.

    Unknown names are refused with the list of known ones; vendor sources check their
    credentials (and, for Bloomberg and the sample data, the optional package).
    """
    name = _known(data_source)
    checker = _CHECKS.get(name)
    if checker is not None:
        checker(settings)


def ensure_available(data_source: str, code: str, frequency: str, settings: Settings) -> None:
    """Raise the 422 an agent creation should answer when the source cannot hold the
    series at all: a `csv` agent whose file is not on the server fails now, naming
    the path and the layout, not minutes later at FETCHING_DATA."""
    if _known(data_source) != "csv":
        return
    from app.services.market_data.csv_files import CsvProvider

    try:
        CsvProvider.from_settings(settings).locate(code, frequency)
    except MarketDataError as exc:
        raise Unprocessable.field(
            ["symbol"],
            f"{exc}; put the file there first: a header row "
            "(Date,Open,High,Low,Close,Volume; Yahoo, MetaTrader, semicolon or tab "
            "exports load too), one bar per row, oldest first",
        ) from None


def get_provider(
    data_source: str, settings: Settings, http_client: httpx.AsyncClient | None = None
) -> MarketDataProvider:
    """The provider for `data_source`, configured from `settings`.

    `http_client` is shared by HTTP vendors (the app's lifespan owns it); without one
    they open their own per request. A Refinitiv provider keeps its OAuth token, so
    hold on to the returned object to reuse it across calls.
    """
    name = _known(data_source)
    ensure_configured(name, settings)
    if name == "synthetic":
        from app.services.market_data.synthetic import SyntheticProvider

        return SyntheticProvider(settings.synthetic_signal)
    if name == "csv":
        from app.services.market_data.csv_files import CsvProvider

        return CsvProvider.from_settings(settings)
    if name == "refinitiv":
        from app.services.market_data.refinitiv import RefinitivProvider

        return RefinitivProvider.from_settings(settings, http_client=http_client)
    if name == "bloomberg":
        from app.services.market_data.bloomberg import BloombergProvider

        return BloombergProvider.from_settings(settings)
    from app.services.market_data.sample import SampleProvider

    return SampleProvider()


def _known(data_source: str) -> str:
    name = str(data_source).strip().lower()
    if name not in DATA_SOURCES:
        allowed = ", ".join(DATA_SOURCES)
        raise Unprocessable.field(
            ["data_source"], f"unknown data source {data_source!r}; allowed: {allowed}"
        )
    return name


def _check_refinitiv(settings: Settings) -> None:
    from app.services.market_data.refinitiv import ensure_refinitiv_configured

    ensure_refinitiv_configured(settings)


def _check_bloomberg(settings: Settings) -> None:
    from app.services.market_data.bloomberg import ensure_bloomberg_configured

    ensure_bloomberg_configured(settings)


def _check_sample(settings: Settings) -> None:
    from app.services.market_data.sample import ensure_sample_available

    ensure_sample_available()


_CHECKS: dict[str, Callable[[Any], None]] = {
    "refinitiv": _check_refinitiv,
    "bloomberg": _check_bloomberg,
    "sample": _check_sample,
}


def resample_bars(
    frame: pl.DataFrame,
    every: str,
    offset: str | None,
    *,
    calendar: TradingCalendar | None = None,
) -> pl.DataFrame:
    """Coarser bars from finer ones, on a grid that starts at the session open.

    Without `calendar`: New York's 09:30 open, which is 13:30 or 14:30 UTC, so a
    15-minute grid from midnight and an hourly grid offset by 30 minutes both start
    exactly at the open. With one: each session's own grid from its open (and from the
    end of a lunch break), the last bar cut at the close (`frequency.grid_starts`);
    `offset` is then unused and bars outside every session are dropped.
    """
    aggregates = (
        pl.col("open").first(),
        pl.col("high").max(),
        pl.col("low").min(),
        pl.col("close").last(),
        pl.col("volume").sum(),
    )
    if calendar is not None:
        from app.services.market_data.frequency import grid_starts

        ordered = frame.sort("timestamp")
        minutes = _every_minutes(every)
        slots = grid_starts(ordered["timestamp"], minutes, calendar)
        return (
            ordered.with_columns(slots.alias("_slot"))
            .filter(pl.col("_slot").is_not_null())
            .group_by("_slot", maintain_order=True)
            .agg(*aggregates)
            .rename({"_slot": "timestamp"})
        )
    return (
        frame.sort("timestamp")
        .group_by_dynamic("timestamp", every=every, offset=offset, closed="left", label="left")
        .agg(*aggregates)
    )


def _every_minutes(every: str) -> int:
    match = re.fullmatch(r"(\d+)(m|h)", every.strip())
    if match is None:
        raise ValueError(f"an intraday bar length such as '30m' or '1h', not {every!r}")
    return int(match[1]) * (60 if match[2] == "h" else 1)
