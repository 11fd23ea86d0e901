"""Training/serving parity (issue 11): a bar's feature row, and the forecast made from
it, are the same whether they come from the training run or from /predict.

Training computes features on the whole frame from the agent's start date
(`app.tasks.supervisor.training_frame`); /predict computes them on the window it
fetches before `as_of` (`bars_needed` bars through `BarsCache.recent`, then
`serving_features`). Both paths are the production functions, not copies of them.
For every feature and every frequency, at random `as_of` instants in the last 15 %
of a long synthetic frame, every row the model would read (the look-back window
ending at the last complete bar) must equal the training row of the same bar.

Tolerance: 1e-9 relative, or 1e-12 of the column's scale (its largest magnitude on
the frame) for values near zero, such as a MACD crossing zero: MACD is a difference
of two prices, so on a $5,000 stock no computation is exact to better than ~1e-12
in absolute terms.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import polars as pl
import pytest
from httpx import AsyncClient

from app.ml.architectures import default_hyperparameters
from app.ml.dataset import Preprocessing
from app.models import AgentVersion
from app.services.bars_cache import BarsCache
from app.services.features import FEATURE_NAMES, feature_columns
from app.services.market_data.frequency import FREQUENCY_NAMES, bar_close
from app.services.market_data.synthetic import SyntheticProvider, synthetic_bars
from app.services.predictions.service import bars_needed, serving_features
from app.tasks.supervisor import TrainingSpec, prepare, training_frame
from tests.utils.client import runtime_of
from tests.utils.serving import ready_agent
from tests.utils.users import bearer, user_with_tokens

SYMBOL = "PARITY"
FEATURES = list(FEATURE_NAMES)
COLUMNS = feature_columns(FEATURES)
RTOL = 1e-9
ATOL_OF_SCALE = 1e-12
CUTS = 6
TEST_FRACTION = 0.15

# Long training frames: thousands of bars, well past every warm-up.
RANGES: dict[str, tuple[date, date]] = {
    "1min": (date(2024, 1, 2), date(2024, 3, 1)),
    "5min": (date(2023, 7, 3), date(2024, 3, 1)),
    "15min": (date(2023, 1, 3), date(2024, 3, 1)),
    "30min": (date(2022, 6, 1), date(2024, 3, 1)),
    "1h": (date(2021, 6, 1), date(2024, 3, 1)),
    "1d": (date(2011, 1, 3), date(2024, 3, 1)),
    "1wk": (date(1994, 1, 3), date(2024, 3, 1)),
}


def midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC)


def random_as_of(frame: pl.DataFrame, frequency: str, rng: np.random.Generator) -> datetime:
    """An instant in the last 15 % of the frame: after a bar closed, before the next."""
    n = frame.height
    i = int(rng.integers(int(n * (1 - TEST_FRACTION)), n - 1))
    stamps = frame["timestamp"]
    closed, next_close = bar_close(frequency, stamps[i]), bar_close(frequency, stamps[i + 1])
    return closed + (next_close - closed) * float(rng.uniform(0.0, 0.999))


def served_frames(frequency: str, lookback: int, as_of: datetime) -> list[pl.DataFrame]:
    """What /predict computes at `as_of`: features on the window of bars it fetched,
    and on the fewest bars it accepts (a vendor whose history starts there)."""
    needed = bars_needed(FEATURES, frequency, lookback)
    bars = asyncio.run(
        BarsCache().recent(SyntheticProvider(), "synthetic", SYMBOL, frequency, needed, as_of)
    )
    assert bars.height >= needed
    return [serving_features(window, FEATURES) for window in (bars, bars.tail(needed))]


def worst_mismatch(served: pl.DataFrame, trained: pl.DataFrame) -> tuple[float, str]:
    """The largest |served − trained| / tolerance over the columns, and where."""
    worst, where = 0.0, ""
    for column in COLUMNS:
        s = served[column].to_numpy().astype(np.float64)
        t = trained[column].to_numpy().astype(np.float64)
        scale = max(1.0, float(np.nanmax(np.abs(t))))
        ratio = np.abs(s - t) / (RTOL * np.abs(t) + ATOL_OF_SCALE * scale)
        ratio = np.where(np.isnan(s) | np.isnan(t), np.inf, ratio)
        k = int(np.argmax(ratio))
        if ratio[k] > worst:
            worst = float(ratio[k])
            where = f"{column} at row {k}: served {s[k]!r}, trained {t[k]!r}"
    return worst, where


@pytest.mark.parametrize("frequency", FREQUENCY_NAMES)
def test_served_rows_equal_the_training_rows(frequency: str) -> None:
    start, end = RANGES[frequency]
    lookback = default_hyperparameters(frequency, "LSTM").lookback
    bars = synthetic_bars(SYMBOL, frequency, midnight(start), midnight(end))
    trained, _ = training_frame(bars, FEATURES)
    rng = np.random.default_rng(sum(map(ord, frequency)))
    for _ in range(CUTS):
        as_of = random_as_of(bars, frequency, rng)
        for served in served_frames(frequency, lookback, as_of):
            window = served.tail(lookback)
            assert bar_close(frequency, window["timestamp"][-1]) <= as_of
            assert window.select(COLUMNS).null_count().sum_horizontal().item() == 0
            same_bars = window.select("timestamp").join(trained, on="timestamp", how="left")
            assert same_bars.height == lookback
            worst, where = worst_mismatch(window, same_bars)
            assert worst <= 1.0, (
                f"{frequency} as_of {as_of.isoformat()} on {served.height} bars: served row "
                f"differs from training ({worst:.3g} x tolerance): {where}"
            )


def test_served_prediction_equals_the_evaluations(daily_artifact: Any) -> None:
    """The forecast /predict serves for a test-split bar is the one evaluation made.

    The evaluation's predictions are recomputed exactly as the job made them
    (`prepare`, then `predict_scaled` on the test split, with the saved model); the
    served one goes through the serving window, `serving_features` and `Predictor`.
    The two run the same network on the same float32 inputs, one as a batch and
    one as a single compiled window, so they agree to float32 rounding.
    """
    from app.ml.artifacts import load_artifact
    from app.ml.inference import Predictor
    from app.ml.training import predict_scaled

    artifact = daily_artifact
    sha = artifact.result["sha256"]
    prep = artifact.result["preprocessing"]
    lookback = int(prep["lookback"])
    columns = list(prep["feature_names"])
    start, end = midnight(artifact.start), midnight(artifact.end)
    bars = asyncio.run(SyntheticProvider().fetch_bars("AAPL", artifact.frequency, start, end))
    spec = TrainingSpec(
        agent_id="parity",
        version_id="parity",
        symbol="AAPL",
        frequency=artifact.frequency,
        horizon=artifact.horizon,
        horizon_bars=int(prep["horizon_bars"]),
        features=features_of(columns),
        architecture="LSTM",
        epochs=1,
        hyperparameters={"lookback": lookback},
        risk_params={},
        out_dir="",
        seed=0,
    )
    dataset, _ = prepare(spec, bars)
    frame, _ = training_frame(bars, spec.features)
    test = dataset.splits.test
    evaluated = predict_scaled(load_artifact(artifact.directory, sha).model, dataset, test)
    predictor = Predictor.load(artifact.directory, sha)
    rng = np.random.default_rng(11)
    for sample in rng.choice(test.indices, size=5, replace=False):
        bar = int(dataset.end_bar(sample))
        stamp = frame["timestamp"][bar]
        as_of = bar_close(artifact.frequency, stamp) + timedelta(minutes=1)
        needed = bars_needed(spec.features, artifact.frequency, lookback)
        served_bars = asyncio.run(
            BarsCache().recent(
                SyntheticProvider(), "synthetic", "AAPL", artifact.frequency, needed, as_of
            )
        )
        assert served_bars["timestamp"][-1] == stamp
        rows = serving_features(served_bars, spec.features).select(columns).tail(lookback)
        forecast = predictor.forecast(
            rows.to_numpy().astype(np.float32), float(served_bars["close"][-1])
        )
        expected = float(evaluated[sample - test.start])
        assert forecast.scaled_output == pytest.approx(expected, rel=1e-6, abs=1e-6), stamp
        log_return = float(dataset.scaler.unscale_target(np.array([expected]))[0])
        # The network's float32 tolerance above, in log-return units.
        scale = dataset.scaler.target_std
        assert forecast.log_return == pytest.approx(log_return, rel=1e-6, abs=1e-6 * scale)


def features_of(columns: list[str]) -> list[str]:
    """The feature names whose columns these are (an artifact stores columns)."""
    return [name for name in FEATURE_NAMES if set(feature_columns([name])) <= set(columns)]


async def test_a_model_of_the_running_total_obv_is_refused(
    client: AsyncClient, daily_artifact: Any
) -> None:
    """An artifact from before FEATURE_VERSION 2 that reads `obv` learnt OBV as a running
    total from its start date: /predict refuses it and flags the agent for retraining
    rather than feed it the windowed OBV."""
    user, tokens = await user_with_tokens(client)
    agent_id, version_id = await ready_agent(client, user["id"], daily_artifact)
    async with runtime_of(client).sessionmaker() as session:
        version = await session.get(AgentVersion, uuid.UUID(version_id))
        assert version is not None and version.preprocessing["feature_version"] == 2
        old = {k: v for k, v in version.preprocessing.items() if k != "feature_version"}
        assert Preprocessing.from_json(old).feature_version == 1  # predates the field
        version.preprocessing = {**old, "feature_names": [*old["feature_names"], "obv"]}
        session.add(version)
        await session.commit()
    body = {
        "user_segment": "short_term_trader",
        "stocks": ["AAPL"],
        "data_frequency": "1d",
        "prediction_horizon": "1d",
    }
    response = await client.post("/api/v1/predict", json=body, headers=bearer(tokens))
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "model_unavailable" and "obv" in error["message"]
    agent = (await client.get(f"/api/v1/agents/{agent_id}", headers=bearer(tokens))).json()
    assert agent["needs_retraining"] is True
