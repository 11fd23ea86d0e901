"""The feature engine: technical indicators as polars expressions on whole columns.

Every indicator is strictly causal (the value at bar *t* uses bars 0..t only) and null
before its warm-up, never back-filled, so no future bar can leak into the past (see
`feature_warmup`). Where TA-Lib defines an indicator the values agree with it, including
its seeding conventions, which differ from textbook and pandas defaults; docs/FEATURES.md
lists them. Needs polars >= 1.25 (`min_samples`, `collect(engine="in-memory")`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from app.core.clock import DEFAULT_TIMEZONE
from app.errors import Unprocessable

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


def feature_warmup(names: Iterable[str], periods: IndicatorPeriods = DEFAULT_PERIODS) -> int:
    """Index of the first bar at which every requested column has a value.

    Rows before it hold nulls; a training set drops them, and a prediction needs at
    least `feature_warmup + lookback` bars.
    """
    p = periods
    warmups = {
        "SMA": p.sma - 1,
        "EMA": p.ema - 1,
        "MACD": p.macd_slow + p.macd_signal - 2,
        "volatility": p.volatility,
        "RSI": p.rsi,
        "BBANDS": p.bbands - 1,
        "ATR": p.atr,
        "VWAP": p.vwap - 1,
        "OBV": 0,
        "returns": 1,
    }
    return max((warmups[name] for name in normalize_features(names)), default=0)


def compute_features(
    bars: pl.DataFrame,
    names: Sequence[str] = DEFAULT_FEATURES,
    *,
    periods: IndicatorPeriods = DEFAULT_PERIODS,
    intraday: bool | None = None,
) -> pl.DataFrame:
    """`bars` with the columns of the requested indicators added (see `feature_columns`).

    `intraday` only matters for VWAP (session-anchored vs rolling); by default it is
    inferred from the bar spacing.
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
    plan = _Plan(bars.height, periods)
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

    def __init__(self, height: int, periods: IndicatorPeriods) -> None:
        self.height = height
        self.p = periods
        self.stages: list[dict[str, pl.Expr]] = [{} for _ in range(4)]

    def add(self, stage: int, name: str, expr: pl.Expr) -> None:
        self.stages[stage].setdefault(name, expr)

    # -- generic pieces ---------------------------------------------------------------

    def seeded_ewm(self, column: str, alpha: float, window: int, seed_at: int) -> pl.Expr:
        """An EMA that starts at `seed_at` from the mean of the `window` values ending there.

        This is TA-Lib's seeding (and Wilder's, with alpha = 1/n). Filling bars
        0..seed_at with the seed makes polars' recursive `ewm_mean(adjust=False)` sit on
        the seed until `seed_at` and recurse exactly as TA-Lib from then on;
        `min_samples` nulls the filled bars again (the seed is only known at `seed_at`)
        without another pass over the column.
        """
        if seed_at >= self.height:
            return pl.repeat(None, self.height, dtype=pl.Float64)
        x = pl.col(column)
        seed = x.slice(seed_at - window + 1, window).mean()
        filled = pl.repeat(seed, seed_at + 1).append(x.slice(seed_at + 1))
        return filled.ewm_mean(alpha=alpha, adjust=False, min_samples=seed_at + 1)

    def ema(self, column: str, period: int, seed_at: int | None = None) -> pl.Expr:
        at = period - 1 if seed_at is None else seed_at
        return self.seeded_ewm(column, 2.0 / (period + 1), period, at)

    def wilder(self, column: str, period: int) -> pl.Expr:
        # The column is null at bar 0 (a difference); the seed is the mean of bars 1..n.
        return self.seeded_ewm(column, 1.0 / period, period, period)

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
        p = self.p
        start = p.macd_slow - 1
        self.add(0, "_macd_fast", self.ema("close", p.macd_fast, seed_at=start))
        self.add(0, "_macd_slow", self.ema("close", p.macd_slow, seed_at=start))
        self.add(1, "macd", pl.col("_macd_fast") - pl.col("_macd_slow"))
        signal_seed = start + p.macd_signal - 1
        self.add(2, "macd_signal", self.ema("macd", p.macd_signal, seed_at=signal_seed))
        self.add(3, "macd_hist", pl.col("macd") - pl.col("macd_signal"))

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
        self.add(0, "_close_change", pl.col("close").diff())
        signed = pl.col("_close_change").sign().fill_null(1.0) * pl.col("volume")
        self.add(1, "obv", signed.cum_sum())

    def session_vwap(self) -> pl.Expr:
        session = pl.col("timestamp").dt.convert_time_zone(DEFAULT_TIMEZONE).dt.date()
        typical = (pl.col("high") + pl.col("low") + pl.col("close")) / 3.0
        traded = (typical * pl.col("volume")).cum_sum().over(session)
        volume = pl.col("volume").cum_sum().over(session)
        return pl.when(volume > 0).then(traded / volume).otherwise(typical)

    def rolling_vwap(self) -> pl.Expr:
        n = self.p.vwap
        typical = (pl.col("high") + pl.col("low") + pl.col("close")) / 3.0
        traded = (typical * pl.col("volume")).rolling_sum(n)
        volume = pl.col("volume").rolling_sum(n)
        return pl.when(volume > 0).then(traded / volume).otherwise(typical.rolling_mean(n))
