"""Data validation before training (the seed's *DataValidation*).

`validate_bars` answers "can a model be trained and judged on these bars?" with reasons
a trader understands: too few bars, bad or inconsistent values, duplicate or unordered
timestamps, notable gaps over `MAX_MISSING_SHARE` of the period. Normal closures (nights,
weekends, a lone weekday holiday, a half-day session's early end) are not gaps, or every
real series would look patchy.

Data that can be trained on but probably misleads a model gets warnings instead
(`ValidationReport.warnings`, shown on the agent as `data_warnings`): split-sized jumps,
stale runs of identical prices, intraday bars outside the session, daily bars on a
weekend, and the gap report as a sentence. Each says how many, shows examples and names
the fix. The rules for users: docs/MARKET_DATA.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from app.core.calendars import TradingCalendar, new_york
from app.services.market_data.base import BAR_SCHEMA, PRICE_COLUMNS, MarketDataError
from app.services.market_data.frequency import (
    Frequency,
    get_frequency,
    in_sessions,
    min_history_bars,
    session_grid,
)

MIN_TEST_ROWS = 50
TEST_FRACTION = 0.15
MAX_MISSING_SHARE = 0.20
NOTABLE_MISSING_DAYS = 2
NOTABLE_INTRADAY_MINUTES = 30
MAX_REPORTED_GAPS = 20
_TOLERANCE = 1e-9

# Split-sized jumps: a bar's open or close against the previous close, within
# SPLIT_TOLERANCE of a split ratio (num-for-den: the price divides by num/den; reverse
# splits multiply by it), with no matching move in the market. Validation sees no market
# index, so that is judged from the series itself: the jump is at least
# SPLIT_MOVE_MULTIPLE times its median absolute close-to-close move, and the jump bar
# draws no heavy trading (volume at most SPLIT_VOLUME_MULTIPLE times the median of the
# SPLIT_VOLUME_WINDOW bars before, times the ratio for a split, whose shares multiply).
# A genuine crash on news trades many times its usual volume; a split does not.
SPLIT_RATIOS: tuple[tuple[int, int], ...] = (
    (2, 1),
    (3, 1),
    (4, 1),
    (5, 1),
    (8, 1),
    (10, 1),
    (20, 1),
)
SPLIT_TOLERANCE = 0.04
SPLIT_MOVE_MULTIPLE = 10.0
SPLIT_VOLUME_MULTIPLE = 4.0
SPLIT_VOLUME_WINDOW = 20
# Stale runs: this many bars in a row with the same open, high, low and close (intraday:
# also at least STALE_INTRADAY_MINUTES of them, so a quiet minute or two is not a run).
STALE_RUN_BARS = 5
STALE_INTRADAY_MINUTES = 60
MAX_EXAMPLES = 3
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


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
    # Trainable but suspicious data, in words that name the fix (module doc).
    warnings: list[str] = field(default_factory=list)

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
    calendar: TradingCalendar | None = None,
) -> ValidationReport:
    """Check `bars` (the provider schema) for training an agent; see the module doc.

    Sessions, holidays, half-days and lunch breaks are `calendar`'s (New York's by
    default; `calendars.calendar_of(symbol)` gives an instrument's)."""
    freq = frequency if isinstance(frequency, Frequency) else get_frequency(frequency)
    cal = calendar if calendar is not None else new_york()
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
    value_reasons = _value_problems(bars)
    reasons += value_reasons
    order_reasons = _order_problems(bars)
    reasons += order_reasons
    report = ValidationReport(not reasons, reasons, bars.height, needed)
    if not order_reasons and bars.height > 1:
        _add_gaps(report, bars, freq, cal)
        if not value_reasons:  # the checks below need clean, ordered prices
            report.warnings = bar_warnings(bars, freq, report, calendar=cal)
    return report


def bar_warnings(
    bars: pl.DataFrame,
    freq: Frequency,
    report: ValidationReport,
    *,
    calendar: TradingCalendar | None = None,
) -> list[str]:
    """The warnings for clean, ordered `bars` whose gaps `report` holds (module doc)."""
    cal = calendar if calendar is not None else new_york()
    found = [
        _split_jumps(bars),
        _stale_runs(bars, freq),
        _outside_session(bars, freq, cal),
        _weekend_days(bars, freq, cal),
        gap_sentence(report, freq),
    ]
    return [warning for warning in found if warning]


def in_session(stamps: pl.Series, calendar: TradingCalendar | None = None) -> pl.Series:
    """Whether each intraday bar starts inside one of the exchange's sessions (New
    York's by default): its own hours on its own days, so a holiday is outside, a
    half-day ends at its early close and a lunch break is outside."""
    return in_sessions(stamps, calendar)


def describe_session(calendar: TradingCalendar) -> str:
    """ "Monday to Friday, 09:30-16:00 New York": the usual session, in words."""
    days = [d for d in range(7) if d not in calendar.weekend]
    span = (
        f"{_WEEKDAYS[days[0]]} to {_WEEKDAYS[days[-1]]}"
        if days == list(range(days[0], days[-1] + 1))
        else ", ".join(_WEEKDAYS[d] for d in days)
    )
    if calendar.usual_open == calendar.usual_close:
        return f"{span}, around the clock"
    usual = calendar.usual_session
    hours = " and ".join(
        f"{first.astimezone(calendar.zone):%H:%M}-{end.astimezone(calendar.zone):%H:%M}"
        for first, end in calendar.segments(usual)
    )
    return f"{span}, {hours} {_place(calendar)}"


def _place(calendar: TradingCalendar) -> str:
    return calendar.zone_name.rsplit("/", 1)[-1].replace("_", " ")


def gap_sentence(report: ValidationReport, freq: Frequency) -> str | None:
    """The gap report as a sentence for the trader (none without notable gaps; a
    history too patchy to train on is a refusal reason instead)."""
    if not report.gaps or report.missing_share > MAX_MISSING_SHARE:
        return None
    largest = max(report.gaps, key=lambda g: g.missing_bars)
    n = report.gap_count
    show = _day if freq.minutes is None else _when
    return (
        f"{n} gap{'s' if n > 1 else ''} in the history ({report.missing_share:.1%} of the "
        f"bars the period should have); the largest, {show(largest.after)} to "
        f"{show(largest.before)}, misses {_bars(largest.missing_bars)}. The model learns "
        "across each hole as if no time had passed: if the market was open then, fill the "
        "missing bars from another source, or choose dates that avoid the holes."
    )


def _split_jumps(bars: pl.DataFrame) -> str | None:
    close = bars["close"].to_numpy()
    previous = close[:-1]
    to_close = np.log(close[1:] / previous)
    to_open = np.log(bars["open"].to_numpy()[1:] / previous)
    floor = SPLIT_MOVE_MULTIPLE * float(np.median(np.abs(to_close)))
    ratios = np.log([num / den for num, den in SPLIT_RATIOS])
    tolerance = math.log(1 + SPLIT_TOLERANCE)

    def nearest(moves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        distance = np.abs(np.abs(moves)[:, None] - ratios[None, :])
        matched = (distance.min(axis=1) <= tolerance) & (np.abs(moves) >= floor)
        return matched, distance.argmin(axis=1)

    open_hit, open_ratio = nearest(to_open)
    close_hit, close_ratio = nearest(to_close)
    volume = bars["volume"].to_numpy()
    jumps: list[tuple[int, bool, float, int, int]] = []  # (pair, by open, log move, ratio)
    for pair in np.flatnonzero(open_hit | close_hit):
        i = int(pair)
        by_open = bool(open_hit[i])
        moved = float(to_open[i] if by_open else to_close[i])
        num, den = SPLIT_RATIOS[int((open_ratio if by_open else close_ratio)[i])]
        usual = float(np.median(volume[max(0, i + 1 - SPLIT_VOLUME_WINDOW) : i + 1]))
        shares = num / den if moved < 0 else 1.0  # a split multiplies the shares traded
        if usual > 0 and volume[i + 1] > SPLIT_VOLUME_MULTIPLE * shares * usual:
            continue  # heavy trading: the market moved (news), not a split
        jumps.append((i, by_open, moved, num, den))
    if not jumps:
        return None
    stamps = bars["timestamp"].to_list()
    examples = []
    for i, by_open, moved, num, den in jumps[:MAX_EXAMPLES]:
        like = f"a {num}-for-{den} split" if moved < 0 else f"a {den}-for-{num} reverse split"
        price = bars["open" if by_open else "close"][i + 1]
        examples.append(
            f"{_when(stamps[i + 1])}, {'open' if by_open else 'close'} {price:.2f} after a "
            f"close of {previous[i]:.2f} (x{math.exp(moved):.2f}, like {like})"
        )
    n = len(jumps)
    return (
        f"{n} split-sized jump{'s' if n > 1 else ''}: the price moves by a stock-split "
        f"ratio, far beyond this series' usual moves ({'; '.join(examples)}). Unadjusted "
        "prices teach the model a crash or a rally that never happened: use split-adjusted "
        "data (a Yahoo file's Adj Close column, which the platform applies by default, or "
        "the vendor's adjusted prices); if the move was real, ignore this."
    )


def stale_run_bars(freq: Frequency) -> int:
    """Bars in a row with identical prices that make a stale run at `freq`."""
    if freq.minutes is None:
        return STALE_RUN_BARS
    return max(STALE_RUN_BARS, math.ceil(STALE_INTRADAY_MINUTES / freq.minutes))


def _stale_runs(bars: pl.DataFrame, freq: Frequency) -> str | None:
    prices = bars.select(PRICE_COLUMNS).to_numpy()
    same = np.concatenate([[False], (prices[1:] == prices[:-1]).all(axis=1)])
    run = np.cumsum(~same)  # bars of one run share a number
    lengths = np.bincount(run)
    least = stale_run_bars(freq)
    stale = np.flatnonzero(lengths >= least)
    if not stale.size:
        return None
    longest = int(stale[np.argmax(lengths[stale])])
    members = np.flatnonzero(run == longest)
    stamps = bars["timestamp"]
    first, last = stamps[int(members[0])], stamps[int(members[-1])]
    n = stale.size
    return (
        f"{n} stale run{'s' if n > 1 else ''} of identical prices ({least} or more bars in a "
        "row with the same open, high, low and close); the longest, "
        f"{_bars(int(lengths[longest]))} from {_when(first)} to {_when(last)}. A feed that "
        "stopped updating, or holes filled by repeating the last bar, look like this: "
        "fetch the period again from the source, or remove the repeated bars."
    )


def _outside_session(bars: pl.DataFrame, freq: Frequency, calendar: TradingCalendar) -> str | None:
    if freq.minutes is None:
        return None
    outside = ~in_session(bars["timestamp"], calendar)
    if not outside.any():
        return None
    n = int(outside.sum())
    local = bars["timestamp"].filter(outside).dt.convert_time_zone(calendar.zone_name)
    shown = ", ".join(f"{t:%Y-%m-%d %H:%M}" for t in local.head(MAX_EXAMPLES))
    return (
        f"{_bars(n)} {'lie' if n > 1 else 'lies'} outside the regular session "
        f"({describe_session(calendar)}, on the exchange's trading days: holidays closed, "
        f"half-days short), e.g. {shown} {_place(calendar)} time. Pre- and after-market "
        "bars are thin, and the platform's windows and exit times follow the regular "
        "session: export regular-session bars only, or check the file's time zone if "
        "the whole day looks shifted."
    )


def _weekend_days(bars: pl.DataFrame, freq: Frequency, calendar: TradingCalendar) -> str | None:
    """Daily bars dated on the exchange's weekend. A bar on a weekday holiday is not
    flagged: vendors print some (a repeated close), and nothing is learned wrongly."""
    if freq.minutes is not None or freq.days != 1:
        return None
    stamps = bars["timestamp"]
    closed = sorted(d + 1 for d in calendar.weekend)  # polars: Monday = 1
    weekend = stamps.dt.weekday().is_in(closed)
    if not weekend.any():
        return None
    n = int(weekend.sum())
    shown = ", ".join(_day(t) for t in stamps.filter(weekend).head(MAX_EXAMPLES))
    return (
        f"{n} daily bar{'s' if n > 1 else ''} fall{'' if n > 1 else 's'} on a Saturday or "
        f"Sunday (e.g. {shown}). Exchanges are closed then: a date shifted by a time zone "
        "(a session dated in another zone) or a file that repeats Friday does this; date "
        "each bar by its trading session, or remove the weekend bars."
    )


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


def _add_gaps(
    report: ValidationReport, bars: pl.DataFrame, freq: Frequency, calendar: TradingCalendar
) -> None:
    stamps = bars["timestamp"].drop_nulls()
    missing = _missing_bars(stamps, freq, calendar)
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


def _missing_bars(stamps: pl.Series, freq: Frequency, calendar: TradingCalendar) -> np.ndarray:
    """For each consecutive pair, the bars of the exchange's calendar missing between
    them (0 where a gap is a normal closure: a night, a weekend, a holiday, a lunch
    break, a half-day's afternoon)."""
    if stamps.len() < 2:
        return np.zeros(0, dtype=np.int64)
    first, last = stamps[0], stamps[-1]
    sessions = calendar.sessions(first.date() - timedelta(days=2), last.date() + timedelta(days=2))
    session_days = np.array([s.day for s in sessions], dtype="datetime64[D]")
    if freq.minutes is None:
        # Daily and weekly bars are stamped at 00:00 UTC of their date.
        days = stamps.dt.date().to_numpy().astype("datetime64[D]")
        if freq.days and freq.days > 1:  # weekly: whole exchange weeks skipped
            weeks = np.unique(_monday(session_days))
            at = np.searchsorted(weeks, _monday(days), side="left")
            after = np.searchsorted(weeks, _monday(days), side="right")
            return np.maximum(at[1:] - after[:-1], 0)
        # Sessions strictly between the two bars' days.
        between = np.searchsorted(session_days, days[1:], side="left") - np.searchsorted(
            session_days, days[:-1], side="right"
        )
        between = np.maximum(between, 0)
        return np.where(between >= NOTABLE_MISSING_DAYS, between, 0)
    grid = session_grid(
        calendar, first.date() - timedelta(days=2), last.date() + timedelta(days=2), freq.minutes
    ).with_row_index("slot")
    slot_of = (
        pl.DataFrame({"t": stamps.cast(pl.Datetime("us", "UTC"))})
        .join_asof(
            grid.select("timestamp", "slot", "session"),
            left_on="t",
            right_on="timestamp",
            strategy="backward",
        )
        .select(pl.col("slot").fill_null(-1), pl.col("session").fill_null(-1))
    )
    slot = slot_of["slot"].to_numpy().astype(np.int64)
    session = slot_of["session"].to_numpy().astype(np.int64)
    same = session[1:] == session[:-1]
    inside = np.where(same, slot[1:] - slot[:-1] - 1, 0)
    # Across sessions only whole sessions count: a half-day's, or a late first bar's,
    # missing edge is not a hole the model learns across.
    per_session = np.bincount(grid["session"].to_numpy(), minlength=len(sessions))
    whole = np.concatenate([[0], np.cumsum(per_session)])
    lo = np.clip(session[:-1] + 1, 0, len(sessions))
    hi = np.clip(session[1:], 0, len(sessions))
    skipped = np.maximum(hi - lo, 0)
    across = np.where(
        ~same & (skipped >= NOTABLE_MISSING_DAYS), whole[np.maximum(hi, lo)] - whole[lo], 0
    )
    threshold = _notable_threshold(freq)
    return np.where(inside >= threshold, inside, 0) + np.where(across >= threshold, across, 0)


def _monday(days: np.ndarray) -> np.ndarray:
    # 1970-01-01 was a Thursday: (days + 3) % 7 is the weekday with Monday = 0.
    weekday = (days.astype(np.int64) + 3) % 7
    return days - weekday.astype("timedelta64[D]")


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "an unknown time"
    if moment.hour == 0 and moment.minute == 0:
        return f"{moment:%Y-%m-%d}"
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _day(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d}"


def _bars(n: int) -> str:
    return f"{n} bar{'s' if n != 1 else ''}"
