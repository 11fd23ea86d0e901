"""Training throughput: our pipeline against a plain `model.fit`, side by side.

Both train the same small LSTM (same seed, epochs, batch size) on the same
windows of the same series.  "Ours" is the whole `app.ml.training.train` call:
building the model, the untrained-model validation pass, the `tf.data` window
pipeline, the supervising callback and the best-weight restore.  "Plain fit" is
`model.fit` on windows already materialised as contiguous arrays, with the same
validation data.  Target (SPEC §9): ours ≥ 0.9 × plain fit.

Then, each in a fresh process of its own (the Keras backend is chosen per process):

* the plain-fit throughput of every architecture (the project's ``build_model`` with
  its 1-minute defaults, 10 features, random data) under TensorFlow and under JAX
  (``KERAS_TRAINING_BACKEND``: the training child's backend);
* the seed example agent's time to READY (SPEC §5's body: synthetic AAPL 1-minute
  bars, 2025-01-02 – 2025-06-30, a 1-hour horizon, LSTM, 20 epochs, default settings)
  — the synthetic fetch plus the job's supervised child (`supervise`: spawn, imports,
  features and windows, fit, evaluation, walk-forward, save), per stage — against a
  plain ``model.fit`` of the same model on the same (materialised) arrays for the
  epochs the job's fit ran, under the same backend. Target: ratio ≤ 2.

Run: ``.venv/bin/python bench/training.py`` (several minutes on 2 cores);
``--backend jax|tensorflow`` picks the time-to-READY run's backend (default: the
setting's), ``--architecture`` its agent's (default: the seed's LSTM), ``--skip-ready``
leaves it out.
Last line: ``training ours_samples_per_s=<x> plain_fit_samples_per_s=<y> ratio=<x/y>
time_to_ready_s=<t> plain_fit_s=<p> ready_ratio=<t/p>``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from _harness import stack_versions

from app.ml.architectures import Hyperparameters, build_model
from app.ml.dataset import Dataset, make_dataset

ROOT = Path(__file__).resolve().parent.parent

SAMPLES = 20_000
LOOKBACK = 60
FEATURES = 10
EPOCHS = 2
REPEATS = 3
HP = Hyperparameters(lookback=LOOKBACK, layers=1, units=32, batch_size=64, dropout=0.1)


def synthetic_dataset(seed: int = 0) -> Dataset:
    """Ten noisy features, one of which leads the next return: the run must be
    able to learn something, or `train` would rightly refuse the model."""
    rng = np.random.default_rng(seed)
    n_bars = SAMPLES + LOOKBACK
    features = rng.standard_normal((n_bars, FEATURES)).astype(np.float32)
    returns = np.zeros(n_bars)
    returns[1:] = 0.001 * (0.5 * features[:-1, 0] + rng.standard_normal(n_bars - 1))
    close = 100.0 * np.exp(np.cumsum(returns))
    return make_dataset(features, close, lookback=LOOKBACK, horizon_bars=1)


def plain_fit_seconds(dataset: Dataset) -> float:
    from app.ml.windows import materialise

    x_train, y_train = materialise(dataset, dataset.splits.train)
    x_val, y_val = materialise(dataset, dataset.splits.validation)
    model = build_model("LSTM", HP, FEATURES)
    started = time.perf_counter()
    model.fit(
        x_train,
        y_train,
        batch_size=HP.batch_size,
        epochs=EPOCHS,
        validation_data=(x_val, y_val),
        shuffle=True,
        verbose=0,
    )
    return time.perf_counter() - started


def ours_seconds(dataset: Dataset) -> float:
    from app.ml.training import train

    started = time.perf_counter()
    train(dataset, "LSTM", HP, EPOCHS)
    return time.perf_counter() - started


def warm_up(dataset: Dataset) -> None:
    """One tiny fit so TensorFlow's one-off start-up is charged to neither side."""
    from app.ml.windows import materialise

    x, y = materialise(dataset, dataset.splits.validation)
    build_model("LSTM", HP, FEATURES).fit(x[:256], y[:256], batch_size=64, epochs=1, verbose=0)


# Throughput per backend (`--throughput BACKEND`, in its own process).
THROUGHPUT_SAMPLES = 6_000
THROUGHPUT_EPOCHS = 2
ARCHITECTURES = ("LSTM", "CNN", "Transformer")


def throughput(threads: int) -> dict[str, Any]:
    """samples/s of a plain `model.fit` per architecture, 1-minute defaults, random data,
    ``threads`` as the training child (after a warm-up fit per model: compilation is
    charged to neither backend)."""
    from app.ml.architectures import default_hyperparameters
    from app.ml.backend import current
    from app.ml.training import configure_threads

    configure_threads(threads)
    rates: dict[str, Any] = {"backend": current()}
    rng = np.random.default_rng(0)
    for architecture in ARCHITECTURES:
        hp = default_hyperparameters("1min", architecture)
        x = rng.standard_normal((THROUGHPUT_SAMPLES, hp.lookback, FEATURES)).astype(np.float32)
        y = rng.standard_normal(THROUGHPUT_SAMPLES).astype(np.float32)
        model = build_model(architecture, hp, FEATURES)
        # Both batch shapes the timed fit uses (full, and the epoch's last partial one),
        # so that no compilation (XLA's, under JAX) falls inside the timing.
        warm = 2 * hp.batch_size + THROUGHPUT_SAMPLES % hp.batch_size
        model.fit(x[:warm], y[:warm], batch_size=hp.batch_size, verbose=0)
        started = time.perf_counter()
        model.fit(x, y, batch_size=hp.batch_size, epochs=THROUGHPUT_EPOCHS, verbose=0)
        rates[architecture] = (
            THROUGHPUT_SAMPLES * THROUGHPUT_EPOCHS / (time.perf_counter() - started)
        )
    return rates


# The seed example agent (app.schemas.agents.SEED_AGENT_EXAMPLE) as the job trains it.
SEED_START, SEED_END = datetime(2025, 1, 2, tzinfo=UTC), datetime(2025, 7, 1, tzinfo=UTC)


def seed_spec(out_dir: str, backend: str, architecture: str) -> Any:
    """The seed agent's job with ``architecture`` (its defaults for the seed's frequency)."""
    from app.config import Settings
    from app.ml.architectures import default_hyperparameters
    from app.schemas.agents import SEED_AGENT_EXAMPLE
    from app.services.market_data.frequency import horizon_bars
    from app.tasks.supervisor import TrainingSpec

    settings = Settings()
    body = SEED_AGENT_EXAMPLE
    frequency, horizon = str(body["data_frequency"]), str(body["prediction_horizon"])
    return TrainingSpec(
        agent_id="bench",
        version_id="bench-ready",
        symbol=str(body["symbol"]),
        frequency=frequency,
        horizon=horizon,
        horizon_bars=horizon_bars(frequency, horizon),
        features=list(body["features"]),
        architecture=architecture,
        epochs=int(body["model_preferences"]["epochs"]),
        hyperparameters=default_hyperparameters(frequency, architecture).to_json(),
        risk_params=dict(body["risk_params"]),
        out_dir=out_dir,
        seed=0,
        cost_bp=settings.backtest_cost_bp,
        walk_forward_folds=settings.walk_forward_folds,
        threads=settings.training_threads,
        nice=0,  # alone on the machine: niceness would change nothing but the noise
        backend=backend,
    )


class _Reporter:
    async def reached_stage(self, stage: str, progress: dict[str, Any]) -> None:
        pass

    async def progress(self, progress: dict[str, Any]) -> None:
        pass

    async def heartbeat(self) -> None:
        pass


async def _fetch_seed_bars() -> Any:
    from app.config import Settings
    from app.schemas.agents import SEED_AGENT_EXAMPLE
    from app.services.market_data.synthetic import SyntheticProvider

    provider = SyntheticProvider(Settings().synthetic_signal)
    return await provider.fetch_bars(
        str(SEED_AGENT_EXAMPLE["symbol"]),
        str(SEED_AGENT_EXAMPLE["data_frequency"]),
        SEED_START,
        SEED_END,
    )


def time_to_ready(backend: str, architecture: str) -> dict[str, Any]:
    """The seed agent's job from its fetch to the child's result (the database writes
    around it are milliseconds), with the child's stages; run in a process that never
    imports Keras (the worker's parent), as the job does."""
    from app.tasks.supervisor import supervise

    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as cache:
        # A cold compilation cache, as a worker's first run: it pays off inside the run.
        spec = replace(seed_spec(out, backend, architecture), compilation_cache=cache)
        started = time.perf_counter()
        bars = asyncio.run(_fetch_seed_bars())
        fetched = time.perf_counter()
        result = asyncio.run(
            supervise(
                spec,
                bars.write_ipc(None).getvalue(),
                _Reporter(),
                timeout_s=3600,
                heartbeat_interval_s=5,
                progress_write_interval_s=1,
            )
        )
        ready = time.perf_counter() - started
    stages = {"fetch": round(fetched - started, 3), **result["stage_seconds"]}
    return {
        "time_to_ready_s": ready,
        "stages": stages,
        "backend": result["metrics"]["training_backend"],
        "epochs_run": result["metrics"]["epochs_run"],
        "train_samples": result["metrics"]["train_samples"],
        "bars": bars.height,
    }


def plain_seed_fit(epochs_run: int, architecture: str) -> dict[str, float]:
    """`model.fit` of the seed job's model on its training and validation windows,
    materialised, for the request's epochs (the backend is this process's): seconds in
    all, and until the end of epoch ``epochs_run`` (the job's fit may stop early)."""
    from app.ml.architectures import Hyperparameters as Hp
    from app.ml.training import configure_threads
    from app.ml.windows import materialise
    from app.tasks.supervisor import prepare

    with tempfile.TemporaryDirectory() as out:
        spec = seed_spec(out, "tensorflow", architecture)
    configure_threads(spec.threads)
    bars = asyncio.run(_fetch_seed_bars())
    dataset, _ = prepare(spec, bars)
    hp = Hp.from_json({**spec.hyperparameters, "seed": spec.seed})
    x_train, y_train = materialise(dataset, dataset.splits.train)
    x_val, y_val = materialise(dataset, dataset.splits.validation)
    model = build_model(spec.architecture, hp, dataset.n_features)
    ends: list[float] = []
    import keras

    clock = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: ends.append(time.perf_counter())
    )
    started = time.perf_counter()
    model.fit(
        x_train,
        y_train,
        batch_size=hp.batch_size,
        epochs=spec.epochs,
        validation_data=(x_val, y_val),
        shuffle=True,
        callbacks=[clock],
        verbose=0,
    )
    return {
        "plain_fit_s": time.perf_counter() - started,
        "epochs": spec.epochs,
        "plain_fit_epochs_run_s": ends[min(epochs_run, len(ends)) - 1] - started,
    }


def _in_process(mode: str, backend: str, *args: str) -> dict[str, Any]:
    """Run this file's ``mode`` in a fresh interpreter under ``backend``; its JSON."""
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
    if mode == "--ready":  # the worker's parent never imports Keras: no backend set
        env.pop("KERAS_BACKEND")
    done = subprocess.run(
        [sys.executable, __file__, mode, backend, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{mode} {backend} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _child_mode(argv: list[str]) -> bool:
    """Answer a `_in_process` call (one JSON line); False when this is the main run."""
    if len(argv) < 3 or argv[1] not in ("--throughput", "--ready", "--plain-fit"):
        return False
    mode, backend = argv[1], argv[2]
    if mode == "--throughput":
        from app.config import Settings

        answer: dict[str, Any] = throughput(Settings().training_threads)
    elif mode == "--ready":
        answer = time_to_ready(backend, argv[3])
    else:
        answer = plain_seed_fit(int(argv[3]), argv[4])
    print(json.dumps(answer))
    return True


def main() -> None:
    from app.schemas.agents import SEED_AGENT_EXAMPLE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("tensorflow", "jax"), default=None)
    parser.add_argument("--skip-ready", action="store_true")
    parser.add_argument(
        "--architecture",
        choices=ARCHITECTURES,
        default=str(SEED_AGENT_EXAMPLE["model_preferences"]["architecture"]),
        help="the time-to-READY agent's architecture (default: the seed's)",
    )
    args = parser.parse_args()
    print(f"stack: {stack_versions()}")
    dataset = synthetic_dataset()
    n_train = len(dataset.splits.train)
    print(
        f"{dataset.n_samples} windows (train {n_train}, validation "
        f"{len(dataset.splits.validation)}), lookback {LOOKBACK} x {FEATURES} features, "
        f"LSTM({HP.units}), batch {HP.batch_size}, {EPOCHS} epochs"
    )
    warm_up(dataset)
    # Alternate the two so drift in machine load hits both; keep each one's best.
    ours, plain = [], []
    for _ in range(REPEATS):
        ours.append(ours_seconds(dataset))
        plain.append(plain_fit_seconds(dataset))
        print(f"  run: ours {ours[-1]:.2f} s, plain fit {plain[-1]:.2f} s")
    ours_rate = n_train * EPOCHS / min(ours)
    plain_rate = n_train * EPOCHS / min(plain)
    print("reference: plain model.fit on materialised arrays; target ratio >= 0.9 (SPEC §9)")

    from app.config import Settings

    settings = Settings()
    print(f"plain model.fit samples/s, 1min defaults, {settings.training_threads} thread(s):")
    for backend in ("tensorflow", "jax"):
        rates = _in_process("--throughput", backend)
        print(
            f"  backend={rates['backend']} "
            + " ".join(f"{a}={rates[a]:.0f}" for a in ARCHITECTURES)
        )
    line = (
        f"training ours_samples_per_s={ours_rate:.0f} "
        f"plain_fit_samples_per_s={plain_rate:.0f} ratio={ours_rate / plain_rate:.3f}"
    )
    if not args.skip_ready:
        backend = args.backend or settings.keras_training_backend
        ready = _in_process("--ready", backend, args.architecture)
        reference = _in_process(
            "--plain-fit", ready["backend"], str(ready["epochs_run"]), args.architecture
        )
        plain_fit_s, plain_run_s = reference["plain_fit_s"], reference["plain_fit_epochs_run_s"]
        print(
            f"seed agent, {args.architecture} ({ready['bars']} bars, "
            f"{ready['train_samples']} training windows, "
            f"{ready['epochs_run']} epochs run) under {ready['backend']}, seconds by stage:"
        )
        print("  " + " ".join(f"{k}={v:.2f}" for k, v in ready["stages"].items()))
        print(
            f"reference: plain model.fit, same model and arrays, {reference['epochs']} epochs"
            " (the request's; and the epochs the job's fit ran, which may stop early); target"
            " ready_ratio <= 2"
        )
        line += (
            f" time_to_ready_s={ready['time_to_ready_s']:.1f} plain_fit_s={plain_fit_s:.1f}"
            f" ready_ratio={ready['time_to_ready_s'] / plain_fit_s:.2f}"
            f" backend={ready['backend']} architecture={args.architecture}"
            f" plain_fit_epochs_run_s={plain_run_s:.1f}"
            f" ready_ratio_epochs_run={ready['time_to_ready_s'] / plain_run_s:.2f}"
        )
    print(line)


if __name__ == "__main__":
    if not _child_mode(sys.argv):
        main()
