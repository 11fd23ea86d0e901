"""Single-window inference: `model.predict` against our compiled call, per architecture.

Batch 1, look-back 60 × 10 features, the platform's default model sizes.
Reference (SPEC §9, this machine): `model.predict` ≈ 45 ms; a compiled call
≈ 2.1 ms (LSTM), 0.35 ms (CNN), 1.0 ms (Transformer); target ≤ 1.2 × those.

Run: ``.venv/bin/python bench/inference.py``.  Last line:
``inference lstm_ms=.. cnn_ms=.. transformer_ms=.. predict_ms=.. speedup=..``
(``predict_ms`` is the LSTM's `model.predict`; ``speedup`` = predict_ms / lstm_ms).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from app.ml.architectures import build_model, default_hyperparameters
from app.ml.inference import CompiledModel

LOOKBACK = 60
FEATURES = 10
REFERENCE_MS = {"LSTM": 2.1, "CNN": 0.35, "TRANSFORMER": 1.0}


def median_ms(call: Callable[[], object], repeats: int) -> float:
    for _ in range(min(20, repeats)):
        call()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return float(np.median(times) * 1e3)


def main() -> None:
    window = np.random.default_rng(0).standard_normal((1, LOOKBACK, FEATURES)).astype(np.float32)
    compiled_ms: dict[str, float] = {}
    predict_ms: dict[str, float] = {}
    for architecture in ("LSTM", "CNN", "TRANSFORMER"):
        hp = default_hyperparameters("1min", architecture, lookback=LOOKBACK)
        model = build_model(architecture, hp, FEATURES)
        compiled = CompiledModel(model)
        compiled_ms[architecture] = median_ms(lambda c=compiled: c.predict(window), 500)
        predict_ms[architecture] = median_ms(lambda m=model: m.predict(window, verbose=0), 30)
        print(
            f"  {architecture:<11} compiled {compiled_ms[architecture]:7.3f} ms "
            f"(reference {REFERENCE_MS[architecture]} ms, target <= "
            f"{1.2 * REFERENCE_MS[architecture]:.2f})  model.predict "
            f"{predict_ms[architecture]:6.1f} ms"
        )
    lstm, predict = compiled_ms["LSTM"], predict_ms["LSTM"]
    print("reference: model.predict ~45 ms; compiled 2.1 / 0.35 / 1.0 ms (SPEC §9)")
    print(
        f"inference lstm_ms={lstm:.3f} cnn_ms={compiled_ms['CNN']:.3f} "
        f"transformer_ms={compiled_ms['TRANSFORMER']:.3f} predict_ms={predict:.1f} "
        f"speedup={predict / lstm:.1f}"
    )


if __name__ == "__main__":
    main()
