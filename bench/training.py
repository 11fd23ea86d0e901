"""Training throughput: our pipeline against a plain `model.fit`, side by side.

Both train the same small LSTM (same seed, epochs, batch size) on the same
windows of the same series.  "Ours" is the whole `app.ml.training.train` call:
building the model, the untrained-model validation pass, the `tf.data` window
pipeline, the supervising callback and the best-weight restore.  "Plain fit" is
`model.fit` on windows already materialised as contiguous arrays, with the same
validation data.  Target (SPEC §9): ours ≥ 0.9 × plain fit.

Run: ``.venv/bin/python bench/training.py`` (about 80 s on 2 cores).
Last line: ``training ours_samples_per_s=<x> plain_fit_samples_per_s=<y> ratio=<x/y>``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from app.ml.architectures import Hyperparameters, build_model
from app.ml.dataset import Dataset, make_dataset
from app.ml.training import train

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
    started = time.perf_counter()
    train(dataset, "LSTM", HP, EPOCHS)
    return time.perf_counter() - started


def warm_up(dataset: Dataset) -> None:
    """One tiny fit so TensorFlow's one-off start-up is charged to neither side."""
    from app.ml.windows import materialise

    x, y = materialise(dataset, dataset.splits.validation)
    build_model("LSTM", HP, FEATURES).fit(x[:256], y[:256], batch_size=64, epochs=1, verbose=0)


def main() -> None:
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
    print(
        f"training ours_samples_per_s={ours_rate:.0f} "
        f"plain_fit_samples_per_s={plain_rate:.0f} ratio={ours_rate / plain_rate:.3f}"
    )


if __name__ == "__main__":
    main()
