"""Data validation before training (the seed's *DataValidation*).

`validate_bars` answers "can a model be trained and judged on these bars?" with reasons
a trader understands: too few bars, bad or inconsistent values, duplicate or unordered
timestamps, notable gaps over `MAX_MISSING_SHARE` of the period. Normal closures (nights,
weekends, a lone weekday holiday, a half-day session's early end) are not gaps, or every
real series would look patchy. The rules for users: docs/MARKET_DATA.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import polars as pl

from app.core.clock import DEFAULT_TIMEZONE, SESSION_MINUTES
from app.services.market_data.base import BAR_SCHEMA, PRICE_COLUMNS, MarketDataError
from app.services.market_data.frequency import (
    Frequency,
    get_frequency,
    min_history_bars,
)

MIN_TEST_ROWS = 50
TEST_FRACTION = 0.15
MAX_MISSING_SHARE = 0.20
NOTABLE_MISSING_DAYS = 2
NOTABLE_INTRADAY_MINUTES = 30
MAX_REPORTED_GAPS = 20
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Gap:
    """Bars missing between two consecutive bars (`after` and `before`)."""

    after: datetime
    before: datetime
    missing_bars: int

    def describe(self) -> str:
        return (
            f"{self.missing_bars} bar{'s' if self.missing_bars != 1 else ''} missing "
            f"between {self.after:%Y-%m-%d %H:%M} and {self.before:%Y-%m-%d %H:%M} UTC"
        )


@dataclass
class ValidationReport:
    ok: bool
    reasons: list[str]
    rows: int
    needed_rows: int
    gaps: list[Gap] = field(default_factory=list)
    gap_count: int = 0
    missing_share: float = 0.0

    def summary(self) -> str:
        return " ".join(self.reasons) if self.reasons else "The data passed every check."

    def raise_if_failed(self) -> None:
        """A `MarketDataError` carrying the reasons (for a FAILED agent's reason)."""
        if not self.ok:
            raise MarketDataError(self.summary(), details={"reasons": self.reasons})


def validate_bars(
    bars: pl.DataFrame,
    frequency: str | Frequency,
    lookback: int,
    horizon_bars: int,
    min_test_rows: int = MIN_TEST_ROWS,
    *,
    test_fraction: float = TEST_FRACTION,
    warmup: int = 0,
) -> ValidationReport:
    """Check `bars` (the provider schema) for training an agent; see the module doc."""
    freq = frequency if isinstance(frequency, Frequency) else get_frequency(frequency)
    needed = min_history_bars(lookback, horizon_bars, min_test_rows, test_fraction, warmup)
    missing_columns = [c for c in BAR_SCHEMA if c not in bars.columns]
    if missing_columns:
        reason = f"The data lack the column(s) {', '.join(missing_columns)}."
        return ValidationReport(False, [reason], bars.height, needed)
    reasons: list[str] = []
    count_reason = _row_count(
        bars, freq, needed, lookback, horizon_bars, min_test_rows, test_fraction, warmup
    )
    if count_reason:
        reasons.append(count_reason)
    reasons += _value_problems(bars)
    order_reasons = _order_problems(bars)
    reasons += order_reasons
    report = ValidationReport(not reasons, reasons, bars.height, needed)
    if not order_reasons and bars.height > 1:
        _add_gaps(report, bars, freq)
    return report


def _row_count(
    bars: pl.DataFrame,
    freq: Frequency,
    needed: int,
    lookback: int,
    horizon: int,
    min_test_rows: int,
    test_fraction: float,
    warmup: int,
) -> str | None:
    if bars.height >= needed:
        return None
    span = ""
    if bars.height:
        first, last = bars["timestamp"].min(), bars["timestamp"].max()
        if isinstance(first, datetime) and isinstance(last, datetime):
            span = f" between {first:%Y-%m-%d} and {last:%Y-%m-%d}"
    samples = math.ceil(min_test_rows / test_fraction)
    warm = f"indicator warm-up {warmup} + " if warmup else ""
    return (
        f"Only {bars.height} {freq.name} bars were found{span}, but this agent needs at "
        f"least {needed}: {warm}look-back {lookback} + horizon {horizon} + {samples - 1} "
        f"more, so that the last {test_fraction:.0%} of the samples give {min_test_rows} "
        "test predictions to judge the model on. Choose an earlier start date, a shorter "
        "look-back or a finer bar frequency."
    )


def _value_problems(bars: pl.DataFrame) -> list[str]:
    prices = [pl.col(c) for c in PRICE_COLUMNS]
    checks = bars.select(
        missing=pl.any_horizontal([pl.col(c).is_null() for c in BAR_SCHEMA]),
        bad_price=pl.any_horizontal([p.is_nan() | p.is_infinite() | (p <= 0) for p in prices]),
        bad_volume=pl.col("volume").is_nan()
        | pl.col("volume").is_infinite()
        | (pl.col("volume") < 0),
        inconsistent=_inconsistent(),
        timestamp=pl.col("timestamp"),
    )
    found = []
    messages = {
        "missing": "{n} {has} missing prices or volume (first at {at}).",
        "bad_price": "{n} {has} a price that is zero, negative or not a number (first at {at}).",
        "bad_volume": "{n} {has} a negative or non-numeric volume (first at {at}).",
        "inconsistent": "{n} {is_} inconsistent: the high is below the open or close, or the "
        "low above them (first at {at}).",
    }
    for column, template in messages.items():
        mask = checks[column].fill_null(False)  # a null is reported once, as missing
        if mask.any():
            at = checks["timestamp"].filter(mask)[0]
            n = int(mask.sum())
            found.append(
                template.format(
                    n=f"{n} bar{'s' if n > 1 else ''}",
                    has="have" if n > 1 else "has",
                    is_="are" if n > 1 else "is",
                    at=_when(at),
                )
            )
    return found


def _inconsistent() -> pl.Expr:
    o, h, low, c = (pl.col(n) for n in PRICE_COLUMNS)
    slack = pl.max_horizontal(o.abs(), h.abs(), low.abs(), c.abs()) * _TOLERANCE
    return (
        (h < pl.max_horizontal(o, c) - slack)
        | (low > pl.min_horizontal(o, c) + slack)
        | (h < low - slack)
    )


def _order_problems(bars: pl.DataFrame) -> list[str]:
    stamps = bars["timestamp"]
    problems = []
    duplicated = stamps.is_duplicated()
    if duplicated.any():
        n = int(stamps.filter(duplicated).n_unique())
        first = stamps.filter(duplicated).min()
        shown = _when(first) if isinstance(first, datetime) else str(first)
        problems.append(
            f"{n} timestamp{'s' if n > 1 else ''} appear more than once "
            f"(first {shown}); each bar must be listed once."
        )
    elif stamps.null_count() == 0 and not stamps.is_sorted():
        problems.append("The bars are not in time order.")
    return problems


def _add_gaps(report: ValidationReport, bars: pl.DataFrame, freq: Frequency) -> None:
    stamps = bars["timestamp"].drop_nulls()
    missing = _missing_bars(stamps, freq)
    notable = missing >= _notable_threshold(freq)
    if not notable.any():
        return
    positions = np.flatnonzero(notable)
    values = stamps.to_list()
    gaps = [Gap(values[i], values[i + 1], int(missing[i])) for i in positions]
    total_missing = int(missing[positions].sum())
    share = total_missing / (bars.height + total_missing)
    largest = sorted(gaps, key=lambda g: g.missing_bars, reverse=True)[:MAX_REPORTED_GAPS]
    report.gaps = sorted(largest, key=lambda g: g.after)
    report.gap_count = len(gaps)
    report.missing_share = share
    if share > MAX_MISSING_SHARE:
        worst = largest[0]
        report.reasons.append(
            f"Large parts of the history are missing: {len(gaps)} gap"
            f"{'s' if len(gaps) > 1 else ''} hold {share:.0%} of the bars the period should "
            f"have (more than {MAX_MISSING_SHARE:.0%}); the largest: {worst.describe()}."
        )
        report.ok = False


def _notable_threshold(freq: Frequency) -> int:
    if freq.minutes is not None:
        return max(2, math.ceil(NOTABLE_INTRADAY_MINUTES / freq.minutes))
    return 1 if freq.days and freq.days > 1 else NOTABLE_MISSING_DAYS


def _missing_bars(stamps: pl.Series, freq: Frequency) -> np.ndarray:
    """For each consecutive pair, the bars of the calendar missing between them
    (0 where a gap is a normal closure)."""
    # Daily and weekly bars are stamped at 00:00 UTC of their date; intraday bars
    # belong to the New York session date.
    local = stamps.dt.convert_time_zone(DEFAULT_TIMEZONE)
    days = (local if freq.minutes is not None else stamps).dt.date().to_numpy()
    days = days.astype("datetime64[D]")
    between = np.busday_count(days[:-1] + 1, days[1:])
    if freq.minutes is None:
        if freq.days and freq.days > 1:  # weekly: whole weeks skipped
            weeks = (days[1:] - days[:-1]).astype(np.int64) // 7
            return np.maximum(weeks - 1, 0)
        return np.where(between >= NOTABLE_MISSING_DAYS, between, 0)
    minute = (local.dt.hour().cast(pl.Int32) * 60 + local.dt.minute().cast(pl.Int32)).to_numpy()
    slot = (minute - (9 * 60 + 30)) // freq.minutes
    same_day = days[1:] == days[:-1]
    inside = np.where(same_day, slot[1:] - slot[:-1] - 1, 0)
    per_session = math.ceil(SESSION_MINUTES / freq.minutes)
    # Across days only whole sessions count: half-days end early by design.
    across = np.where(~same_day & (between >= NOTABLE_MISSING_DAYS), between * per_session, 0)
    threshold = _notable_threshold(freq)
    return np.where(inside >= threshold, inside, 0) + np.where(across >= threshold, across, 0)


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "an unknown time"
    if moment.hour == 0 and moment.minute == 0:
        return f"{moment:%Y-%m-%d}"
    return f"{moment:%Y-%m-%d %H:%M} UTC"
