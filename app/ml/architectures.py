"""Hyperparameters and Keras 3 builders for the three agent architectures.

Importing this module does not import Keras: `Hyperparameters` is also what the
API validates a quant's overrides with, and the API must start in < 3 s.  The
builders import Keras when called (only the worker and the model loader do).

Every builder returns a compiled regression model: input
``float32[batch, lookback, n_features]`` (scaled features), output
``[batch, 1]``, the scaled horizon log return, trained with mean squared error.
"""

from __future__ import annotations

import dataclasses
import random
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.hyperparameters import RANGES
from app.core.vocabulary import TRAINED_ARCHITECTURES

if TYPE_CHECKING:
    import keras

_ALIASES = {**{a.upper(): a.upper() for a in TRAINED_ARCHITECTURES}, "CONV1D": "CNN"}

# (low, high) inclusive. Wide enough for a quant to experiment, narrow enough
# that a typo (units=10000, dropout=0.9) cannot tie up the worker or train nothing.
# Look-back and batch size per bar frequency: about a trading day of intraday
# bars (capped at 60 for 1-minute bars), two months of days, half a year of weeks.
_FREQUENCY_DEFAULTS: dict[str, dict[str, int]] = {
    "1min": {"lookback": 60, "batch_size": 128},
    "5min": {"lookback": 48, "batch_size": 128},
    "15min": {"lookback": 32, "batch_size": 64},
    "30min": {"lookback": 26, "batch_size": 64},
    "1h": {"lookback": 21, "batch_size": 64},
    "1d": {"lookback": 40, "batch_size": 32},
    "1wk": {"lookback": 26, "batch_size": 16},
}

_ARCHITECTURE_DEFAULTS: dict[str, dict[str, Any]] = {
    "LSTM": {"layers": 1, "units": 32},
    "CNN": {"layers": 2, "units": 32},
    # Attention is less stable early in training: a lower rate, one block.
    "TRANSFORMER": {"layers": 1, "units": 32, "heads": 2, "learning_rate": 5e-4},
}


class InvalidHyperparameters(ValueError):
    """A hyperparameter is outside its documented range."""


def normalise_architecture(name: str) -> str:
    """``"lstm"``, ``"Conv1D"``, ``"transformer"`` … → the canonical upper-case name."""
    key = name.strip().upper()
    if key not in _ALIASES:
        raise InvalidHyperparameters(
            f"unknown architecture {name!r}; choose one of {', '.join(TRAINED_ARCHITECTURES)}"
        )
    return _ALIASES[key]


@dataclass(frozen=True)
class Hyperparameters:
    """Model and optimiser settings; validated against `RANGES` on creation."""

    lookback: int = 60
    layers: int = 1
    units: int = 32
    dropout: float = 0.1
    learning_rate: float = 1e-3
    batch_size: int = 64
    patience: int = 3
    heads: int = 2
    kernel_size: int = 3
    seed: int = 42

    def __post_init__(self) -> None:
        for name, (low, high) in RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidHyperparameters(f"{name} must be a number, got {value!r}")
            if isinstance(low, int) and isinstance(high, int) and not isinstance(value, int):
                raise InvalidHyperparameters(f"{name} must be an integer, got {value!r}")
            if not low <= value <= high:
                raise InvalidHyperparameters(f"{name}={value} is outside [{low}, {high}]")
        if self.units % self.heads:
            raise InvalidHyperparameters(
                f"units ({self.units}) must be a multiple of heads ({self.heads})"
            )

    def replace(self, **overrides: Any) -> Hyperparameters:
        """A copy with ``overrides`` applied (and validated); unknown names raise."""
        unknown = set(overrides) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise InvalidHyperparameters(f"unknown hyperparameters: {sorted(unknown)}")
        return dataclasses.replace(self, **overrides)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Hyperparameters:
        """Inverse of `to_json`; missing keys take the defaults, unknown keys raise."""
        return cls().replace(**data)


def default_hyperparameters(frequency: str, architecture: str, **overrides: Any) -> Hyperparameters:
    """The platform's choice for a frequency and architecture, then ``overrides``."""
    if frequency not in _FREQUENCY_DEFAULTS:
        raise InvalidHyperparameters(
            f"unknown frequency {frequency!r}; choose one of {sorted(_FREQUENCY_DEFAULTS)}"
        )
    base = {
        **_FREQUENCY_DEFAULTS[frequency],
        **_ARCHITECTURE_DEFAULTS[normalise_architecture(architecture)],
    }
    return Hyperparameters().replace(**base).replace(**overrides)


def build_model(architecture: str, hp: Hyperparameters, n_features: int) -> keras.Model:
    """A compiled model of ``architecture``; seeds Python, NumPy and TF first so the
    same inputs give the same initial weights."""
    import keras

    _set_random_seed(hp.seed)
    builder = {"LSTM": _lstm, "CNN": _cnn, "TRANSFORMER": _transformer}[
        normalise_architecture(architecture)
    ]
    inputs = keras.Input(shape=(hp.lookback, n_features), name="window", dtype="float32")
    hidden = builder(inputs, hp)
    if hp.dropout > 0:
        hidden = keras.layers.Dropout(hp.dropout)(hidden)
    output = keras.layers.Dense(1, name="scaled_return")(hidden)
    model = keras.Model(inputs, output, name=normalise_architecture(architecture).lower())
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=hp.learning_rate), loss="mse")
    return model


def _set_random_seed(seed: int) -> None:
    """`keras.utils.set_random_seed`, which also seeds TensorFlow, importing it if it is
    installed (≈ 3 s); under another backend (`app.ml.backend`: JAX) TensorFlow is not
    used, so the same seeding without it: Python, NumPy and Keras' own generators."""
    import keras
    import numpy as np

    if keras.config.backend() == "tensorflow" or "tensorflow" in sys.modules:
        keras.utils.set_random_seed(seed)
        return
    try:
        from keras.src.backend.common import global_state
        from keras.src.random import seed_generator
        from keras.src.utils import module_utils
        from keras.src.utils.rng_utils import GLOBAL_RANDOM_SEED
    except ImportError:  # another Keras layout: seed as Keras does, TensorFlow and all
        keras.utils.set_random_seed(seed)
        return
    # Keras also imports TensorFlow, if installed, to ask whether an object is one of
    # its own (saving a model does): under JAX none is, so it need not be imported.
    module_utils.tensorflow._available = False
    global_state.set_global_attribute(GLOBAL_RANDOM_SEED, seed)
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
    random.seed(seed)
    np.random.seed(seed)


def _lstm(inputs: Any, hp: Hyperparameters) -> Any:
    import keras

    x = inputs
    for i in range(hp.layers):
        last = i == hp.layers - 1
        x = keras.layers.LSTM(hp.units, return_sequences=not last, name=f"lstm_{i}")(x)
    return x


def _last_step_and_mean(x: Any, lookback: int) -> Any:
    """Summary of a sequence: the latest step (what just happened matters most for a
    short-horizon return) beside the average over the window."""
    import keras

    last = keras.layers.Flatten()(keras.layers.Cropping1D((lookback - 1, 0))(x))
    mean = keras.layers.GlobalAveragePooling1D()(x)
    return keras.layers.Concatenate()([last, mean])


def _cnn(inputs: Any, hp: Hyperparameters) -> Any:
    import keras

    x = inputs
    for i in range(hp.layers):
        # Causal, dilated convolutions: each output step sees only bars up to
        # itself, and the receptive field doubles per layer.
        x = keras.layers.Conv1D(
            hp.units,
            hp.kernel_size,
            padding="causal",
            dilation_rate=2**i,
            activation="relu",
            name=f"conv_{i}",
        )(x)
    return _last_step_and_mean(x, hp.lookback)


def _transformer(inputs: Any, hp: Hyperparameters) -> Any:
    import keras

    from app.ml.layers import PositionalEmbedding

    x = keras.layers.Dense(hp.units, name="project")(inputs)
    x = PositionalEmbedding(hp.lookback, hp.units, name="position")(x)
    for i in range(hp.layers):
        attended = keras.layers.MultiHeadAttention(
            num_heads=hp.heads,
            key_dim=hp.units // hp.heads,
            dropout=hp.dropout,
            name=f"attention_{i}",
        )(x, x)
        x = keras.layers.LayerNormalization(name=f"norm_a{i}")(x + attended)
        ff = keras.layers.Dense(2 * hp.units, activation="relu", name=f"ff_in_{i}")(x)
        ff = keras.layers.Dense(hp.units, name=f"ff_out_{i}")(ff)
        x = keras.layers.LayerNormalization(name=f"norm_f{i}")(x + ff)
    return _last_step_and_mean(x, hp.lookback)
