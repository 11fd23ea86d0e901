"""`CompiledModel(background_jit=True)`: the plain graph serves at once, XLA is
compiled off the caller's thread and swapped in, and both give the same outputs."""

from __future__ import annotations

import threading
import weakref
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tensorflow as tf

from app.ml import inference
from app.ml.architectures import Hyperparameters, build_model
from app.ml.artifacts import save_artifact
from app.ml.inference import CompiledModel, Predictor
from tests.ml.conftest import Trained

JIT_WAIT_S = 300.0  # a guard against a hung thread, not a timing assertion


class _HeldCompiler:
    """Stands in for the background thread: compiles only when the test says so.

    It holds only the test's own models: a preload thread of an earlier test's app in
    this process (one not closed, or whose load outlasted its store's wait at close)
    may still submit one, which made `submitted` hold two models once in CI."""

    def __init__(self) -> None:
        self.submitted: list[CompiledModel] = []
        self._thread = threading.get_ident()

    def submit(self, compiled: CompiledModel) -> None:
        if threading.get_ident() == self._thread:
            self.submitted.append(compiled)


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> _HeldCompiler:
    compiler = _HeldCompiler()
    monkeypatch.setattr(inference._JitCompiler, "instance", classmethod(lambda cls: compiler))
    return compiler


@pytest.fixture(autouse=True)
def fresh_graphs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no structure loaded: what it asserts is the first load."""
    forget_structures(monkeypatch)


def forget_structures(patch: pytest.MonkeyPatch) -> None:
    for registry in ("_GRAPHS", "_FILE_GRAPHS"):
        patch.setattr(inference, registry, weakref.WeakValueDictionary())


@pytest.mark.parametrize("architecture", ["LSTM", "CNN", "Transformer"])
def test_plain_graph_serves_first_then_xla_with_the_same_outputs(
    architecture: str, held: _HeldCompiler
) -> None:
    model = build_model(architecture, Hyperparameters(lookback=12, units=8), 4)
    compiled = CompiledModel(model, warm_batch_sizes=(1, 5), background_jit=True)
    assert held.submitted == [compiled]
    assert compiled.jit_compiled is False
    assert compiled.wait_for_jit(timeout=0) is False  # not settled: XLA still to come

    x = np.random.default_rng(1).standard_normal((5, 12, 4)).astype(np.float32)
    expected = model(x, training=False).numpy().reshape(-1)
    plain = compiled.predict(x)
    np.testing.assert_allclose(plain, expected, atol=1e-5)
    plain_forward = compiled._forward

    compiled._compile_jit_now()  # what the background thread runs

    assert compiled.jit_compiled is True
    assert compiled.wait_for_jit(timeout=0) is True
    assert compiled._forward is not plain_forward
    np.testing.assert_allclose(compiled.predict(x), plain, atol=1e-5)
    assert compiled.predict_window(x[3]) == pytest.approx(float(plain[3]), abs=1e-5)


def test_xla_that_fails_leaves_the_plain_graph_serving(
    held: _HeldCompiler, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = CompiledModel(
        build_model("CNN", Hyperparameters(lookback=6, units=4), 2), background_jit=True
    )
    plain_forward = compiled._forward
    original = inference.SharedGraph._compile

    def no_xla(self: inference.SharedGraph, tf_module: Any, jit_compile: bool, batches: Any) -> Any:
        if jit_compile:
            raise tf.errors.InvalidArgumentError(None, None, "XLA says no")
        return original(self, tf_module, jit_compile, batches)

    monkeypatch.setattr(inference.SharedGraph, "_compile", no_xla)
    compiled._compile_jit_now()
    assert compiled.wait_for_jit(timeout=0) is False
    assert compiled._forward is plain_forward
    assert compiled.predict(np.zeros((1, 6, 2), np.float32)).shape == (1,)


def test_the_background_thread_swaps_while_callers_keep_calling() -> None:
    """The real compiler thread: calls made before, during and after the swap all
    answer, with the same value; the swap ends with the XLA function serving."""
    model = build_model("LSTM", Hyperparameters(lookback=10, units=8), 3)
    x = np.random.default_rng(2).standard_normal((1, 10, 3)).astype(np.float32)
    expected = float(model(x, training=False).numpy().reshape(-1)[0])
    compiled = CompiledModel(model, background_jit=True)
    answers: list[float] = []
    done = threading.Event()

    def keep_calling() -> None:
        while not done.is_set():
            answers.append(compiled.predict_window(x[0]))

    caller = threading.Thread(target=keep_calling)
    caller.start()
    try:
        assert compiled.wait_for_jit(timeout=JIT_WAIT_S) is True
        answers.append(compiled.predict_window(x[0]))
    finally:
        done.set()
        caller.join()
    assert answers
    np.testing.assert_allclose(answers, expected, atol=1e-5)


def test_predictor_load_in_the_background_mode(
    tmp_path: Path, planted: Trained, held: _HeldCompiler
) -> None:
    ds = planted.dataset
    sha = save_artifact(tmp_path, planted.result.model, ds.preprocessing, planted.calibrator, {})
    lazy = Predictor.load(tmp_path, sha, background_jit=True)
    assert lazy.compiled.jit_compiled is False and held.submitted == [lazy.compiled]
    with pytest.MonkeyPatch.context() as patch:  # the eager reference on a graph of its own
        forget_structures(patch)
        eager = Predictor.load(tmp_path, sha)
    assert eager.compiled.jit_compiled is True
    assert lazy.compiled.estimated_bytes == eager.compiled.estimated_bytes

    t = ds.end_bar(ds.splits.test.start)
    raw = ds.scaler.feature_std * ds.features + np.asarray(ds.scaler.feature_mean)
    before = lazy.forecast(raw[: t + 1], last_close=float(ds.close[t]))
    lazy.compiled._compile_jit_now()
    after = lazy.forecast(raw[: t + 1], last_close=float(ds.close[t]))
    reference = eager.forecast(raw[: t + 1], last_close=float(ds.close[t]))
    for forecast in (before, after):
        assert forecast.log_return == pytest.approx(reference.log_return, abs=1e-5)
        assert forecast.confidence == pytest.approx(reference.confidence, abs=1e-4)


def test_a_second_model_of_a_compiled_structure_is_served_by_xla_at_once(
    held: _HeldCompiler,
) -> None:
    """The cold path after the first load of a structure: no trace, no compilation."""
    hp = Hyperparameters(lookback=8, units=8)
    first = CompiledModel(build_model("LSTM", hp, 3), background_jit=True)
    first._compile_jit_now()
    second_model = build_model("LSTM", hp, 3)
    second = CompiledModel(second_model, background_jit=True)
    assert held.submitted == [first]  # nothing more to compile
    assert second.jit_compiled is True and second.graph is first.graph
    x = np.random.default_rng(5).standard_normal((1, 8, 3)).astype(np.float32)
    expected = second_model(x, training=False).numpy().reshape(-1)
    np.testing.assert_allclose(second.predict(x), expected, atol=1e-5)
