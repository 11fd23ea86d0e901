"""Resident memory per cached model (`Predictor`), per architecture: what sizes the cache.

SPEC §9's capacity target (≥ 1,000 READY agents per API process) and the byte budget
of `ModelCache` (``MODEL_CACHE_MB``) need to know what one loaded model costs.  Per
architecture, with the platform's default hyperparameters for daily bars (look-back
40, 10 features), a model is built, fitted for one epoch on synthetic bars (so its
`.keras` file carries optimizer state, as a trained one does) and saved as an
artifact with `save_artifact`.  Then, in a fresh child process per architecture (so
one architecture's allocations do not hide the next's), one copy is loaded with
`Predictor.load` to pay TensorFlow's one-off costs, and N more are loaded and kept:
the resident set's growth over those N, divided by N, is one model's cost.  Beside
it: the bytes of the model's weights (`weights_bytes` below), and their ratio.

What it showed (2026-11-28, this 2-core machine): 3.6 MiB (LSTM), 2.6 (CNN) and 7.9
(Transformer) per model at the defaults, whose weights are 16-40 KiB; with 4 × the
units (``--units 128``, 12 × the weights) 3.9, 3.2 and 8.2 MiB.  A loaded model's cost
follows its graph (the Keras layers, the traced and XLA-compiled `tf.function`), not
its weights, so `CompiledModel.estimated_bytes`, what the cache charges, counts the
traced graph's operations and adds the weights three times (see app/ml/inference.py).

Run: ``PYTHONPATH=. .venv/bin/python bench/model_memory.py`` (about a minute;
``--copies`` to change N, ``--units`` to try larger models).  Last line:
``model_memory rss_mb_lstm=.. rss_mb_cnn=.. rss_mb_transformer=.. weights_kb_lstm=..
weights_kb_cnn=.. weights_kb_transformer=.. estimate_mb_lstm=.. estimate_mb_cnn=..
estimate_mb_transformer=..`` (MiB and KiB; ``estimate_mb``: what the cache charges).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ARCHITECTURES = ("LSTM", "CNN", "TRANSFORMER")
FREQUENCY = "1d"
FEATURES = 10
BARS = 1500
MIB = 1024 * 1024


def rss_bytes() -> int:
    """This process's resident set (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def build_artifact(
    architecture: str, directory: Path, units: int | None, frequency: str = FREQUENCY
) -> str:
    """Fit a default model of `frequency` (daily unless told) for one epoch on synthetic
    bars and save it; its SHA (bench/cold.py builds its 1-minute models here too)."""
    from app.ml.architectures import build_model, default_hyperparameters
    from app.ml.artifacts import save_artifact
    from app.ml.calibration import fit_calibrator
    from app.ml.dataset import make_dataset
    from app.ml.training import predict_scaled

    overrides = {} if units is None else {"units": units}
    hp = default_hyperparameters(frequency, architecture, **overrides)
    rng = np.random.default_rng(0)
    features = rng.standard_normal((BARS, FEATURES)).astype(np.float32)
    returns = 0.01 * (0.5 * np.roll(features[:, 0], 1) + rng.standard_normal(BARS))
    returns[0] = 0.0
    close = 100.0 * np.exp(np.cumsum(returns))
    dataset = make_dataset(features, close, lookback=hp.lookback, horizon_bars=1)
    train = dataset.splits.train
    model = build_model(architecture, hp, FEATURES)
    model.fit(
        dataset.windows(train),
        dataset.split_targets(train),
        batch_size=hp.batch_size,
        epochs=1,
        verbose=0,
    )
    validation = dataset.splits.validation
    calibrator = fit_calibrator(
        predict_scaled(model, dataset, validation), dataset.split_log_returns(validation)
    )
    return save_artifact(directory, model, dataset.preprocessing, calibrator, {})


def measure(directory: Path, sha256: str, copies: int) -> dict[str, float]:
    """In this (fresh) process: load one copy, then `copies` more; RSS growth per copy."""
    from app.ml.inference import Predictor, weights_bytes

    started = time.perf_counter()
    first = Predictor.load(directory, sha256)
    first_load_s = time.perf_counter() - started
    gc.collect()
    before = rss_bytes()
    kept = []
    started = time.perf_counter()
    for _ in range(copies):
        kept.append(Predictor.load(directory, sha256))
    load_s = (time.perf_counter() - started) / copies
    gc.collect()
    after = rss_bytes()
    return {
        "rss_per_model": (after - before) / copies,
        "weights_bytes": float(weights_bytes(first.compiled.model)),
        "estimate": float(first.compiled.estimated_bytes),
        "first_load_s": first_load_s,
        "load_s": load_s,
        "rss_total": float(after),
    }


def child_json(args: argparse.Namespace, *child_args: str) -> Any:
    """Run this script in a fresh process with `child_args`; its last line, parsed."""
    command = [sys.executable, __file__, "--copies", str(args.copies), *child_args]
    if args.units is not None:
        command += ["--units", str(args.units)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.exit(f"bench/model_memory.py: {' '.join(child_args)} failed\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=8, help="models kept per architecture")
    parser.add_argument("--units", type=int, default=None, help="override the default units")
    parser.add_argument("--build", nargs=2, help=argparse.SUPPRESS)  # ARCHITECTURE DIRECTORY
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)  # DIRECTORY SHA256
    args = parser.parse_args()
    if args.build:
        print(json.dumps(build_artifact(args.build[0], Path(args.build[1]), args.units)))
        return
    if args.measure:
        print(json.dumps(measure(Path(args.measure[0]), args.measure[1], args.copies)))
        return

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        for architecture in ARCHITECTURES:
            directory = Path(tmp) / architecture.lower()
            # Built in a child too: the parent never imports TensorFlow, so it stays small.
            sha = child_json(args, "--build", architecture, str(directory))
            result = child_json(args, "--measure", str(directory), sha)
            results[architecture] = result
            print(
                f"  {architecture:<11} {result['rss_per_model'] / MIB:6.2f} MiB resident per "
                f"model ({args.copies} copies; process {result['rss_total'] / MIB:.0f} MiB)  "
                f"weights {result['weights_bytes'] / 1024:7.1f} KiB  "
                f"ratio {result['rss_per_model'] / result['weights_bytes']:6.1f}  "
                f"cache charges {result['estimate'] / MIB:5.2f} MiB  "
                f"load {result['load_s'] * 1e3:.0f} ms (first {result['first_load_s'] * 1e3:.0f})"
            )
    units = "default units" if args.units is None else f"units={args.units}"
    print(f"daily defaults ({units}), {FEATURES} features; resident growth per Predictor.load")
    print(
        "model_memory "
        + " ".join(f"rss_mb_{a.lower()}={results[a]['rss_per_model'] / MIB:.2f}" for a in results)
        + " "
        + " ".join(
            f"weights_kb_{a.lower()}={results[a]['weights_bytes'] / 1024:.1f}" for a in results
        )
        + " "
        + " ".join(f"estimate_mb_{a.lower()}={results[a]['estimate'] / MIB:.2f}" for a in results)
    )


if __name__ == "__main__":
    main()
