"""Custom Keras layers, registered so a saved `.keras` file loads again.

Imports Keras at import time: only the builders and the model loader import
this module, never the API's start-up path.
"""

from __future__ import annotations

from typing import Any

import keras


@keras.saving.register_keras_serializable(package="trading_platform")
class PositionalEmbedding(keras.layers.Layer):
    """Adds a learned embedding of each step's position to a sequence.

    Attention is permutation-invariant; without this the Transformer could not
    tell the latest bar from the oldest one.
    """

    def __init__(self, sequence_length: int, output_dim: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sequence_length = sequence_length
        self.output_dim = output_dim
        self.embedding = keras.layers.Embedding(sequence_length, output_dim)

    def build(self, input_shape: Any) -> None:
        self.embedding.build((self.sequence_length,))
        super().build(input_shape)

    def call(self, inputs: Any) -> Any:
        positions = keras.ops.arange(self.sequence_length)
        return inputs + self.embedding(positions)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "sequence_length": self.sequence_length,
            "output_dim": self.output_dim,
        }
