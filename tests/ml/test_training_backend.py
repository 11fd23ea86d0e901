"""The training backend (`KERAS_TRAINING_BACKEND`, `app.ml.backend`): a model trained
under JAX in a spawned child is served under TensorFlow, through the API's own loader,
with the same predictions; the API never imports JAX; the choice stays in the child."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    __import__("importlib.util").util.find_spec("jax") is None, reason="jax is not installed"
)

# Trains a tiny LSTM under JAX (the training child's `apply` first), saves the artifact
# as the job does, and writes the JAX model's own predictions on the test windows.
_JAX_CHILD = textwrap.dedent(
    """
    import os, sys
    os.environ.pop("KERAS_BACKEND", None)
    from app.ml.backend import apply
    assert apply("jax") == "jax"
    from app.ml.backend import current
    from app.ml.training import configure_threads
    configure_threads(1)
    import numpy as np
    from app.ml.architectures import Hyperparameters
    from app.ml.artifacts import save_artifact
    from app.ml.calibration import fit_calibrator
    from app.ml.dataset import make_dataset
    from app.ml.training import predict_scaled, train

    out = sys.argv[1]
    rng = np.random.default_rng(0)
    features = rng.standard_normal((600, 3)).astype(np.float32)
    returns = np.zeros(600)
    returns[1:] = 0.01 * (0.8 * features[:-1, 0] + rng.standard_normal(599))
    close = 100.0 * np.exp(np.cumsum(returns))
    dataset = make_dataset(features, close, lookback=8, horizon_bars=1)
    hp = Hyperparameters(lookback=8, units=8, batch_size=32, learning_rate=1e-2, dropout=0.1)
    result = train(dataset, "LSTM", hp, 1)
    test = dataset.splits.test
    val = predict_scaled(result.model, dataset, dataset.splits.validation)
    calibrator = fit_calibrator(
        val, dataset.split_log_returns(dataset.splits.validation), horizon_bars=1
    )
    sha = save_artifact(out, result.model, dataset.preprocessing, calibrator, {})
    windows = np.ascontiguousarray(dataset.windows(test))
    np.savez(
        os.path.join(out, "jax.npz"),
        windows=windows,
        bulk=predict_scaled(result.model, dataset, test),
        direct=np.asarray(result.model.predict(windows, verbose=0)).reshape(-1),
        sha=sha,
        backend=current(),
        tensorflow="tensorflow" in sys.modules,
    )
    """
)


def _python(code: str, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT)}
    env.pop("KERAS_BACKEND", None)
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_a_model_trained_under_jax_serves_under_tensorflow_with_the_same_predictions(
    tmp_path: Path,
) -> None:
    done = _python(_JAX_CHILD, str(tmp_path))
    assert done.returncode == 0, done.stderr[-3000:]
    saved = np.load(tmp_path / "jax.npz")
    assert str(saved["backend"]) == "jax"
    assert not bool(saved["tensorflow"])  # the JAX child never imports TensorFlow

    import keras

    from app.ml.inference import Predictor

    assert keras.config.backend() == "tensorflow"
    predictor = Predictor.load(tmp_path, str(saved["sha"]))
    served = np.array([predictor.compiled.predict_window(w) for w in saved["windows"]])
    assert served.shape == saved["direct"].shape
    np.testing.assert_allclose(served, saved["direct"], rtol=0, atol=1e-5)
    np.testing.assert_allclose(saved["bulk"], saved["direct"], rtol=0, atol=1e-5)


# A run paused after epoch 2 of 4 under JAX and resumed from its checkpoint (through
# bytes, into a fresh model) computes what an uninterrupted one does, as under
# TensorFlow (tests/ml/test_checkpoint.py): the worker's shutdown path on the default.
_JAX_RESUME = textwrap.dedent(
    """
    import os
    os.environ.pop("KERAS_BACKEND", None)
    from app.ml.backend import apply
    assert apply("jax") == "jax"
    import dataclasses
    import numpy as np
    from app.ml.checkpoint import TrainingCheckpoint
    from app.ml.training import TrainingInterrupted, predict_scaled, train
    from tests.ml.conftest import TINY, dataset_of, planted_series

    hp = dataclasses.replace(TINY, dropout=0.2, patience=10, seed=7)
    data = dataset_of(planted_series(n_bars=500, seed=5))
    whole = train(data, "CNN", hp, 4)
    seen = []
    try:
        train(data, "CNN", hp, 4, on_epoch=lambda e, *_: seen.append(e),
              should_pause=lambda: len(seen) >= 2)
        raise AssertionError("not paused")
    except TrainingInterrupted as stopped:
        checkpoint = TrainingCheckpoint.from_bytes(stopped.checkpoint.to_bytes())
    assert checkpoint.epoch == 2
    resumed = train(data, "CNN", hp, 4, resume=checkpoint)
    assert resumed.resumed_from_epoch == 2
    assert resumed.history == whole.history, (resumed.history, whole.history)
    for a, b in zip(resumed.model.get_weights(), whole.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    test = data.splits.test
    np.testing.assert_array_equal(
        predict_scaled(resumed.model, data, test), predict_scaled(whole.model, data, test)
    )
    """
)


def test_a_run_resumed_under_jax_equals_an_uninterrupted_one() -> None:
    done = _python(_JAX_RESUME)
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_api_and_the_worker_never_import_jax() -> None:
    done = _python(
        "import sys, app.main, app.tasks.worker, app.tasks.supervisor, app.tasks.backtest\n"
        "import app.ml.backend, app.ml.training, app.ml.inference\n"
        "assert 'jax' not in sys.modules, 'jax imported'\n"
        "assert 'keras' not in sys.modules, 'keras imported'\n"
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_jax_falls_back_to_tensorflow_when_it_is_not_installed(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from app.ml import backend

    monkeypatch.setattr(backend, "available", lambda name: False)
    with caplog.at_level("WARNING", logger="app.ml.backend"):
        assert backend.resolve("jax") == "tensorflow"
    assert "falls back to TensorFlow" in caplog.text
    assert backend.resolve("tensorflow") == "tensorflow"
    with pytest.raises(ValueError):
        backend.resolve("torch")


class _Reporter:
    def __init__(self) -> None:
        self.stages: list[str] = []

    async def reached_stage(self, stage: str, progress: dict[str, Any]) -> None:
        self.stages.append(stage)

    async def progress(self, progress: dict[str, Any]) -> None:
        pass

    async def heartbeat(self) -> None:
        pass


@pytest.mark.parametrize("backend", ["jax"])
def test_the_training_child_trains_under_its_backend_and_leaves_the_parent_alone(
    tmp_path: Path, backend: str
) -> None:
    """The job's own child (spawned by `supervise`) trains under JAX; the artifact
    loads here under TensorFlow, and this (the worker's) process's environment, which
    a backtest child inherits, is untouched."""
    from app.ml.inference import Predictor
    from app.services.features import DEFAULT_FEATURES
    from app.services.market_data.synthetic import SyntheticProvider
    from app.tasks.supervisor import TrainingSpec, supervise

    chosen_in_the_child = ("KERAS_BACKEND", "JAX_COMPILATION_CACHE_DIR", "XLA_FLAGS")
    before = {name: os.environ.get(name) for name in chosen_in_the_child}
    bars = asyncio.run(
        SyntheticProvider().fetch_bars(
            "AAPL", "1d", datetime(2021, 1, 1, tzinfo=UTC), datetime(2023, 12, 31, tzinfo=UTC)
        )
    )
    spec = TrainingSpec(
        agent_id="a",
        version_id="v",
        symbol="AAPL",
        frequency="1d",
        horizon="1d",
        horizon_bars=1,
        features=list(DEFAULT_FEATURES),
        architecture="LSTM",
        epochs=1,
        hyperparameters={"lookback": 10, "units": 8, "layers": 1, "batch_size": 64},
        risk_params={},
        out_dir=str(tmp_path),
        seed=0,
        walk_forward_folds=2,
        backend=backend,
        compilation_cache=str(tmp_path / "jax-cache"),
    )
    reporter = _Reporter()
    result = asyncio.run(
        supervise(
            spec,
            bars.write_ipc(None).getvalue(),
            reporter,
            timeout_s=240,
            heartbeat_interval_s=5,
            progress_write_interval_s=1,
        )
    )
    assert reporter.stages == ["EVALUATING"]
    assert result["metrics"]["training_backend"] == backend
    assert {name: os.environ.get(name) for name in chosen_in_the_child} == before
    assert any((tmp_path / "jax-cache").iterdir())  # the folds reused the fit's programs
    assert set(result["stage_seconds"]) >= {"spawn", "fit", "walk_forward", "save"}
    predictor = Predictor.load(result["weights_path"], result["sha256"])
    rows = np.zeros((10, len(predictor.preprocessing.feature_names)), dtype=np.float32)
    assert np.isfinite(predictor.forecast(rows, 100.0).log_return)


def test_the_compilation_cache_is_trimmed_oldest_first(tmp_path: Path) -> None:
    from app.ml.backend import trim_cache

    for n in range(10):
        entry = tmp_path / f"entry{n}"
        entry.write_bytes(b"x" * 100)
        os.utime(entry, (1_000 + n, 1_000 + n))
    trim_cache(str(tmp_path), 1_000)  # at the limit: kept
    assert len(list(tmp_path.iterdir())) == 10
    trim_cache(str(tmp_path), 900)  # over it: down to half, the newest kept
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"entry{n}" for n in range(6, 10)]
    trim_cache(str(tmp_path / "absent"), 10)


# JAX's CPU client sizes its thread pools by the cores the process may run on when it
# starts: `configure_threads` must confine it before that, for any thread count.
_CONFINED_CHILD = textwrap.dedent(
    """
    import json, os, sys, time
    os.environ.pop("XLA_FLAGS", None)
    from app.ml.backend import apply
    assert apply("jax") == "jax"
    from app.ml.training import configure_threads
    configure_threads(int(sys.argv[1]))
    import jax.numpy as jnp
    x = jnp.ones((600, 600))
    (x @ x).block_until_ready()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(40):
        (x @ x).block_until_ready()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({"cores": sorted(os.sched_getaffinity(0)), "cores_busy": cpu / wall}))
    """
)


@pytest.mark.parametrize("threads", [1, 2])
def test_training_threads_confine_jax(threads: int) -> None:
    """`TRAINING_THREADS` caps a JAX child as it caps TensorFlow: one thread keeps it on
    one core (XLA's flags alone left it on every core), and more than one starts JAX at
    all (an `intra_op_parallelism_threads` flag without its dashes aborted the process)."""
    available = len(os.sched_getaffinity(0))
    done = subprocess.run(
        [sys.executable, "-c", _CONFINED_CHILD, str(threads)],
        cwd=ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(seen["cores"]) == min(threads, available)
    if threads == 1:
        assert seen["cores_busy"] < 1.15  # CPU time over wall time: one core at most


def test_the_least_busy_cores_are_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    """A second training child beside a first takes the core the first leaves idle."""
    from app.ml import training

    readings = iter([{0: 100, 1: 100, 2: 100}, {0: 180, 1: 101, 2: 150}])
    monkeypatch.setattr(training, "_busy_ticks", lambda: next(readings))
    assert training._least_busy([0, 1, 2], 1, sample_s=0) == {1}
    readings = iter([{}, {}])  # no /proc/stat: the last cores
    assert training._least_busy([0, 1, 2], 2, sample_s=0) == {1, 2}


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
async def test_a_job_trains_under_its_architectures_backend(
    app_factory: Any, make_worker_settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """`KERAS_TRAINING_BACKEND_BY_ARCHITECTURE` overrides the default for the job's
    architecture: the child reports the backend it trained under, and the version
    records it."""
    from tests.utils.jobs import tiny_agent, wait_for
    from tests.utils.users import bearer, user_with_tokens

    caplog.set_level(logging.INFO, logger="app.tasks.supervisor")
    settings = make_worker_settings(
        keras_training_backend="jax", keras_training_backend_by_architecture={"LSTM": "tensorflow"}
    )
    client = await app_factory(settings)
    _, tokens = await user_with_tokens(client, user_segment="quant")
    created = await client.post("/api/v1/agents", json=tiny_agent("LSTM"), headers=bearer(tokens))
    assert created.status_code == 202, created.text
    agent = await wait_for(client, tokens, created.json()["agent_id"], {"READY"})
    # The supervisor's line: "training <version> (<the child's backend>) took …"
    trained = [r.getMessage() for r in caplog.records if r.name == "app.tasks.supervisor"]
    assert [m.split()[2] for m in trained if " took " in m] == ["(tensorflow)"]
    assert agent["metrics"]["training_backend"] == "tensorflow"
