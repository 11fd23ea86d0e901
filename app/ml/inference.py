"""Millisecond single-window inference, and the in-memory model cache.

`model.predict` builds a data pipeline per call (≈ 45 ms here) and an eager LSTM runs its
loop in Python; both are wrong for one request. A `CompiledModel` runs on a concrete
`tf.function` traced once and called per batch shape at load, so the first request pays
no tracing, and holds no Python state, so a thread pool may call it at once. The
function takes the weights as arguments, so every model of one structure (the same
hyperparameters) shares it (`SharedGraph`). TensorFlow is imported inside functions, so
the API can import `ModelCache` at start-up for free.

XLA compilation is most of a first load (≈ 170-200 ms of ≈ 270-600 for a 1-minute
LSTM; the `.keras` file ≈ 20-40 ms, the plain graph ≈ 55 ms), so the API loads with
``background_jit``: the plain graph serves at once and a background thread swaps the
XLA function in when it is compiled. A later file of a loaded structure is not given to
Keras at all: its weights are read from where the first file's were (`WeightLayout`).
"""

from __future__ import annotations

import json
import logging
import math
import queue
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from app.ml.calibration import IsotonicCalibrator, PlattCalibrator
from app.ml.conformal import ConformalInterval
from app.ml.dataset import Preprocessing

if TYPE_CHECKING:
    import keras

logger = logging.getLogger(__name__)


# What a loaded model keeps resident, from bench/model_memory.py (RSS growth per
# `Predictor.load`, daily defaults, 10 features; Keras 3 / TF 2.21 on this CPU). The
# first model of a structure carries its graph (the Keras layers, the traced and
# XLA-compiled function: 3.6 MiB for an LSTM, 2.6 CNN, 7.9 Transformer, ≈ 40 KiB per
# operation of the traced graph, within about ±25 %). Every later model of that
# structure shares the graph and keeps only its weights: 0.09 MiB per LSTM, 0.10 CNN,
# 0.23 Transformer, whose weights are 16-40 KiB: the weights about three times over and
# ≈ 6 KiB per tensor.
BYTES_PER_GRAPH_OP = 40 * 1024
WEIGHTS_FACTOR = 3
TENSOR_OVERHEAD_BYTES = 6 * 1024


def structure_key(model: Any) -> str:
    """What two models must share to run on one traced graph: their configuration with
    every generated name (`lstm_3`, `add_2`) replaced by the operation's position, so
    two agents built with the same hyperparameters have equal keys and any difference
    in layers, sizes or wiring gives another."""
    operations = getattr(model, "operations", None) or model.layers
    names = {op.name: f"#{i}" for i, op in enumerate(operations)}
    names[model.name] = "#model"
    shapes = [(tuple(v.shape), str(v.dtype)) for v in model.weights]
    return json.dumps([_anonymous(model.get_config(), names), shapes], sort_keys=True, default=str)


def file_structure_key(config: dict[str, Any]) -> str:
    """`structure_key`'s counterpart for a `.keras` file's configuration, read without
    building the model: names replaced by the layer's position in the file."""
    inner = config.get("config") or {}
    layers = inner.get("layers") or []
    names = {str(layer.get("name")): f"#{i}" for i, layer in enumerate(layers)}
    names[str(inner.get("name"))] = "#model"
    return json.dumps(_anonymous(config, names), sort_keys=True, default=str)


# Keys that differ between two models of one structure: generated names, and the
# serializer's ids of shared objects (an initializer's Python `id`).
_INCIDENTAL = frozenset({"name", "shared_object_id"})


def _anonymous(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _anonymous(v, names) for k, v in value.items() if k not in _INCIDENTAL}
    if isinstance(value, list | tuple):
        return [_anonymous(v, names) for v in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value


@dataclass(frozen=True)
class WeightLayout:
    """Where a `.keras` file of one structure keeps each weight. A `None` in `fixed` is
    a variable the file does not keep (a dropout layer's seed state, unused at
    inference): it takes the value in `defaults`, as Keras' loader leaves it at the
    value the model was built with."""

    trainable: list[str]
    fixed: list[str | None]
    defaults: list[npt.NDArray[Any]]

    def arrays(self, stored: list[npt.NDArray[Any]]) -> tuple[list[Any], list[Any]]:
        """Split what was read at `paths` into trainable and fixed weights."""
        trainable, rest = stored[: len(self.trainable)], iter(stored[len(self.trainable) :])
        fixed = [
            default if path is None else next(rest)
            for path, default in zip(self.fixed, self.defaults, strict=True)
        ]
        return trainable, fixed

    @property
    def paths(self) -> list[str]:
        return [*self.trainable, *(p for p in self.fixed if p is not None)]


def weight_layout(model: Any) -> WeightLayout | None:
    """`model`'s `WeightLayout`, found with Keras' own writer: a clone's variables are
    set to distinct markers and saved, and each marker is looked up in the file. Keras
    names the paths by layer class and position, so every model of the structure
    shares them. None when a trainable weight cannot be located (the caller then
    loads such files with Keras)."""
    import tempfile

    import h5py
    import keras

    clone = keras.models.clone_model(model)
    variables = [*clone.trainable_variables, *clone.non_trainable_variables]
    if len(variables) != len(model.trainable_variables) + len(model.non_trainable_variables):
        return None
    for index, variable in enumerate(variables):
        variable.assign(np.full(variable.shape, index + 1, dtype=str(variable.dtype)))
    found: dict[int, str] = {}
    with tempfile.TemporaryDirectory() as directory:
        path = f"{directory}/markers.weights.h5"
        clone.save_weights(path)
        with h5py.File(path, "r") as weights:

            def visit(name: str, item: Any) -> None:
                if isinstance(item, h5py.Dataset) and item.size and name.startswith("layers/"):
                    values = np.asarray(item[()]).reshape(-1)
                    if np.all(values == values[0]):
                        found.setdefault(int(values[0]) - 1, name)

            weights.visititems(visit)
    trainable = len(model.trainable_variables)
    if any(i not in found for i in range(trainable)):
        return None
    return WeightLayout(
        trainable=[found[i] for i in range(trainable)],
        fixed=[found.get(i) for i in range(trainable, len(variables))],
        defaults=[v.numpy() for v in model.non_trainable_variables],
    )


class SharedGraph:
    """One traced forward pass for every model of one structure, its weights passed
    in as arguments (Keras' `stateless_call`), not captured.

    A traced graph and its XLA executable are most of what a loaded model keeps
    resident (≈ 2.5-8 MiB against weights of 16-40 KiB) and most of a load's time;
    agents trained with the same hyperparameters differ only in their weights. So the
    first model of a structure traces and compiles (XLA on `_JitCompiler`'s thread
    with ``background_jit``) and every later one only brings its weights: its load is
    reading them from its file, its memory the weights. Graphs are held by the models
    that use them (`_GRAPHS` is weak), so the last eviction of a structure frees it.
    """

    def __init__(self, template: Any, lookback: int, n_features: int) -> None:
        import tensorflow as tf

        self.template = template  # traced once, never called with its own weights
        self.lookback, self.n_features = lookback, n_features
        self.jit_compiled = False
        self._settled = threading.Event()  # set once jit_compiled is final
        self._lock = threading.Lock()
        self._warmed: set[int] = set()
        self._forward = self._compile(tf, False, ())
        self._tensor = tf.constant  # a request's window, without an import per call
        # Where a `.keras` file of this structure keeps each weight: known once a
        # file was loaded by Keras and checked, so later files skip Keras' loader.
        self.layout: WeightLayout | None = None

    def _compile(self, tf: Any, jit_compile: bool, batches: Iterable[int]) -> Any:
        template = self.template
        window = tf.TensorSpec([None, self.lookback, self.n_features], tf.float32)
        trainable = [tf.TensorSpec(v.shape, v.dtype) for v in template.trainable_variables]
        fixed = [tf.TensorSpec(v.shape, v.dtype) for v in template.non_trainable_variables]

        @tf.function(input_signature=[trainable, fixed, window], jit_compile=jit_compile)
        def forward(trainable: Any, fixed: Any, window: Any) -> Any:
            outputs, _ = template.stateless_call(trainable, fixed, window, training=False)
            return outputs

        concrete = forward.get_concrete_function()
        self._warm(concrete, batches)
        return concrete

    def _warm(self, concrete: Any, batches: Iterable[int]) -> None:
        import tensorflow as tf

        trainable = [tf.zeros(v.shape, v.dtype) for v in self.template.trainable_variables]
        fixed = [tf.convert_to_tensor(v) for v in self.template.non_trainable_variables]
        for batch in batches:
            concrete(trainable, fixed, tf.zeros([batch, self.lookback, self.n_features]))

    def warm(self, batches: Iterable[int]) -> None:
        """Trace-free calls at each batch size not yet seen (XLA compiles per shape)."""
        with self._lock:
            new = [b for b in batches if b not in self._warmed]
            if new:
                self._warm(self._forward, new)
                self._warmed.update(new)

    def compile_now(self, jit_compile: bool) -> None:
        """Replace the plain graph by the XLA one (or keep the plain one when XLA
        cannot compile it, or when `jit_compile` is False); settles `jit_compiled`."""
        import tensorflow as tf

        if self._settled.is_set():
            return
        try:
            if jit_compile:
                with self._lock:
                    batches = sorted(self._warmed)
                forward = self._compile(tf, True, batches)
                with self._lock:  # sizes warmed meanwhile are compiled before the swap
                    self._warm(forward, sorted(self._warmed - set(batches)))
                    self._forward = forward  # one store: a call sees the old or the new
                    self.jit_compiled = True
        except tf.errors.OpError as exc:
            logger.info("XLA could not compile the model; the plain graph serves: %s", exc)
        finally:
            self._settled.set()

    def wait(self, timeout: float | None) -> bool:
        self._settled.wait(timeout)
        return self.jit_compiled

    @property
    def settled(self) -> bool:
        return self._settled.is_set()

    def __call__(self, weights: list[Any], windows: npt.NDArray[np.float32]) -> Any:
        """The forward pass on `weights` (trainable, then fixed: the signature's flat
        order). The concrete function's flat entry point skips binding the arguments
        to the signature and checking each weight tensor, which cost more than an
        XLA-compiled LSTM's window; the caller has checked the window's shape."""
        forward = self._forward
        window = self._tensor(windows)
        call_flat = getattr(forward, "_call_flat", None)
        if call_flat is None:  # a TensorFlow without it: the checked call
            count = len(self.template.trainable_variables)
            return forward(weights[:count], weights[count:], window)
        return call_flat([*weights, window], forward.captured_inputs)


_GRAPHS: weakref.WeakValueDictionary[str, SharedGraph] = weakref.WeakValueDictionary()
_GRAPHS_LOCK = threading.Lock()


# The same graphs, by their `.keras` files' `file_structure_key` (only those whose
# weight paths are known): a new file of a known structure is read without Keras.
_FILE_GRAPHS: weakref.WeakValueDictionary[str, SharedGraph] = weakref.WeakValueDictionary()


def _graph_for(model: Any, lookback: int, n_features: int) -> tuple[SharedGraph, bool]:
    """The structure's graph, and whether this call created it."""
    key = structure_key(model)
    with _GRAPHS_LOCK:
        graph = _GRAPHS.get(key)
        if graph is not None:
            return graph, False
        graph = SharedGraph(model, lookback, n_features)
        _GRAPHS[key] = graph
        return graph, True


class CompiledModel:
    """A Keras model's weights behind its structure's warmed, fixed-signature graph.

    By default the graph is XLA-compiled (``jit_compile``): XLA fuses an LSTM's
    per-step loop, which on this CPU cuts a batch-1 LSTM call from ≈ 3 ms to ≈ 0.5
    ms.  XLA compiles once per batch shape, so every batch size the caller will use
    belongs in ``warm_batch_sizes``; if XLA cannot compile the model the plain graph
    is used (``self.jit_compiled`` says which). The graph is shared with every other
    model of the same structure (`SharedGraph`): only the first pays the tracing and
    the compilation.

    ``background_jit`` (with ``jit_compile``): the plain graph serves at once and XLA
    compiles on a background thread (`_JitCompiler`, one for the process, so a burst
    of loads never takes every core from the requests); the compiled function
    replaces the plain one in one attribute store, so a call never waits for XLA and
    never sees half a swap. ``jit_compiled`` turns True then (never, if XLA fails),
    and `wait_for_jit` waits for that outcome.

    ``estimated_bytes``: what it keeps resident, estimated (`ModelCache`'s byte budget
    counts it): its weights (`WEIGHTS_FACTOR` times) and `TENSOR_OVERHEAD_BYTES` per
    tensor, plus, for the model that created its structure's graph, the graph
    (`BYTES_PER_GRAPH_OP` per operation).
    """

    def __init__(
        self,
        model: keras.Model,
        warm_batch_sizes: Iterable[int] = (1,),
        *,
        jit_compile: bool = True,
        naive: bool = False,
        background_jit: bool = False,
    ) -> None:
        _, lookback, n_features = model.input_shape
        self.lookback = int(lookback)
        self.n_features = int(n_features)
        # `naive`: Keras' own `model.predict` per call, the path SPEC §9 measures
        # against (bench/predict.py); never the serving default.
        self.naive = naive
        self.model: keras.Model | None = model if naive else None
        size = self._hold(
            [v.numpy() for v in model.trainable_variables],
            [v.numpy() for v in model.non_trainable_variables],
        )
        if naive:
            self.graph = None
            self.estimated_bytes = size
            return
        self.graph, created = _graph_for(model, self.lookback, self.n_features)
        self.graph.warm(warm_batch_sizes)
        ops = len(self.graph._forward.graph.get_operations())
        self.estimated_bytes = size + (BYTES_PER_GRAPH_OP * ops if created else 0)
        if not created or self.graph.settled:
            return
        if jit_compile and background_jit:
            _JitCompiler.instance().submit(self)  # last: the thread may swap from now on
        else:
            self.graph.compile_now(jit_compile)

    @classmethod
    def of_structure(
        cls,
        graph: SharedGraph,
        trainable: list[npt.NDArray[Any]],
        fixed: list[npt.NDArray[Any]],
        warm_batch_sizes: Iterable[int] = (1,),
    ) -> CompiledModel:
        """A model of `graph`'s structure from its weights alone (no Keras model)."""
        self = cls.__new__(cls)
        self.lookback, self.n_features = graph.lookback, graph.n_features
        self.naive, self.model, self.graph = False, None, graph
        self.estimated_bytes = self._hold(trainable, fixed)
        graph.warm(warm_batch_sizes)
        return self

    def _hold(self, trainable: list[npt.NDArray[Any]], fixed: list[npt.NDArray[Any]]) -> int:
        """Keep the weights as constants; what they will cost resident."""
        import tensorflow as tf

        self._weights = [tf.constant(a) for a in (*trainable, *fixed)]
        self.weights_bytes = sum(int(a.nbytes) for a in (*trainable, *fixed))
        tensors = len(trainable) + len(fixed)
        return WEIGHTS_FACTOR * self.weights_bytes + TENSOR_OVERHEAD_BYTES * tensors

    @property
    def jit_compiled(self) -> bool:
        return self.graph is not None and self.graph.jit_compiled

    @property
    def _forward(self) -> Any:
        """The function serving now (the plain graph, or XLA once swapped in)."""
        return None if self.graph is None else self.graph._forward

    def _compile_jit_now(self) -> None:
        """The background half of ``background_jit`` (on `_JitCompiler`'s thread)."""
        if self.graph is not None:
            self.graph.compile_now(True)

    def wait_for_jit(self, timeout: float | None = None) -> bool:
        """Wait until the XLA outcome is known (at once unless ``background_jit``);
        returns ``jit_compiled`` (False also when `timeout` passed first)."""
        return self.graph is not None and self.graph.wait(timeout)

    def predict(self, windows: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Scaled outputs for ``windows[batch, lookback, n_features]`` (scaled)."""
        x = np.asarray(windows, dtype=np.float32)
        if x.ndim != 3 or x.shape[1:] != (self.lookback, self.n_features):
            raise ValueError(
                f"expected windows of shape [batch, {self.lookback}, {self.n_features}], "
                f"got {x.shape}"
            )
        if self.graph is None:
            assert self.model is not None
            return np.asarray(self.model.predict(x, verbose=0), dtype=np.float64).reshape(-1)
        outputs = self.graph(self._weights, x)
        return np.asarray(outputs.numpy(), dtype=np.float64).reshape(-1)

    def predict_window(self, window: npt.ArrayLike) -> float:
        """Scaled output for one ``window[lookback, n_features]``."""
        return float(self.predict(np.asarray(window, dtype=np.float32)[None])[0])


class _JitCompiler:
    """The one daemon thread that XLA-compiles ``background_jit`` models, in order.

    One thread, not a pool: a start-up preload of many versions would otherwise
    compile on every core at once while requests wait for CPU. It holds each model
    weakly: one evicted before its turn is skipped, not compiled for nobody. A daemon,
    so a process never waits at exit for compilations nobody will use.
    """

    _lock = threading.Lock()
    _instance: _JitCompiler | None = None

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[weakref.ref[CompiledModel]] = queue.SimpleQueue()
        threading.Thread(target=self._run, name="xla-compile", daemon=True).start()

    @classmethod
    def instance(cls) -> _JitCompiler:
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def submit(self, compiled: CompiledModel) -> None:
        self._queue.put(weakref.ref(compiled))

    def _run(self) -> None:
        while True:
            compiled = self._queue.get()()
            if compiled is None:
                continue
            try:
                compiled._compile_jit_now()
            except Exception:  # a bug must not end the thread every later model needs
                logger.exception("background XLA compilation failed")
            del compiled  # not kept alive until the next model arrives


def _of_known_structure(directory: str | Path, key: str) -> CompiledModel | None:
    """A model file whose structure (`file_structure_key`) is loaded already, read as its
    weights alone."""
    from app.ml.artifacts import read_model_weights

    graph = _FILE_GRAPHS.get(key)
    if graph is None or graph.layout is None:
        return None
    trainable, fixed = graph.layout.arrays(read_model_weights(directory, graph.layout.paths))
    return CompiledModel.of_structure(graph, trainable, fixed)


def _learn_file_structure(
    directory: str | Path, key: str, model: Any, compiled: CompiledModel
) -> None:
    """After Keras loaded a file that `_FILE_GRAPHS` did not know: where its weights lie
    (the graph's layout, or found now), checked against the model Keras built from that
    very file before any later file of its kind relies on it. Only a shortcut: whatever
    goes wrong here leaves such files to Keras."""
    from app.ml.artifacts import read_model_weights

    graph = compiled.graph
    if graph is None:
        return
    try:
        layout = graph.layout or weight_layout(model)
        if layout is None:
            logger.info("weights of %s not located in its file; Keras loads them", model.name)
            return
        trainable, fixed = layout.arrays(read_model_weights(directory, layout.paths))
    except Exception:
        logger.exception("weights of %s not located in its file; Keras loads them", model.name)
        return
    own = [v.numpy() for v in (*model.trainable_variables, *model.non_trainable_variables)]
    if all(
        a.shape == b.shape and np.array_equal(a, b)
        for a, b in zip(own, [*trainable, *fixed], strict=True)
    ):
        graph.layout = layout
        with _GRAPHS_LOCK:
            _FILE_GRAPHS[key] = graph


@dataclass(frozen=True)
class Forecast:
    log_return: float  # predicted log(close[t+h] / close[t])
    predicted_price: float  # last_close · exp(log_return)
    confidence: float  # calibrated P(direction right), in [0.5, 1]
    scaled_output: float  # the network's raw output
    # Split-conformal prediction interval of the price at `interval_coverage`
    # (None for versions saved before intervals existed).
    predicted_price_low: float | None = None
    predicted_price_high: float | None = None
    interval_coverage: float | None = None


class Predictor:
    """What inference needs for one agent version: compiled model, scaler,
    calibrator and prediction interval (None for versions saved before intervals).
    Takes raw (unscaled) feature rows, as the feature engine makes them."""

    def __init__(
        self,
        compiled: CompiledModel,
        preprocessing: Preprocessing,
        calibrator: PlattCalibrator | IsotonicCalibrator,
        sha256: str = "",
        interval: ConformalInterval | None = None,
    ) -> None:
        if (compiled.lookback, compiled.n_features) != (
            preprocessing.lookback,
            len(preprocessing.feature_names),
        ):
            raise ValueError("the model's input shape does not match its preprocessing")
        self.compiled = compiled
        self.preprocessing = preprocessing
        self.calibrator = calibrator
        self.sha256 = sha256
        self.interval = interval

    @classmethod
    def load(
        cls,
        directory: str | Path,
        expected_sha256: str,
        *,
        naive: bool = False,
        background_jit: bool = False,
    ) -> Predictor:
        """Verify, load and warm an artifact (raises `ArtifactMissing`/`ArtifactCorrupt`).

        ``background_jit``: return once the plain graph is warmed, XLA compiling on
        (`CompiledModel`); what the API's model store does, so a load costs ≈ a third."""
        from app.ml.artifacts import load_model_file, read_artifact, read_model_config

        artifact = read_artifact(directory, expected_sha256)
        key = None if naive else file_structure_key(read_model_config(directory))
        compiled = None if key is None else _of_known_structure(directory, key)
        if compiled is None:
            model = load_model_file(directory)
            compiled = CompiledModel(model, naive=naive, background_jit=background_jit)
            if key is not None:
                _learn_file_structure(directory, key, model, compiled)
        return cls(
            compiled,
            artifact.preprocessing,
            artifact.calibrator,
            artifact.sha256,
            artifact.interval,
        )

    def forecast(
        self,
        features: npt.ArrayLike,
        last_close: float,
        *,
        closes: npt.ArrayLike | None = None,
    ) -> Forecast:
        """Forecast from the latest bars: ``features[n_bars ≥ lookback, n_features]``
        raw, oldest first, the last row being the bar whose close is ``last_close``.

        ``closes``: the closes of the latest bars, oldest first, ending with
        ``last_close`` (the closes of the feature rows' bars do; at least the last
        ``lookback`` of them are read). The prediction interval's width follows their
        recent volatility, as it was fitted; without them (or with too few) it falls back
        to the fixed-width interval fitted alongside. No interval without one saved."""
        rows = np.asarray(features, dtype=np.float32)
        lookback = self.preprocessing.lookback
        if rows.ndim != 2 or rows.shape[0] < lookback:
            raise ValueError(f"need at least {lookback} feature rows, got shape {rows.shape}")
        if not np.isfinite(rows[-lookback:]).all() or not math.isfinite(last_close):
            raise ValueError("the latest feature rows contain non-finite values")
        window = self.preprocessing.scaler.transform_features(rows[-lookback:])
        scaled = self.compiled.predict_window(window)
        log_return = float(self.preprocessing.scaler.unscale_target(np.array([scaled]))[0])
        low = high = coverage = None
        if self.interval is not None:
            half = self.interval.half_width(self.interval.scale_from_closes(closes))
            low = float(last_close * math.exp(log_return - half))
            high = float(last_close * math.exp(log_return + half))
            coverage = self.interval.coverage
        return Forecast(
            log_return=log_return,
            predicted_price=float(last_close * math.exp(log_return)),
            confidence=float(self.calibrator.confidence(np.array([scaled]))[0]),
            scaled_output=scaled,
            predicted_price_low=low,
            predicted_price_high=high,
            interval_coverage=coverage,
        )


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ModelCache(Generic[K, V]):
    """Thread-safe LRU of loaded models keyed by agent-version id, bounded by a count
    and, given a `sizer`, by the bytes the entries hold (`max_bytes`).

    `get_or_load` runs the loader outside the cache lock (loading takes
    seconds) but at most once per key at a time: concurrent requests for the
    same model wait for the one load instead of each loading it.

    Each entry's size is taken once, when it is put; the least recently used entries
    are evicted until both bounds hold. The entry just put always stays, even alone
    over the budget: evicting it would make every call for it a load.
    """

    def __init__(
        self,
        max_models: int,
        *,
        max_bytes: int | None = None,
        sizer: Callable[[V], int] | None = None,
    ) -> None:
        if max_models < 1:
            raise ValueError("max_models must be at least 1")
        if max_bytes is not None and (max_bytes < 1 or sizer is None):
            raise ValueError("max_bytes must be positive and needs a sizer")
        self.max_models = max_models
        self.max_bytes = max_bytes
        self._sizer = sizer
        self._items: OrderedDict[K, V] = OrderedDict()
        self._sizes: dict[K, int] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        self._loading: dict[K, threading.Lock] = {}

    def get(self, key: K) -> V | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: K, value: V) -> None:
        size = self._sizer(value) if self._sizer is not None else 0  # outside the lock
        with self._lock:
            self._pop(key)
            self._items[key] = value
            self._sizes[key] = size
            self._bytes += size
            while len(self._items) > 1 and (
                len(self._items) > self.max_models
                or (self.max_bytes is not None and self._bytes > self.max_bytes)
            ):
                self._pop(next(iter(self._items)))

    def _pop(self, key: K) -> None:
        """Drop `key` if present (the lock held)."""
        self._items.pop(key, None)
        self._bytes -= self._sizes.pop(key, 0)

    def get_or_load(self, key: K, loader: Callable[[], V]) -> V:
        cached = self.get(key)
        if cached is not None:
            return cached
        with self._lock:
            key_lock = self._loading.setdefault(key, threading.Lock())
        try:
            with key_lock:
                cached = self.get(key)  # another thread may have loaded it meanwhile
                if cached is None:
                    cached = loader()
                    self.put(key, cached)
        finally:
            with self._lock:
                if self._loading.get(key) is key_lock:
                    del self._loading[key]
        return cached

    def evict(self, key: K) -> None:
        with self._lock:
            self._pop(key)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._sizes.clear()
            self._bytes = 0

    @property
    def bytes(self) -> int:
        """The estimated bytes of the entries held (0 without a sizer)."""
        with self._lock:
            return self._bytes

    def keys(self) -> list[K]:
        """Keys from least to most recently used."""
        with self._lock:
            return list(self._items)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __repr__(self) -> str:
        budget = "" if self.max_bytes is None else f", {self.bytes}/{self.max_bytes} bytes"
        return f"ModelCache({len(self)}/{self.max_models}{budget})"
