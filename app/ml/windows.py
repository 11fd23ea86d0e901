"""Input pipeline that builds windows by index, batch by batch.

The scaled series is put in one tensor; a batch of sample indices becomes a
batch of windows with one gather.  Nothing ever holds all windows at once
(a plain `model.fit` on materialised windows holds ``lookback`` copies of the
series), and shuffling permutes indices inside one split only, so no sample
crosses a split boundary.

Under TensorFlow it is a `tf.data` pipeline; under JAX (`app.ml.backend`) the same
batches are gathered with NumPy (`_ArrayBatches`, `_epoch_stream`), so a JAX training
process never imports TensorFlow.  Imports Keras (choose the backend first):
worker-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keras
import numpy as np

from app.ml.backend import current
from app.ml.dataset import Dataset, SplitRange


def window_batches(
    dataset: Dataset,
    split: SplitRange,
    batch_size: int,
    *,
    shuffle: bool = False,
    seed: int = 0,
    with_targets: bool = True,
) -> Any:
    """Batches of ``(windows[b, lookback, f], scaled_targets[b])`` for ``split``
    (re-iterable: a `tf.data.Dataset`, or under JAX a `keras.utils.PyDataset`).

    With ``shuffle`` the order of the split's samples is re-drawn every epoch
    (seeded, so a run is reproducible).
    """
    if current() == "jax":
        return _ArrayBatches(
            dataset, split, batch_size, shuffle=shuffle, seed=seed, with_targets=with_targets
        )
    import tensorflow as tf

    indices = tf.data.Dataset.range(split.start, split.stop)
    if shuffle:
        indices = indices.shuffle(len(split), seed=seed, reshuffle_each_iteration=True)
    batches = indices.batch(batch_size)
    gather = _tf_gather(dataset, with_targets=with_targets)
    return batches.map(gather, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def _tf_gather(dataset: Dataset, *, with_targets: bool) -> Any:
    """A batch of sample indices → its windows (and targets), in one gather each."""
    import tensorflow as tf

    series = tf.constant(dataset.features)
    targets = tf.constant(dataset.targets)
    # Offsets from a sample index to its window's bars: sample i reads bars
    # i .. i + lookback - 1 (see app.ml.dataset).
    offsets = tf.range(dataset.lookback, dtype=tf.int64)

    def gather(batch: Any) -> Any:
        windows = tf.gather(series, batch[:, None] + offsets[None, :])
        if not with_targets:
            return windows
        return windows, tf.gather(targets, batch)

    return gather


def _np_gather(dataset: Dataset, batch: np.ndarray, *, with_targets: bool = True) -> Any:
    """`_tf_gather` in NumPy (the JAX backend's batches)."""
    windows = dataset.features[batch[:, None] + np.arange(dataset.lookback)[None, :]]
    return (windows, dataset.targets[batch]) if with_targets else windows


def materialise(dataset: Dataset, split: SplitRange) -> tuple[np.ndarray, np.ndarray]:
    """Contiguous copies of a split's windows and targets (for baselines and benches
    that need plain arrays; training itself never calls this)."""
    return (
        np.ascontiguousarray(dataset.windows(split)),
        np.ascontiguousarray(dataset.split_targets(split)),
    )


def epoch_batches(
    dataset: Dataset,
    split: SplitRange,
    batch_size: int,
    *,
    seed: int,
    first_epoch: int,
    epochs: int,
) -> Any:
    """The training batches of epochs ``first_epoch`` … ``epochs - 1`` (0-based), one
    after the other, for ``model.fit(..., steps_per_epoch=steps_per_epoch(...))``.

    Each epoch's order is a permutation drawn from (``seed``, epoch) alone, not from
    a shuffle buffer's running state: a run resumed at epoch k from a checkpoint sees
    the very batches an uninterrupted run would have seen from epoch k on.
    (Under JAX the permutation is NumPy's, drawn from the same pair: as reproducible,
    though not the same order as TensorFlow's.)
    """
    if current() == "jax":
        return _epoch_stream(
            dataset, split, batch_size, seed=seed, first_epoch=first_epoch, epochs=epochs
        )
    import tensorflow as tf

    n = len(split)
    start = tf.constant(split.start, dtype=tf.int64)

    def epoch_order(epoch: Any) -> Any:
        keys = tf.random.stateless_uniform(
            [n], seed=tf.stack([tf.constant(seed, tf.int64), epoch]), dtype=tf.float32
        )
        order = start + tf.cast(tf.argsort(keys, stable=True), tf.int64)
        return tf.data.Dataset.from_tensor_slices(order).batch(batch_size)

    return (
        tf.data.Dataset.range(first_epoch, epochs)
        .flat_map(epoch_order)
        .map(_tf_gather(dataset, with_targets=True), num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )


def steps_per_epoch(split: SplitRange, batch_size: int) -> int:
    return -(-len(split) // batch_size)


def _epoch_order(n: int, seed: int, epoch: int) -> np.ndarray:
    """Epoch ``epoch``'s permutation of ``range(n)``, from (``seed``, ``epoch``) alone."""
    rng = np.random.default_rng(np.random.SeedSequence([seed & 0xFFFFFFFF, epoch]))
    return rng.permutation(n)


def _epoch_stream(
    dataset: Dataset,
    split: SplitRange,
    batch_size: int,
    *,
    seed: int,
    first_epoch: int,
    epochs: int,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """`epoch_batches` as NumPy: one generator over every remaining epoch's batches."""
    for epoch in range(first_epoch, epochs):
        order = split.start + _epoch_order(len(split), seed, epoch)
        for begin in range(0, len(order), batch_size):
            yield _np_gather(dataset, order[begin : begin + batch_size])


class _ArrayBatches(keras.utils.PyDataset):
    """`window_batches` as NumPy: a split's windows (and targets), batch by batch,
    re-iterable (Keras' evaluate, predict and every epoch's validation read it from
    the start)."""

    def __init__(
        self,
        dataset: Dataset,
        split: SplitRange,
        batch_size: int,
        *,
        shuffle: bool,
        seed: int,
        with_targets: bool,
    ) -> None:
        super().__init__()
        self.dataset, self.split, self.batch_size = dataset, split, batch_size
        self.shuffle, self.seed, self.with_targets = shuffle, seed, with_targets
        self.epoch = 0
        self.order = self._order()

    def _order(self) -> np.ndarray:
        if self.shuffle:
            return self.split.start + _epoch_order(len(self.split), self.seed, self.epoch)
        return np.arange(self.split.start, self.split.stop)

    def __len__(self) -> int:
        return steps_per_epoch(self.split, self.batch_size)

    def __getitem__(self, index: int) -> Any:
        batch = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        return _np_gather(self.dataset, batch, with_targets=self.with_targets)

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self.epoch += 1
            self.order = self._order()
