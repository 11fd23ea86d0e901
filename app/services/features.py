"""The feature engine: technical indicators as polars expressions on whole columns.

Every indicator is strictly causal (the value at bar *t* uses bars 0..t only) and null
before its warm-up, never back-filled, so no future bar can leak into the past (see
`feature_warmup`). A value is also a function of a fixed trailing window of bars only,
not of where the frame starts: training computes features on years of bars, /predict
on the few hundred before `as_of`, and the model must see the same numbers for the same
bar. Running totals are therefore windowed (OBV) or anchored to the session (VWAP), and
the exponentially weighted indicators stay null until what precedes the frame weighs
less than `START_INFLUENCE`. Where TA-Lib defines an indicator the values agree with it
after that warm-up, including its seeding conventions, which differ from textbook and
pandas defaults; docs/FEATURES.md lists them. Needs polars >= 1.25 (`min_samples`,
`collect(engine="in-memory")`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from app.core.calendars import NEW_YORK_CALENDAR, TradingCalendar, calendar_for, new_york
from app.errors import Unprocessable
from app.services.market_data.frequency import FREQUENCIES, bars_per_session, get_frequency

FEATURE_NAMES: tuple[str, ...] = (
    "SMA",
    "EMA",
    "MACD",
    "volatility",
    "RSI",
    "BBANDS",
    "ATR",
    "VWAP",
    "OBV",
    "returns",
)
DEFAULT_FEATURES: list[str] = ["SMA", "EMA", "MACD", "volatility"]

_CANONICAL = {name.lower(): name for name in FEATURE_NAMES}
_COLUMNS: dict[str, tuple[str, ...]] = {
    "SMA": ("sma",),
    "EMA": ("ema",),
    "MACD": ("macd", "macd_signal", "macd_hist"),
    "volatility": ("volatility",),
    "RSI": ("rsi",),
    "BBANDS": ("bb_upper", "bb_middle", "bb_lower"),
    "ATR": ("atr",),
    "VWAP": ("vwap",),
    "OBV": ("obv",),
    "returns": ("returns",),
}
# TA-Lib's TA_IS_ZERO threshold, used by its RSI for a flat market.
_TA_ZERO = 1e-8
# An exponentially weighted value counts once the weight (1 - alpha)^k left on the state
# it started from (and so on everything before the frame) is below this: from then on
# the value is the same, to ~1e-12 relative, on any frame that holds the warm-up.
START_INFLUENCE = 1e-12

# Raised whenever a column's values change meaning. An artifact records the version it
# was trained on (`Preprocessing.feature_version`; none recorded means 1) and /predict
# refuses a model one of whose columns changed since (`changed_columns`).
FEATURE_VERSION = 2
_CHANGED_IN: dict[int, tuple[str, ...]] = {
    2: ("obv",),  # a running total from the frame's first bar became a trailing window
}


@dataclass(frozen=True)
class IndicatorPeriods:
    """The look-back of each indicator, in bars (the usual trading-screen defaults)."""

    sma: int = 20
    ema: int = 20
    macd_fast: int = 12
    macd_slow: int = 26
    macd_signal: int = 9
    volatility: int = 20
    rsi: int = 14
    bbands: int = 20
    bbands_width: float = 2.0
    atr: int = 14
    vwap: int = 20
    obv: int = 20

    def __post_init__(self) -> None:
        for name in (
            "sma",
            "ema",
            "macd_fast",
            "macd_slow",
            "macd_signal",
            "volatility",
            "rsi",
            "bbands",
            "atr",
            "vwap",
            "obv",
        ):
            if getattr(self, name) < 2:
                raise ValueError(f"{name} period must be at least 2 bars")
        if self.macd_fast >= self.macd_slow:
            raise ValueError("macd_fast must be shorter than macd_slow")


DEFAULT_PERIODS = IndicatorPeriods()


def normalize_features(names: Iterable[str]) -> list[str]:
    """Canonical spelling of the requested features, de-duplicated, in request order.

    Raises `Unprocessable` (422) naming every unknown feature and the allowed ones.
    """
    result: list[str] = []
    unknown: list[tuple[int, str]] = []
    for index, name in enumerate(names):
        canonical = _CANONICAL.get(str(name).strip().lower())
        if canonical is None:
            unknown.append((index, str(name)))
        elif canonical not in result:
            result.append(canonical)
    if unknown:
        allowed = ", ".join(FEATURE_NAMES)
        details = [
            {
                "loc": ["features", index],
                "msg": f"unknown feature {name!r}; allowed: {allowed}",
                "type": "value_error",
            }
            for index, name in unknown
        ]
        listed = ", ".join(repr(name) for _, name in unknown)
        raise Unprocessable(f"Unknown feature(s) {listed}; allowed: {allowed}.", details=details)
    return result


def feature_columns(names: Iterable[str]) -> list[str]:
    """The columns `compute_features` adds for these features, in a stable order."""
    return [column for name in normalize_features(names) for column in _COLUMNS[name]]


def changed_columns(columns: Iterable[str], trained_version: int) -> list[str]:
    """The columns among `columns` whose definition changed after `trained_version`."""
    changed = {c for version, cs in _CHANGED_IN.items() if version > trained_version for c in cs}
    return [column for column in columns if column in changed]


def feature_warmup(
    names: Iterable[str],
    periods: IndicatorPeriods = DEFAULT_PERIODS,
    *,
    frequency: str | None = None,
    calendar: TradingCalendar | None = None,
) -> int:
    """Index of the first bar at which every requested column has its value.

    Rows before it hold nulls: values that are not yet a function of a fixed trailing
    window (docs/FEATURES.md, "Same value on any frame"). A training set drops them,
    and a prediction needs at least `feature_warmup + lookback` bars, which then give
    the rows training had for the same bars. Only the session VWAP depends on the
    bar `frequency` and the exchange's session (`calendar`, New York's by default);
    without a frequency the longest (1-minute bars) is assumed.
    """
    name = calendar.name if calendar is not None else NEW_YORK_CALENDAR
    warmups = _warmups(periods, frequency, name)
    return max((warmups[name] for name in normalize_features(names)), default=0)


@functools.cache
def _warmups(
    p: IndicatorPeriods, frequency: str | None, calendar: str = NEW_YORK_CALENDAR
) -> dict[str, int]:
    """Each feature's warm-up; computed once per (periods, frequency), as /predict asks
    for it on every call."""
    return {
        "SMA": p.sma - 1,
        "EMA": ema_warmup(p.ema),
        "MACD": macd_warmup(p),
        "volatility": p.volatility,
        "RSI": wilder_warmup(p.rsi),
        "BBANDS": p.bbands - 1,
        "ATR": wilder_warmup(p.atr),
        "VWAP": vwap_warmup(p, frequency, calendar=calendar_for(calendar)),
        "OBV": p.obv,
        "returns": 1,
    }


def decay_bars(alpha: float, gain: float = 1.0) -> int:
    """Bars k after which gain * (1 - alpha)^k <= START_INFLUENCE: an EWM has forgotten
    its starting state to that degree (k >= ln(START_INFLUENCE / gain) / ln(1 - alpha))."""
    return math.ceil(math.log(START_INFLUENCE / gain) / math.log1p(-alpha) - 1e-9)


def ema_warmup(period: int) -> int:
    """EMA(n): seeded at bar n - 1 (TA-Lib), then forgetting the seed at 2 / (n + 1)."""
    return period - 1 + decay_bars(2.0 / (period + 1))


def wilder_warmup(period: int) -> int:
    """Wilder's smoothing (RSI, ATR): seeded at bar n, then alpha = 1 / n."""
    return period + decay_bars(1.0 / period)


def macd_warmup(p: IndicatorPeriods) -> int:
    """MACD's three columns: both EMAs start at bar slow - 1, the signal at slow + signal - 2.

    The line carries the start of two EMAs, the slow one forgetting it last; the signal
    is an EMA of the line, so it carries the line's start (times
    1 + a_s / (1 - r_s / r_slow) when the signal's EMA is the faster, r = 1 - alpha)
    besides its own seed; the histogram carries both. Otherwise (a signal slower than
    the slow EMA) the line's warm-up is followed by a whole one of the signal.
    """
    start = p.macd_slow - 1
    slow, signal = 2.0 / (p.macd_slow + 1), 2.0 / (p.macd_signal + 1)
    ratio = (1.0 - signal) / (1.0 - slow)
    signal_seed = start + p.macd_signal - 1
    if ratio >= 1.0:
        return start + decay_bars(slow, 2.0) + decay_bars(signal, 2.0)
    carried = 1.0 + signal / (1.0 - ratio)
    line_and_signal = start + decay_bars(slow, 2.0 * (1.0 + carried))
    return max(line_and_signal, signal_seed + decay_bars(signal))


def vwap_warmup(
    p: IndicatorPeriods, frequency: str | None, *, calendar: TradingCalendar | None = None
) -> int:
    """Rolling VWAP (daily, weekly): n - 1. Session VWAP: a frame that starts inside a
    session has that first session null, which is at most one session less a bar (of
    the exchange's usual session: New York's by default)."""
    if frequency is None:
        return max(vwap_warmup(p, name, calendar=calendar) for name in FREQUENCIES)
    freq = get_frequency(frequency)
    if not freq.intraday:
        return p.vwap - 1
    return int(bars_per_session(freq, calendar=calendar)) - 1


def compute_features(
    bars: pl.DataFrame,
    names: Sequence[str] = DEFAULT_FEATURES,
    *,
    periods: IndicatorPeriods = DEFAULT_PERIODS,
    intraday: bool | None = None,
    calendar: TradingCalendar | None = None,
) -> pl.DataFrame:
    """`bars` with the columns of the requested indicators added (see `feature_columns`).

    `intraday` only matters for VWAP (session-anchored vs rolling); by default it is
    inferred from the bar spacing. The session VWAP restarts at each session of
    `calendar` (the instrument's exchange; New York's by default).
    """
    features = normalize_features(names)
    needed = _needed_columns(features)
    missing = [c for c in needed if c not in bars.columns]
    if missing:
        raise ValueError(f"bars lack the column(s) {', '.join(missing)}")
    nulls = [c for c in needed if bars[c].null_count()]
    if nulls:
        raise ValueError(f"bars have missing values in {', '.join(nulls)}; validate them first")
    if not features:
        return bars
    vwap_intraday = "VWAP" in features and _is_intraday(bars, intraday)
    plan = _Plan(bars.height, periods, calendar if calendar is not None else new_york(), bars)
    for feature in features:
        plan.add_feature(feature, vwap_intraday)
    query = bars.lazy()
    for stage in plan.stages:
        if stage:
            query = query.with_columns(**stage)
    # Lazy, on the in-memory engine: the optimiser runs the stages with less copying
    # than eager `with_columns` calls, and whole-column kernels (ewm, cum_sum) gain
    # nothing from the streaming engine's batches (measured on 1 M bars).
    return query.select([*bars.columns, *feature_columns(features)]).collect(engine="in-memory")


def _needed_columns(features: Sequence[str]) -> list[str]:
    needed = {"close"}
    if {"ATR", "VWAP"} & set(features):
        needed |= {"high", "low"}
    if {"VWAP", "OBV"} & set(features):
        needed.add("volume")
    if "VWAP" in features:
        needed.add("timestamp")
    return sorted(needed)


def _is_intraday(bars: pl.DataFrame, intraday: bool | None) -> bool:
    # From the timestamps (the bar calendar), never from prices, so no value of a
    # later bar can change how an earlier one is computed.
    if intraday is not None or bars.height < 2 or "timestamp" not in bars.columns:
        return bool(intraday)
    spacing = bars.select(pl.col("timestamp").diff().dt.total_seconds().median()).item()
    return spacing is not None and float(spacing) < 86_400


class _Plan:
    """The expressions for one frame, in stages of independent columns.

    Polars evaluates the expressions of one `with_columns` in parallel; anything used
    twice becomes a helper column of an earlier stage rather than relying on
    common-subexpression elimination to notice it. Helper columns start with `_` and
    are dropped by the final `select`. The frame height is needed because warm-ups are
    built from slices of known length.
    """

    def __init__(
        self,
        height: int,
        periods: IndicatorPeriods,
        calendar: TradingCalendar | None = None,
        bars: pl.DataFrame | None = None,
    ) -> None:
        self.height = height
        self.p = periods
        self.calendar = calendar if calendar is not None else new_york()
        # Whether the frame's first bar comes after its session's open (session VWAP).
        self.starts_late = False
        if bars is not None and bars.height and "timestamp" in bars.columns:
            first = bars["timestamp"][0]
            if isinstance(first, datetime):
                found = self.calendar.session(self.calendar.local_day(first))
                self.starts_late = found is None or first > found.open
        self.stages: list[dict[str, pl.Expr]] = [{} for _ in range(4)]

    def add(self, stage: int, name: str, expr: pl.Expr) -> None:
        self.stages[stage].setdefault(name, expr)

    # -- generic pieces ---------------------------------------------------------------

    def seeded_ewm(
        self, column: str, alpha: float, window: int, seed_at: int, valid_from: int | None = None
    ) -> pl.Expr:
        """An EMA that starts at `seed_at` from the mean of the `window` values ending there.

        This is TA-Lib's seeding (and Wilder's, with alpha = 1/n). Filling bars
        0..seed_at with the seed makes polars' recursive `ewm_mean(adjust=False)` sit on
        the seed until `seed_at` and recurse exactly as TA-Lib from then on;
        `min_samples` nulls the bars before `valid_from` (by default the seed's bar,
        where TA-Lib's output starts) without another pass over the column.
        """
        if seed_at >= self.height:
            return pl.repeat(None, self.height, dtype=pl.Float64)
        first = seed_at if valid_from is None else valid_from
        x = pl.col(column)
        seed = x.slice(seed_at - window + 1, window).mean()
        filled = pl.repeat(seed, seed_at + 1).append(x.slice(seed_at + 1))
        return filled.ewm_mean(alpha=alpha, adjust=False, min_samples=first + 1)

    def ema(self, column: str, period: int) -> pl.Expr:
        """EMA(n) from bar `ema_warmup(n)`, once it no longer depends on the frame's start."""
        return self.seeded_ewm(column, 2.0 / (period + 1), period, period - 1, ema_warmup(period))

    def wilder(self, column: str, period: int) -> pl.Expr:
        # The column is null at bar 0 (a difference); the seed is the mean of bars 1..n.
        return self.seeded_ewm(column, 1.0 / period, period, period, wilder_warmup(period))

    def from_bar(self, expr: pl.Expr, first: int) -> pl.Expr:
        """`expr` with the bars before `first` set to null."""
        if first <= 0:
            return expr
        if first >= self.height:
            return pl.repeat(None, self.height, dtype=pl.Float64)
        return pl.repeat(None, first, dtype=pl.Float64).append(expr.slice(first))

    def window_mean(self, cumulative: str, window: int) -> pl.Expr:
        """Mean of the last `window` values from a cumulative-sum column.

        One pass instead of a rolling kernel; exact to about n*eps relative, because the
        rounding committed before the window is shared by both ends and cancels. The
        double shift puts a 0 before the first bar and nulls before the first full
        window, so no separate masking pass is needed.
        """
        c = pl.col(cumulative)
        before_window = c.shift(1, fill_value=0.0).shift(window - 1)
        return (c - before_window) * (1.0 / window)

    # -- the indicators ---------------------------------------------------------------

    def add_feature(self, feature: str, vwap_intraday: bool) -> None:
        builders = {
            "SMA": self.sma,
            "EMA": self.ema_feature,
            "MACD": self.macd,
            "volatility": self.volatility,
            "RSI": self.rsi,
            "BBANDS": self.bbands,
            "ATR": self.atr,
            "OBV": self.obv,
            "returns": self.returns,
        }
        if feature == "VWAP":
            self.add(0, "vwap", self.session_vwap() if vwap_intraday else self.rolling_vwap())
        else:
            builders[feature]()

    def sma(self) -> None:
        self.add(0, "_cum_close", pl.col("close").cum_sum())
        self.add(1, "sma", self.window_mean("_cum_close", self.p.sma))

    def ema_feature(self) -> None:
        # Stage 1: it runs beside the volatility chain, which waits for the log prices.
        self.add(1, "ema", self.ema("close", self.p.ema))

    def macd(self) -> None:
        """TA-Lib's recursion on helper columns, nulled before `macd_warmup` at the end
        (the signal is seeded from the line's first values, so the line it reads cannot
        be nulled first)."""
        p = self.p
        start = p.macd_slow - 1
        fast, slow = 2.0 / (p.macd_fast + 1), 2.0 / (p.macd_slow + 1)
        self.add(0, "_macd_fast", self.seeded_ewm("close", fast, p.macd_fast, start))
        self.add(0, "_macd_slow", self.seeded_ewm("close", slow, p.macd_slow, start))
        self.add(1, "_macd_line", pl.col("_macd_fast") - pl.col("_macd_slow"))
        signal_seed = start + p.macd_signal - 1
        signal = self.seeded_ewm(
            "_macd_line", 2.0 / (p.macd_signal + 1), p.macd_signal, signal_seed
        )
        self.add(2, "_macd_signal", signal)
        line, signal_line = pl.col("_macd_line"), pl.col("_macd_signal")
        first = macd_warmup(p)
        self.add(3, "macd", self.from_bar(line, first))
        self.add(3, "macd_signal", self.from_bar(signal_line, first))
        self.add(3, "macd_hist", self.from_bar(line - signal_line, first))

    def volatility(self) -> None:
        """Sample std of the last n log returns from window sums of r and r^2.

        The sum of log returns telescopes (ln c_t - ln c_{t-n}), so only r^2 needs a
        cumulative sum. Clipped at 0 against rounding on perfectly steady prices.
        """
        n = self.p.volatility
        self.add(0, "_log_close", pl.col("close").log())
        log_close = pl.col("_log_close")
        change = log_close.diff().fill_null(0.0)
        self.add(1, "_cum_sq_return", (change * change).cum_sum())
        self.add(1, "_sum_return", log_close - log_close.shift(n))
        cum_sq, total = pl.col("_cum_sq_return"), pl.col("_sum_return")
        # Both window sums are null before bar n, which is the warm-up wanted here.
        sum_sq = cum_sq - cum_sq.shift(n)
        variance = sum_sq * (1.0 / (n - 1)) - total * total * (1.0 / (n * (n - 1)))
        self.add(2, "volatility", variance.clip(lower_bound=0.0).sqrt())

    def returns(self) -> None:
        close = pl.col("close")
        # The ratio, not a difference of logs: exact for tiny moves too.
        self.add(0, "returns", (close / close.shift(1)).log())

    def rsi(self) -> None:
        n = self.p.rsi
        self.add(0, "_close_change", pl.col("close").diff())
        self.add(1, "_up_move", pl.col("_close_change").clip(lower_bound=0.0))
        self.add(1, "_down_move", (-pl.col("_close_change")).clip(lower_bound=0.0))
        self.add(2, "_avg_up", self.wilder("_up_move", n))
        self.add(2, "_avg_down", self.wilder("_down_move", n))
        up, total = pl.col("_avg_up"), pl.col("_avg_up") + pl.col("_avg_down")
        self.add(3, "rsi", pl.when(total.abs() < _TA_ZERO).then(0.0).otherwise(100.0 * up / total))

    def bbands(self) -> None:
        n, width = self.p.bbands, self.p.bbands_width
        self.add(0, "_cum_close", pl.col("close").cum_sum())
        self.add(0, "_bb_spread", width * pl.col("close").rolling_std(n, ddof=0))
        self.add(1, "bb_middle", self.window_mean("_cum_close", n))
        self.add(2, "bb_upper", pl.col("bb_middle") + pl.col("_bb_spread"))
        self.add(2, "bb_lower", pl.col("bb_middle") - pl.col("_bb_spread"))

    def atr(self) -> None:
        prev = pl.col("close").shift(1)
        true_range = pl.max_horizontal(
            pl.col("high") - pl.col("low"),
            (prev - pl.col("high")).abs(),
            (prev - pl.col("low")).abs(),
        )
        self.add(0, "_true_range", true_range)
        self.add(1, "atr", self.wilder("_true_range", self.p.atr))

    def obv(self) -> None:
        """On-balance volume over the last n bars: the volume of each bar, signed by its
        close's change (0 when unchanged), summed over a trailing window rather than
        from the frame's first bar. The first bar has no change, so the first value is
        at bar n; with whole-number volumes the window sums are exact."""
        n = self.p.obv
        self.add(0, "_close_change", pl.col("close").diff())
        signed = pl.col("_close_change").sign() * pl.col("volume")
        self.add(1, "_cum_signed_volume", signed.fill_null(0.0).cum_sum())
        total = pl.col("_cum_signed_volume")
        self.add(2, "obv", total - total.shift(n))

    def session_vwap(self) -> pl.Expr:
        """Cumulated from each session's first bar (the exchange's day, in its zone). A
        frame that starts after its session's open holds only the end of its first
        session, whose VWAP would depend on where the frame was cut: that session is
        null (warm-up)."""
        local = pl.col("timestamp").dt.convert_time_zone(self.calendar.zone_name)
        session = local.dt.date()
        typical = (pl.col("high") + pl.col("low") + pl.col("close")) / 3.0
        traded = (typical * pl.col("volume")).cum_sum().over(session)
        volume = pl.col("volume").cum_sum().over(session)
        vwap = pl.when(volume > 0).then(traded / volume).otherwise(typical)
        cut = (session == session.first()) & pl.lit(self.starts_late)
        return pl.when(cut).then(None).otherwise(vwap)

    def rolling_vwap(self) -> pl.Expr:
        n = self.p.vwap
        typical = (pl.col("high") + pl.col("low") + pl.col("close")) / 3.0
        traded = (typical * pl.col("volume")).rolling_sum(n)
        volume = pl.col("volume").rolling_sum(n)
        return pl.when(volume > 0).then(traded / volume).otherwise(typical.rolling_mean(n))
