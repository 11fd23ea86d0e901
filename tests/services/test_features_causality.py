"""Property: features are strictly causal. Changing bars after t leaves every feature
at bars <= t unchanged, whatever the change."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from app.services.features import FEATURE_NAMES, compute_features, feature_columns, feature_warmup

COLUMNS = feature_columns(FEATURE_NAMES)


def bars_from(seed: int, n: int, minutes: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    close = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, n)))
    open_ = close * np.exp(rng.normal(0, 0.005, n))
    high = np.maximum(open_, close) * (1 + rng.uniform(0, 0.01, n))
    low = np.minimum(open_, close) * (1 - rng.uniform(0, 0.01, n))
    volume = rng.integers(0, 10_000, n).astype(float)
    start = np.datetime64("2024-03-08T14:30", "us")  # spans the DST weekend for VWAP
    stamps = start + (np.arange(n) * minutes).astype("timedelta64[m]")
    return pl.DataFrame(
        {
            "timestamp": pl.Series(stamps).dt.replace_time_zone("UTC"),
            "open": open_,
            "high": high,
            "low": low,
            "close": close,
            "volume": volume,
        }
    )


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(40, 160),
    cut=st.floats(0.0, 1.0),
    change_seed=st.integers(0, 2**32 - 1),
    minutes=st.sampled_from([30, 1440]),
)
def test_changing_the_future_never_changes_the_past(
    seed: int, n: int, cut: float, change_seed: int, minutes: int
) -> None:
    bars = bars_from(seed, n, minutes)
    t = int(cut * (n - 1))
    future = bars_from(change_seed, n, minutes).with_columns(bars["timestamp"])
    changed = pl.concat([bars.head(t + 1), future.slice(t + 1)])
    original = compute_features(bars, list(FEATURE_NAMES)).select(COLUMNS).head(t + 1)
    altered = compute_features(changed, list(FEATURE_NAMES)).select(COLUMNS).head(t + 1)
    assert_frame_equal(original, altered, check_exact=True)


@hypothesis_settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(40, 160), cut=st.floats(0.0, 1.0))
def test_truncating_the_history_gives_the_same_past(seed: int, n: int, cut: float) -> None:
    bars = bars_from(seed, n, 1440)
    t = int(cut * (n - 1))
    full = compute_features(bars, list(FEATURE_NAMES)).select(COLUMNS).head(t + 1)
    prefix = compute_features(bars.head(t + 1), list(FEATURE_NAMES), intraday=False)
    assert_frame_equal(full, prefix.select(COLUMNS), check_exact=True)


@hypothesis_settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(500, 900),
    offset=st.integers(1, 60),
    minutes=st.sampled_from([30, 1440]),
)
def test_a_value_does_not_depend_on_where_the_frame_starts(
    seed: int, n: int, offset: int, minutes: int
) -> None:
    """Past the warm-up, a frame that starts `offset` bars later (in the middle of a
    session, too) gives every bar the value it has on the whole frame: 1e-9 relative,
    or 1e-12 of the column's scale near zero."""
    bars = bars_from(seed, n, minutes)
    warmup = feature_warmup(FEATURE_NAMES)
    full = compute_features(bars, list(FEATURE_NAMES)).select(COLUMNS).slice(offset + warmup)
    later = compute_features(bars.slice(offset), list(FEATURE_NAMES)).select(COLUMNS)
    later = later.slice(warmup)
    assert later.null_count().sum_horizontal().item() == 0
    for column in COLUMNS:
        expected, actual = full[column].to_numpy(), later[column].to_numpy()
        scale = max(1.0, float(np.abs(expected).max()))
        np.testing.assert_allclose(actual, expected, rtol=1e-9, atol=1e-12 * scale, err_msg=column)
