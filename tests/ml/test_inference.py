"""Compiled single-window inference, the predictor, the model cache, and the
promise that the API can import `app.ml` without TensorFlow."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.ml import artifacts, inference
from app.ml.architectures import Hyperparameters, build_model
from app.ml.artifacts import save_artifact
from app.ml.conformal import split_scales
from app.ml.inference import (
    BYTES_PER_GRAPH_OP,
    TENSOR_OVERHEAD_BYTES,
    WEIGHTS_FACTOR,
    CompiledModel,
    ModelCache,
    Predictor,
    structure_key,
)
from tests.ml.conftest import Trained, interval_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("architecture", ["LSTM", "CNN", "Transformer"])
def test_compiled_call_equals_the_model_call(architecture: str) -> None:
    hp = Hyperparameters(lookback=12, units=8, layers=2, dropout=0.2)
    model = build_model(architecture, hp, 4)
    compiled = CompiledModel(model, warm_batch_sizes=(1, 5))
    x = np.random.default_rng(0).standard_normal((5, 12, 4)).astype(np.float32)
    expected = model(x, training=False).numpy().reshape(-1)
    np.testing.assert_allclose(compiled.predict(x), expected, atol=1e-5)
    assert compiled.predict_window(x[2]) == pytest.approx(float(expected[2]), abs=1e-5)
    # The flat entry point serving calls gives what the signature-checked call gives.
    assert compiled.graph is not None
    trainable = len(model.trainable_variables)
    weights = compiled._weights
    checked = compiled.graph._forward(weights[:trainable], weights[trainable:], x)
    np.testing.assert_array_equal(compiled.graph(weights, x).numpy(), checked.numpy())


def test_compiled_model_refuses_the_wrong_shape() -> None:
    compiled = CompiledModel(build_model("CNN", Hyperparameters(lookback=6, units=4), 2))
    with pytest.raises(ValueError, match="shape"):
        compiled.predict(np.zeros((1, 7, 2), np.float32))


def test_predictor_forecast_matches_the_training_pipeline(tmp_path: Path, planted: Trained) -> None:
    ds = planted.dataset
    sha = save_artifact(tmp_path, planted.result.model, ds.preprocessing, planted.calibrator, {})
    predictor = Predictor.load(tmp_path, sha)
    assert predictor.sha256 == sha
    sample = ds.splits.test.start + 3
    t = ds.end_bar(sample)
    raw = ds.scaler.feature_std * ds.features + np.asarray(ds.scaler.feature_mean)  # unscale
    forecast = predictor.forecast(raw[: t + 1], last_close=float(ds.close[t]))
    index = 3
    assert forecast.log_return == pytest.approx(planted.predicted_test[index], abs=1e-5)
    assert forecast.confidence == pytest.approx(planted.confidence_test[index], abs=1e-4)
    assert forecast.predicted_price == pytest.approx(ds.close[t] * np.exp(forecast.log_return))
    with pytest.raises(ValueError, match="feature rows"):
        predictor.forecast(raw[:2], last_close=1.0)
    # Saved without an interval (as every version before intervals): no interval.
    assert predictor.interval is None
    assert forecast.predicted_price_low is None and forecast.predicted_price_high is None
    assert forecast.interval_coverage is None


def test_predictor_forecast_carries_the_fitted_interval(tmp_path: Path, planted: Trained) -> None:
    ds = planted.dataset
    interval = interval_of(planted)
    assert interval.normalised and interval.scale_window is not None
    sha = save_artifact(
        tmp_path, planted.result.model, ds.preprocessing, planted.calibrator, {}, interval=interval
    )
    predictor = Predictor.load(tmp_path, sha)
    assert predictor.interval == interval
    index = 3
    t = ds.end_bar(ds.splits.test.start + index)
    raw = ds.scaler.feature_std * ds.features + np.asarray(ds.scaler.feature_mean)
    close = float(ds.close[t])
    # With the closes: the width the test split's coverage was measured with.
    forecast = predictor.forecast(raw[: t + 1], close, closes=ds.close[: t + 1])
    scales = split_scales(ds, ds.splits.test, interval.scale_window)
    assert scales is not None
    half = interval.half_width(float(scales[index]))
    assert forecast.interval_coverage == interval.coverage == 0.8
    assert forecast.predicted_price_low == pytest.approx(
        close * np.exp(forecast.log_return - half), rel=1e-9
    )
    assert forecast.predicted_price_high == pytest.approx(
        close * np.exp(forecast.log_return + half), rel=1e-9
    )
    assert forecast.predicted_price_low < forecast.predicted_price < forecast.predicted_price_high
    # The last `lookback` closes are enough; without closes the fixed-width fallback.
    tail = predictor.forecast(raw[: t + 1], close, closes=ds.close[t + 1 - ds.lookback : t + 1])
    assert tail.predicted_price_low == pytest.approx(forecast.predicted_price_low, rel=1e-9)
    plain = predictor.forecast(raw[: t + 1], close)
    assert plain.predicted_price_high == pytest.approx(
        close * np.exp(plain.log_return + interval.absolute_quantile), rel=1e-9
    )
    assert plain.interval_coverage == 0.8


def test_compiled_model_is_safe_to_call_from_a_thread_pool(planted: Trained) -> None:
    compiled = CompiledModel(planted.result.model)
    windows = planted.dataset.windows(planted.dataset.splits.test)[:64]
    expected = np.array([compiled.predict_window(w) for w in windows])
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = np.array(list(pool.map(compiled.predict_window, windows)))
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_model_cache_evicts_the_least_recently_used() -> None:
    cache: ModelCache[str, int] = ModelCache(max_models=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now the most recent
    cache.put("c", 3)
    assert "b" not in cache and cache.keys() == ["a", "c"]
    cache.evict("a")
    assert len(cache) == 1
    with pytest.raises(ValueError):
        ModelCache(0)


def test_model_cache_evicts_the_least_recently_used_until_under_its_byte_budget() -> None:
    # The values are their own sizes.
    cache: ModelCache[str, int] = ModelCache(max_models=10, max_bytes=10, sizer=lambda v: v)
    cache.put("a", 4)
    cache.put("b", 4)
    assert cache.get("a") == 4  # a is now the most recent
    cache.put("c", 4)  # 12 bytes: b goes
    assert cache.keys() == ["a", "c"] and cache.bytes == 8
    cache.put("d", 9)  # a goes, then c
    assert cache.keys() == ["d"] and cache.bytes == 9
    cache.put("e", 20)  # alone over the budget it stays: evicting it would reload it per call
    assert cache.keys() == ["e"] and cache.bytes == 20
    cache.put("e", 3)  # replaced, not counted twice
    cache.put("f", 7)
    assert cache.keys() == ["e", "f"] and cache.bytes == 10
    cache.evict("e")
    assert cache.bytes == 7
    assert cache.get_or_load("g", lambda: 2) == 2 and cache.bytes == 9
    cache.clear()
    assert cache.bytes == 0 and len(cache) == 0


def test_model_cache_keeps_both_its_bounds() -> None:
    cache: ModelCache[str, int] = ModelCache(max_models=2, max_bytes=100, sizer=lambda v: v)
    for key in "abc":
        cache.put(key, 1)
    assert cache.keys() == ["b", "c"] and cache.bytes == 2
    with pytest.raises(ValueError, match="sizer"):
        ModelCache(2, max_bytes=100)
    with pytest.raises(ValueError):
        ModelCache(2, max_bytes=0, sizer=len)


def tensors(compiled: CompiledModel) -> int:
    return len(compiled._weights)


def weights_bytes(model: Any) -> int:
    """Bytes of every variable of a Keras model, trainable or not (a dropout layer's
    seed state too): what a `CompiledModel` should say it holds."""
    return sum(
        int(np.prod(variable.shape)) * np.dtype(str(variable.dtype)).itemsize
        for variable in (*model.trainable_variables, *model.non_trainable_variables)
    )


def test_compiled_model_estimates_its_memory_from_its_graph_and_weights() -> None:
    """The first model of a structure is charged its graph; later ones their weights."""

    def compiled(**overrides: int) -> tuple[CompiledModel, int]:
        hp = Hyperparameters(lookback=6, units=8, dropout=0.0).replace(lookback=7, **overrides)
        model = build_model("LSTM", hp, 3)
        return CompiledModel(model), weights_bytes(model)

    (small, small_w), (wide, wide_w), (deep, deep_w) = (
        compiled(),
        compiled(units=64),
        compiled(layers=2),
    )
    for model, weights in ((small, small_w), (wide, wide_w), (deep, deep_w)):
        assert model.graph is not None
        ops = len(model.graph._forward.graph.get_operations())
        assert model.estimated_bytes == (
            BYTES_PER_GRAPH_OP * ops
            + WEIGHTS_FACTOR * weights
            + TENSOR_OVERHEAD_BYTES * tensors(model)
        )
    # More weights cost more; so does another layer (a bigger graph) of the same width.
    assert wide.estimated_bytes > small.estimated_bytes
    assert deep.estimated_bytes - small.estimated_bytes > 2 * WEIGHTS_FACTOR * (deep_w - small_w)
    # A second model of a loaded structure shares its graph: it costs its weights.
    again, again_w = compiled()
    assert again.graph is small.graph
    assert again.estimated_bytes == WEIGHTS_FACTOR * again_w + TENSOR_OVERHEAD_BYTES * tensors(
        again
    )


@pytest.mark.parametrize("architecture", ["LSTM", "CNN", "Transformer"])
def test_models_of_one_structure_share_a_graph_and_keep_their_own_weights(
    architecture: str,
) -> None:
    hp = Hyperparameters(lookback=9, units=8, layers=1, dropout=0.1)
    first, second = build_model(architecture, hp, 3), build_model(architecture, hp, 3)
    second.set_weights([w + 0.05 for w in second.get_weights()])  # seeded: make them differ
    other = build_model(architecture, hp.replace(units=16), 3)
    a, b, c = CompiledModel(first), CompiledModel(second), CompiledModel(other)
    assert structure_key(first) == structure_key(second) != structure_key(other)
    assert a.graph is b.graph and c.graph is not a.graph
    x = np.random.default_rng(4).standard_normal((3, 9, 3)).astype(np.float32)
    for compiled, model in ((a, first), (b, second), (c, other)):
        expected = model(x, training=False).numpy().reshape(-1)
        np.testing.assert_allclose(compiled.predict(x), expected, atol=1e-5)
    assert not np.allclose(a.predict(x), b.predict(x))  # their own weights, not the template's


@pytest.mark.parametrize("architecture", ["LSTM", "CNN", "Transformer"])
def test_a_file_of_a_loaded_structure_is_read_as_its_weights(
    tmp_path: Path, planted: Trained, architecture: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first file of a structure is loaded by Keras and teaches where its weights
    lie; later files of that structure are read as weights alone, onto the same graph,
    and answer as their own Keras models do."""
    pre = planted.dataset.preprocessing
    hp = Hyperparameters(lookback=pre.lookback, units=8, layers=1, dropout=0.1)
    models = [build_model(architecture, hp, len(pre.feature_names)) for _ in range(3)]
    for shift, model in enumerate(models):  # seeded alike: make them differ
        model.set_weights([w + 0.05 * shift for w in model.get_weights()])
    shas = [
        save_artifact(tmp_path / str(i), model, pre, planted.calibrator, {})
        for i, model in enumerate(models)
    ]
    first = Predictor.load(tmp_path / "0", shas[0])
    assert first.compiled.graph is not None and first.compiled.graph.layout is not None
    keras_loads: list[Path] = []
    keras_load = artifacts._load_model
    monkeypatch.setattr(artifacts, "_load_model", lambda p: keras_loads.append(p) or keras_load(p))
    later = [Predictor.load(tmp_path / str(i), shas[i]) for i in (1, 2)]
    assert keras_loads == []
    assert all(p.compiled.graph is first.compiled.graph and p.compiled.model is None for p in later)
    x = np.random.default_rng(5).standard_normal(
        (4, *first.compiled.graph.template.input_shape[1:])
    )
    for predictor, model in zip([first, *later], models, strict=True):
        expected = model(x.astype(np.float32), training=False).numpy().reshape(-1)
        np.testing.assert_allclose(predictor.compiled.predict(x), expected, atol=1e-5)
    # Another structure is loaded by Keras (and a damaged file is still refused).
    other = build_model(architecture, hp.replace(units=12), len(pre.feature_names))
    sha = save_artifact(tmp_path / "other", other, pre, planted.calibrator, {})
    assert Predictor.load(tmp_path / "other", sha).compiled.graph is not first.compiled.graph
    assert keras_loads == [tmp_path / "other" / "model.keras"]


def test_a_structure_graph_lives_as_long_as_a_model_uses_it() -> None:
    hp = Hyperparameters(lookback=5, units=4, dropout=0.0)
    compiled = CompiledModel(build_model("CNN", hp, 2))
    key = next(k for k, g in inference._GRAPHS.items() if g is compiled.graph)
    del compiled
    gc.collect()
    assert key not in inference._GRAPHS


def test_model_cache_loads_each_key_once_under_concurrency() -> None:
    cache: ModelCache[str, object] = ModelCache(max_models=4)
    loads: list[str] = []
    gate = threading.Event()

    def loader() -> object:
        loads.append("x")
        gate.wait(1.0)
        return object()

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(cache.get_or_load, "v1", loader) for _ in range(8)]
        gate.set()
        results = {id(f.result()) for f in futures}
    assert loads == ["x"] and len(results) == 1


def test_a_failed_load_is_not_cached() -> None:
    cache: ModelCache[str, int] = ModelCache(max_models=2)

    def broken() -> int:
        raise OSError("disk gone")

    with pytest.raises(OSError):
        cache.get_or_load("v1", broken)
    assert cache.get_or_load("v1", lambda: 7) == 7


def test_importing_the_api_facing_modules_does_not_import_tensorflow() -> None:
    code = (
        "import sys\n"
        "import app.ml.dataset, app.ml.architectures, app.ml.training, app.ml.calibration\n"
        "import app.ml.evaluation, app.ml.artifacts, app.ml.inference\n"
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
