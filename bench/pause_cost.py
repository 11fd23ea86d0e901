"""What a pause costs the next call: the same small operations back to back, and
after the thread slept (as a server's does between two requests) or did other work.

Why it exists.  Inside a warm `/predict` the XLA-compiled model call costs several
times what it costs in a loop, with nothing else changed; so does every step of the
request. This script isolates the effect on one process, with no server: each
operation is timed `--calls` times back to back, then as often after a sleep of
`--pause-ms`, then after writing 16 MB of other memory (a request's other work, as far as the
CPU's caches are concerned),
and the medians are printed side by side. The operations: a small pure-Python loop,
a NumPy sum of 600 floats, TensorFlow's `tf.add` of two scalars, and the serving
path's compiled call of a small LSTM (look-back 60, 10 features, 32 units; `CompiledModel`
with XLA, the bench agent's shape).

Run: ``PYTHONPATH=. .venv/bin/python bench/pause_cost.py`` (about 20 s). Last line:
``pause_cost <name>_us=<back to back> <name>_paused_us=<after the sleep>
<name>_busy_us=<after other work> …`` for python, numpy, tf_add and model.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def timed(operation: Callable[[], object], calls: int, before: Callable[[], object]) -> float:
    """Median microseconds of `operation`, each call after `before`."""
    samples = []
    for _ in range(calls):
        before()
        started = time.perf_counter()
        operation()
        samples.append((time.perf_counter() - started) * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--pause-ms", type=float, default=4.0)
    args = parser.parse_args()

    import keras
    import numpy as np
    import tensorflow as tf

    from app.ml.inference import CompiledModel

    model = keras.Sequential([keras.Input((60, 10)), keras.layers.LSTM(32), keras.layers.Dense(1)])
    compiled = CompiledModel(model)  # XLA-compiled, as the serving path's
    window = np.random.default_rng(0).random((60, 10), dtype=np.float32)
    floats = np.random.default_rng(1).random(600, dtype=np.float32)
    scalar = tf.constant(1.0)
    other = np.zeros(4 << 20, dtype=np.float32)

    def busy() -> None:  # every cache line of 16 MB written: other work, for the caches
        other.__iadd__(1.0)

    operations: dict[str, Callable[[], object]] = {
        "python": lambda: sum(i * i for i in range(300)),
        "numpy": lambda: float(floats.sum()),
        "tf_add": lambda: tf.add(scalar, scalar),
        "model": lambda: compiled.predict_window(window),
    }
    for operation in operations.values():  # warm: compilation, first-call costs
        for _ in range(50):
            operation()

    pause = args.pause_ms / 1e3
    figures: dict[str, float] = {}
    print(f"{'operation':10s} {'back to back':>14s} {'after a pause':>14s} {'after work':>12s}")
    for name, operation in operations.items():
        loop = timed(operation, args.calls, lambda: None)
        paused = timed(operation, args.calls, lambda: time.sleep(pause))
        worked = timed(operation, args.calls, busy)
        figures |= {f"{name}_us": loop, f"{name}_paused_us": paused, f"{name}_busy_us": worked}
        print(f"{name:10s} {loop:11.1f} us {paused:11.1f} us {worked:9.1f} us")
    print(f"(median of {args.calls} calls each; pause {args.pause_ms:g} ms)")
    print("pause_cost " + " ".join(f"{key}={value:.1f}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
