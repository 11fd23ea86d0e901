"""The feature engine: TA-Lib parity, names, warm-ups, OBV and VWAP."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest

from app.errors import Unprocessable
from app.services.features import (
    DEFAULT_FEATURES,
    FEATURE_NAMES,
    FEATURE_VERSION,
    START_INFLUENCE,
    IndicatorPeriods,
    changed_columns,
    compute_features,
    decay_bars,
    feature_columns,
    feature_warmup,
    normalize_features,
)
from app.services.market_data.synthetic import synthetic_bars

talib = pytest.importorskip("talib")

RTOL = 1e-8


def random_bars(n: int = 3000, seed: int = 7) -> pl.DataFrame:
    """A random walk with realistic OHLC, a flat stretch and a price spike."""
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    close[500:540] = close[499]  # a halted stock: RSI's zero-movement branch
    close[900] *= 1.3
    open_ = close * np.exp(rng.normal(0, 0.003, n))
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, 0.004, n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, 0.004, n)))
    volume = rng.integers(1_000, 1_000_000, n).astype(float)
    stamps = pl.Series(
        "timestamp",
        np.datetime64("2010-01-04", "us") + np.arange(n).astype("timedelta64[D]"),
    ).dt.replace_time_zone("UTC")
    return pl.DataFrame(
        {
            "timestamp": stamps,
            "open": open_,
            "high": high,
            "low": low,
            "close": close,
            "volume": volume,
        }
    )


@pytest.fixture(scope="module")
def bars() -> pl.DataFrame:
    return random_bars()


@pytest.fixture(scope="module")
def features(bars: pl.DataFrame) -> pl.DataFrame:
    return compute_features(bars, list(FEATURE_NAMES))


def talib_reference(bars: pl.DataFrame) -> dict[str, np.ndarray]:
    h, low, c, v = (bars[name].to_numpy() for name in ("high", "low", "close", "volume"))
    macd, signal, hist = talib.MACD(c, 12, 26, 9)
    upper, middle, lower = talib.BBANDS(c, 20, 2.0, 2.0, 0)
    log_returns = np.log(talib.ROCR(c, 1))
    return {
        "sma": talib.SMA(c, 20),
        "ema": talib.EMA(c, 20),
        "macd": macd,
        "macd_signal": signal,
        "macd_hist": hist,
        "rsi": talib.RSI(c, 14),
        "bb_upper": upper,
        "bb_middle": middle,
        "bb_lower": lower,
        "atr": talib.ATR(h, low, c, 14),
        # Ours is OBV over the last 20 bars: TA-Lib's running total less its value
        # 20 bars earlier.
        "obv": windowed(talib.OBV(c, v), 20),
        "returns": log_returns,
        # TA-Lib's STDDEV is the population one; ours is the sample std (ddof = 1).
        "volatility": talib.STDDEV(log_returns, 20, 1.0) * np.sqrt(20 / 19),
    }


def windowed(running_total: np.ndarray, n: int) -> np.ndarray:
    out = np.full_like(running_total, np.nan)
    out[n:] = running_total[n:] - running_total[:-n]
    return out


FEATURE_OF = {column: name for name in FEATURE_NAMES for column in feature_columns([name])}


@pytest.mark.parametrize(
    "column",
    [
        "sma",
        "ema",
        "macd",
        "macd_signal",
        "macd_hist",
        "rsi",
        "bb_upper",
        "bb_middle",
        "bb_lower",
        "atr",
        "obv",
        "returns",
        "volatility",
    ],
)
def test_agrees_with_talib_after_warmup(
    features: pl.DataFrame, bars: pl.DataFrame, column: str
) -> None:
    reference = talib_reference(bars)[column]
    ours = features[column].to_numpy()
    # Ours starts at the warm-up, once the value no longer depends on where the frame
    # starts; TA-Lib prints EMA-type values from their seed, ours from then on agree.
    warmup = feature_warmup([FEATURE_OF[column]])
    assert np.isnan(ours[:warmup]).all() and not np.isnan(ours[warmup:]).any()
    assert not np.isnan(reference[warmup:]).any()
    assert warmup >= int(np.argmax(~np.isnan(reference)))  # nothing invented earlier
    np.testing.assert_allclose(ours[warmup:], reference[warmup:], rtol=RTOL, atol=1e-12)


def test_rsi_of_a_flat_market_follows_talib(features: pl.DataFrame, bars: pl.DataFrame) -> None:
    # 40 flat bars: both averages decay but stay positive, so RSI is defined throughout
    np.testing.assert_allclose(
        features["rsi"].to_numpy()[520:540],
        talib.RSI(bars["close"].to_numpy(), 14)[520:540],
        rtol=RTOL,
    )


def test_names_are_case_insensitive_and_deduplicated() -> None:
    assert normalize_features(["sma", "EMA", "Macd", "VOLATILITY", "sma"]) == [
        "SMA",
        "EMA",
        "MACD",
        "volatility",
    ]
    assert normalize_features(["bbands", "Vwap", "obv", "RETURNS", "rsi", "atr"]) == [
        "BBANDS",
        "VWAP",
        "OBV",
        "returns",
        "RSI",
        "ATR",
    ]
    assert DEFAULT_FEATURES == ["SMA", "EMA", "MACD", "volatility"]


def test_unknown_names_are_a_422_listing_the_allowed_ones() -> None:
    with pytest.raises(Unprocessable) as caught:
        normalize_features(["SMA", "stochastic", "ichimoku"])
    error = caught.value
    assert error.status_code == 422
    assert "'stochastic', 'ichimoku'" in error.message
    assert "SMA, EMA, MACD, volatility, RSI, BBANDS, ATR, VWAP, OBV, returns" in error.message
    assert [d["loc"] for d in error.details] == [["features", 1], ["features", 2]]


def test_feature_columns_and_order(bars: pl.DataFrame) -> None:
    assert feature_columns(DEFAULT_FEATURES) == [
        "sma",
        "ema",
        "macd",
        "macd_signal",
        "macd_hist",
        "volatility",
    ]
    out = compute_features(bars, ["rsi", "SMA"])
    assert out.columns == [*bars.columns, "rsi", "sma"]
    assert compute_features(bars, []).equals(bars)


def test_warmup_is_the_first_row_without_nulls(bars: pl.DataFrame) -> None:
    for name in FEATURE_NAMES:
        out = compute_features(bars, [name], intraday=False)
        warmup = feature_warmup([name], frequency="1d")
        values = out.select(feature_columns([name]))
        assert values.slice(warmup).null_count().sum_horizontal().item() == 0, name
        if warmup:
            assert values.row(warmup - 1).count(None) >= 1, name
    assert feature_warmup(DEFAULT_FEATURES) == 410


def test_ewm_warmups_forget_the_start_below_one_in_a_trillion() -> None:
    """k >= ln(1e-12) / ln(1 - alpha) bars after the seed (docs/FEATURES.md)."""
    assert START_INFLUENCE == 1e-12
    assert decay_bars(2 / 21) == 277  # EMA(20)
    assert (1 - 2 / 21) ** 277 <= 1e-12 < (1 - 2 / 21) ** 276
    assert decay_bars(1 / 14) == 373  # Wilder(14)
    warmups = {name: feature_warmup([name], frequency="1d") for name in FEATURE_NAMES}
    assert warmups == {
        "SMA": 19,
        "EMA": 19 + 277,
        # the slow EMA's 360 bars, plus 25 for the two EMAs and the signal it feeds
        "MACD": 25 + 385,
        "volatility": 20,
        "RSI": 14 + 373,
        "BBANDS": 19,
        "ATR": 14 + 373,
        "VWAP": 19,
        "OBV": 20,
        "returns": 1,
    }
    # The session VWAP of a frame cut mid-session waits for the next session.
    assert feature_warmup(["VWAP"], frequency="5min") == 77
    assert feature_warmup(["VWAP"], frequency="1h") == 6
    assert feature_warmup(["VWAP"]) == 389  # any frequency: 1-minute bars


def test_only_models_of_a_changed_column_are_outdated() -> None:
    assert FEATURE_VERSION == 2
    assert changed_columns(["sma", "obv", "rsi"], 1) == ["obv"]
    assert changed_columns(feature_columns(DEFAULT_FEATURES), 1) == []
    assert changed_columns(["obv"], FEATURE_VERSION) == []


def test_periods_are_configurable(bars: pl.DataFrame) -> None:
    periods = IndicatorPeriods(sma=10, ema=50, rsi=7, obv=5)
    out = compute_features(bars, ["SMA", "EMA", "RSI", "OBV"], periods=periods)
    close = bars["close"].to_numpy()
    for name, reference in (
        ("SMA", talib.SMA(close, 10)),
        ("EMA", talib.EMA(close, 50)),
        ("RSI", talib.RSI(close, 7)),
        ("OBV", windowed(talib.OBV(close, bars["volume"].to_numpy()), 5)),
    ):
        warmup = feature_warmup([name], periods)
        ours = out[feature_columns([name])[0]].to_numpy()
        assert np.isnan(ours[:warmup]).all(), name
        np.testing.assert_allclose(ours[warmup:], reference[warmup:], rtol=RTOL)
    assert feature_warmup(["EMA"], periods) == 49 + decay_bars(2 / 51)
    assert feature_warmup(["RSI"], periods) == 7 + decay_bars(1 / 7)
    with pytest.raises(ValueError, match="macd_fast"):
        IndicatorPeriods(macd_fast=30)


def test_short_and_empty_inputs_give_nulls_not_errors(bars: pl.DataFrame) -> None:
    for n in (0, 1, 5, 30):
        out = compute_features(bars.head(n), list(FEATURE_NAMES), intraday=False)
        assert out.height == n
        if n:
            assert out["macd_signal"].null_count() == n


def test_missing_columns_and_nulls_are_refused(bars: pl.DataFrame) -> None:
    with pytest.raises(ValueError, match="volume"):
        compute_features(bars.drop("volume"), ["OBV"])
    with_null = bars.with_columns(
        pl.when(pl.int_range(pl.len()) == 3).then(None).otherwise(pl.col("close")).alias("close")
    )
    with pytest.raises(ValueError, match="missing values in close"):
        compute_features(with_null, ["SMA"])


def test_session_vwap_resets_each_new_york_day() -> None:
    bars = synthetic_bars(
        "AAPL", "30min", datetime(2024, 3, 7, tzinfo=UTC), datetime(2024, 3, 12, tzinfo=UTC)
    )
    out = compute_features(bars, ["VWAP"])  # intraday inferred from the spacing
    day = pl.col("timestamp").dt.convert_time_zone("America/New_York").dt.date()
    typical = (pl.col("high") + pl.col("low") + pl.col("close")) / 3
    expected = bars.select(
        ((typical * pl.col("volume")).cum_sum() / pl.col("volume").cum_sum()).over(day)
    ).to_series()
    np.testing.assert_allclose(out["vwap"].to_numpy(), expected.to_numpy(), rtol=1e-12)
    first_bars = out.filter(
        pl.col("timestamp").dt.convert_time_zone("America/New_York").dt.strftime("%H:%M") == "09:30"
    )
    first_typical = first_bars.select(typical).to_series()
    np.testing.assert_allclose(first_bars["vwap"].to_numpy(), first_typical.to_numpy())


def test_daily_vwap_is_a_rolling_20_bar_vwap(bars: pl.DataFrame) -> None:
    out = compute_features(bars, ["VWAP"])
    typical = (bars["high"] + bars["low"] + bars["close"]) / 3
    tv = (typical * bars["volume"]).to_numpy()
    v = bars["volume"].to_numpy()
    expected = np.convolve(tv, np.ones(20), "valid") / np.convolve(v, np.ones(20), "valid")
    np.testing.assert_allclose(out["vwap"].to_numpy()[19:], expected, rtol=1e-10)
    assert out["vwap"].head(19).null_count() == 19


def test_obv_is_the_signed_volume_of_the_last_20_bars() -> None:
    close = np.array([10.0, 11, 11, 10, 12] + [12.0] * 20 + [13.0])
    volume = np.arange(1.0, close.size + 1)
    bars = pl.DataFrame({"close": close, "volume": volume})
    obv = compute_features(bars, ["OBV"])["obv"].to_numpy()
    assert np.isnan(obv[:20]).all()  # bar 0 has no change: the first window ends at bar 20
    # bars 1..20: +2 (up), 0 (unchanged), -4 (down), +5 (up), then unchanged
    assert obv[20] == 2 - 4 + 5
    assert obv[21] == -4 + 5  # bar 1 left the window
    assert obv[23] == 5 and obv[24] == 0.0
    assert obv[25] == 26  # an up bar enters


def test_a_session_the_frame_starts_inside_is_warm_up() -> None:
    bars = synthetic_bars(
        "AAPL", "30min", datetime(2024, 3, 7, tzinfo=UTC), datetime(2024, 3, 12, tzinfo=UTC)
    )
    full = compute_features(bars, ["VWAP"])
    cut = compute_features(bars.slice(3), ["VWAP"])  # starts at 11:00 New York
    day = pl.col("timestamp").dt.convert_time_zone("America/New_York").dt.date()
    first_day = cut.select(day == day.first()).to_series()
    assert cut.filter(first_day)["vwap"].null_count() == 13 - 3
    later = cut.filter(~first_day)
    assert later["vwap"].null_count() == 0
    np.testing.assert_array_equal(later["vwap"].to_numpy(), full["vwap"].to_numpy()[13:])
