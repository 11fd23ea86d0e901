"""Which Keras backend a training process runs on (`KERAS_TRAINING_BACKEND`).

Keras 3 runs the same models on TensorFlow and on JAX, and reads its backend once, at
its first import (``KERAS_BACKEND``). The API, the worker's parent and the backtest
child serve through TensorFlow (`app.ml.inference` traces `tf.function`\\ s); only the
spawned training child may train under JAX, which on CPU fits the project's models
about 2-3 × faster. The `.keras` file it saves is backend-neutral: the API loads it
under TensorFlow with the same predictions (tests/ml/test_training_backend.py).

Import-light: nothing here imports Keras, TensorFlow or JAX.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from typing import Literal

logger = logging.getLogger(__name__)

Backend = Literal["tensorflow", "jax"]
BACKENDS: tuple[Backend, ...] = ("tensorflow", "jax")


def available(backend: str) -> bool:
    """Whether ``backend``'s package is installed (found, not imported)."""
    return importlib.util.find_spec(backend) is not None


def resolve(requested: str) -> Backend:
    """``requested``, or TensorFlow (with a warning) when it is JAX and JAX is not
    installed: a worker without the extra still trains."""
    if requested not in BACKENDS:
        raise ValueError(f"unknown Keras backend {requested!r}; choose one of {BACKENDS}")
    if requested == "jax" and not available("jax"):
        logger.warning(
            "KERAS_TRAINING_BACKEND=jax but jax is not installed "
            '(pip install ".[jax]"); training falls back to TensorFlow'
        )
        return "tensorflow"
    return "jax" if requested == "jax" else "tensorflow"


# JAX compiles every new model's train, test and predict steps (≈ 2-3 s for the seed's
# LSTM on CPU); the same architecture and shapes compile to the same program, so a run's
# walk-forward folds, and later runs, load it from this cache instead (≈ 350 KiB for a run).
COMPILATION_CACHE_MAX_BYTES = 256 * 2**20


def apply(requested: str, compilation_cache: str | None = None) -> Backend:
    """Make this process's Keras run on ``requested`` (`resolve`d); call before anything
    imports Keras (the training child's first step). The backend actually in force.

    Under JAX, ``compilation_cache`` (a directory) keeps compiled programs across models
    and processes (JAX's persistent cache; ``JAX_COMPILATION_CACHE_DIR`` wins if set)."""
    backend = resolve(requested)
    if backend == "jax" and compilation_cache and "jax" not in sys.modules:
        os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", compilation_cache)
        os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
        trim_cache(os.environ["JAX_COMPILATION_CACHE_DIR"], COMPILATION_CACHE_MAX_BYTES)
    if "keras" in sys.modules:  # too late to choose: say which one it is
        in_force = current()
        if in_force != backend:
            logger.warning(
                "Keras was imported before the training backend was chosen; "
                "training runs on %s, not %s",
                in_force,
                backend,
            )
        return in_force
    os.environ["KERAS_BACKEND"] = backend
    return backend


def trim_cache(directory: str, max_bytes: int) -> None:
    """Keep a compilation cache under ``max_bytes``: delete its least recently written
    entries down to half of it. (JAX's own limit, ``JAX_COMPILATION_CACHE_MAX_SIZE``,
    needs the `filelock` package.) A worker that still reads a deleted entry recompiles."""
    try:
        entries = [
            (e.stat().st_mtime, e.stat().st_size, e) for e in os.scandir(directory) if e.is_file()
        ]
    except OSError:  # not there yet: JAX makes it
        return
    total = sum(size for _, size, _ in entries)
    if total <= max_bytes:
        return
    for _, size, entry in sorted(entries, key=lambda item: item[0]):
        if total <= max_bytes // 2:
            break
        try:
            os.remove(entry.path)
        except OSError:
            continue
        total -= size


def current() -> Backend:
    """The backend Keras runs on in this process (or will, once imported)."""
    if "keras" in sys.modules:
        import keras

        name = keras.config.backend()
    else:
        name = os.environ.get("KERAS_BACKEND", "tensorflow")
    return "jax" if name == "jax" else "tensorflow"
