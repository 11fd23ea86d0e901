"""Forecasts for a whole period (the backtest's) are the forecasts single calls make,
and a bar's forecast never reads a later bar."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.ml.artifacts import save_artifact
from app.ml.inference import Predictor
from app.ml.replay import forecast_series
from tests.ml.conftest import Trained


def test_series_forecasts_are_single_calls_and_never_look_ahead(
    tmp_path: Path, planted: Trained
) -> None:
    ds = planted.dataset
    sha = save_artifact(tmp_path, planted.result.model, ds.preprocessing, planted.calibrator, {})
    predictor = Predictor.load(tmp_path, sha)
    raw = ds.scaler.feature_std * ds.features + np.asarray(ds.scaler.feature_mean)
    first = ds.splits.test.start
    series = forecast_series(predictor, raw, first=first)
    assert np.isnan(series.log_return[:first]).all()
    for t in (first, first + 7, len(raw) - 1):
        single = predictor.forecast(raw[: t + 1], last_close=float(ds.close[t]))
        assert series.log_return[t] == pytest.approx(single.log_return, abs=1e-6)
        assert series.confidence[t] == pytest.approx(single.confidence, abs=1e-6)

    cut = first + 20
    changed = raw.copy()
    changed[cut + 1 :] *= -3.0  # a different future
    again = forecast_series(predictor, changed, first=first)
    np.testing.assert_array_equal(again.log_return[: cut + 1], series.log_return[: cut + 1])
    assert not np.allclose(again.log_return[cut + 5 :], series.log_return[cut + 5 :])

    gap = raw.copy()
    gap[first + 3] = np.nan  # a bar without features: no forecast while it is in the window
    holed = forecast_series(predictor, gap, first=first)
    lookback = ds.preprocessing.lookback
    assert np.isnan(holed.log_return[first + 3 : first + 3 + lookback]).all()
    assert np.isfinite(holed.log_return[first + 3 + lookback])
