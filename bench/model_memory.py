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

What it showed (2026-11-28, this 2-core machine).  Before models of one structure
shared a graph: 3.6 MiB (LSTM), 2.6 (CNN) and 7.9 (Transformer) per model at the
defaults, whose weights are 16-40 KiB; a loaded model's cost followed its graph (the
Keras layers, the traced and XLA-compiled `tf.function`), not its weights.  Now every
copy after the first runs on its structure's graph (`SharedGraph` in
app/ml/inference.py) and keeps its weights only: 0.10-0.14 MiB (LSTM), 0.10 (CNN),
0.23 (Transformer) per model, loads of 33-96 ms.  The first load of a process also
pays one-off costs (≈ 90-120 MiB of TensorFlow and Keras runtime), printed apart.

Run: ``PYTHONPATH=. .venv/bin/python bench/model_memory.py`` (about a minute;
``--copies`` to change N, ``--units`` to try larger models).  Last line:
``model_memory rss_mb_lstm=.. rss_mb_cnn=.. rss_mb_transformer=.. weights_kb_lstm=..
weights_kb_cnn=.. weights_kb_transformer=.. estimate_mb_lstm=.. estimate_mb_cnn=..
estimate_mb_transformer=.. first_mb_lstm=.. first_mb_cnn=.. first_mb_transformer=..``
(MiB and KiB; ``estimate_mb``: what the cache charges a copy; ``first_mb``: the
first load's growth, one-off costs included).
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
    import tensorflow  # noqa: F401  # its import is not the first model's cost

    from app.ml.inference import Predictor

    gc.collect()
    empty = rss_bytes()
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
        "rss_first": float(before - empty),
        "weights_bytes": float(first.compiled.weights_bytes),
        "estimate": float(kept[-1].compiled.estimated_bytes),
        "estimate_first": float(first.compiled.estimated_bytes),
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
                f"  {architecture:<11} first load {result['rss_first'] / MIB:5.1f} "
                f"MiB with one-off costs (charged {result['estimate_first'] / MIB:5.2f}), then "
                f"{result['rss_per_model'] / MIB:5.2f} MiB per model (charged "
                f"{result['estimate'] / MIB:5.2f}; {args.copies} copies; process "
                f"{result['rss_total'] / MIB:.0f} MiB)  weights "
                f"{result['weights_bytes'] / 1024:5.1f} KiB  load {result['load_s'] * 1e3:.0f} "
                f"ms (first {result['first_load_s'] * 1e3:.0f})"
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
        + " "
        + " ".join(f"first_mb_{a.lower()}={results[a]['rss_first'] / MIB:.2f}" for a in results)
    )


if __name__ == "__main__":
    main()
