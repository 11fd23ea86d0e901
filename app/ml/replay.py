"""Forecasts for every bar of a period, for the backtest job.

`Predictor.forecast` answers one request from the latest bars; a backtest needs the
same forecast at each of a few thousand past bars. Computing them one by one would
cost a model call each, so the windows are scaled and run in batches, and each bar's
forecast is what `Predictor.forecast` would have returned had it been called at that
bar (same scaler, same model, same calibrator; batching changes float32 results only
in the last bits, far below the 4 decimals a call is rounded to).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.ml.inference import Predictor

BATCH = 256


@dataclass(frozen=True)
class SeriesForecast:
    """Per bar: predicted log return and calibrated confidence (NaN where the bar has
    fewer than `lookback` finite feature rows behind it)."""

    log_return: npt.NDArray[np.float64]
    confidence: npt.NDArray[np.float64]


def forecast_series(
    predictor: Predictor,
    features: npt.ArrayLike,
    *,
    first: int = 0,
    on_batch: Callable[[int, int], None] | None = None,
) -> SeriesForecast:
    """Forecasts at bars ``first …`` of ``features[n_bars, n_features]`` (raw rows,
    oldest first), each from the ``lookback`` rows ending at that bar; ``on_batch``
    hears (bars done, bars in all) after each batch."""
    rows = np.asarray(features, dtype=np.float32)
    lookback = predictor.preprocessing.lookback
    n = rows.shape[0]
    log_return = np.full(n, np.nan)
    confidence = np.full(n, np.nan)
    ends = list(range(max(first, lookback - 1), n))
    if not ends:
        return SeriesForecast(log_return, confidence)
    scaled_rows = predictor.preprocessing.scaler.transform_features(rows)
    finite = np.asarray(np.isfinite(rows).all(axis=1), dtype=bool)
    usable = [i for i in ends if finite[i - lookback + 1 : i + 1].all()]
    for start in range(0, len(usable), BATCH):
        chunk = usable[start : start + BATCH]
        windows = np.stack([scaled_rows[i - lookback + 1 : i + 1] for i in chunk])
        scaled = predictor.compiled.predict(windows)
        log_return[chunk] = predictor.preprocessing.scaler.unscale_target(scaled)
        confidence[chunk] = predictor.calibrator.confidence(scaled)
        if on_batch is not None:
            on_batch(start + len(chunk), len(usable))
    return SeriesForecast(log_return, confidence)
