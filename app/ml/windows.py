"""`tf.data` input pipeline that builds windows by index, batch by batch.

The scaled series is put in one tensor; a batch of sample indices becomes a
batch of windows with one `tf.gather`.  Nothing ever holds all windows at once
(a plain `model.fit` on materialised windows holds ``lookback`` copies of the
series), and shuffling permutes indices inside one split only, so no sample
crosses a split boundary.  Imports TensorFlow: worker-only.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from app.ml.dataset import Dataset, SplitRange


def window_batches(
    dataset: Dataset,
    split: SplitRange,
    batch_size: int,
    *,
    shuffle: bool = False,
    seed: int = 0,
    with_targets: bool = True,
) -> tf.data.Dataset:
    """Batches of ``(windows[b, lookback, f], scaled_targets[b])`` for ``split``.

    With ``shuffle`` the order of the split's samples is re-drawn every epoch
    (seeded, so a run is reproducible).
    """
    series = tf.constant(dataset.features)
    targets = tf.constant(dataset.targets)
    # Offsets from a sample index to its window's bars: sample i reads bars
    # i .. i + lookback - 1 (see app.ml.dataset).
    offsets = tf.range(dataset.lookback, dtype=tf.int64)

    indices = tf.data.Dataset.range(split.start, split.stop)
    if shuffle:
        indices = indices.shuffle(len(split), seed=seed, reshuffle_each_iteration=True)
    batches = indices.batch(batch_size)

    def gather(batch: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor] | tf.Tensor:
        windows = tf.gather(series, batch[:, None] + offsets[None, :])
        if not with_targets:
            return windows
        return windows, tf.gather(targets, batch)

    return batches.map(gather, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


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
) -> tf.data.Dataset:
    """The training batches of epochs ``first_epoch`` … ``epochs - 1`` (0-based), one
    after the other, for ``model.fit(..., steps_per_epoch=steps_per_epoch(...))``.

    Each epoch's order is a permutation drawn from (``seed``, epoch) alone, not from
    a shuffle buffer's running state: a run resumed at epoch k from a checkpoint sees
    the very batches an uninterrupted run would have seen from epoch k on.
    """
    series = tf.constant(dataset.features)
    targets = tf.constant(dataset.targets)
    offsets = tf.range(dataset.lookback, dtype=tf.int64)
    n = len(split)
    start = tf.constant(split.start, dtype=tf.int64)

    def epoch_order(epoch: tf.Tensor) -> tf.data.Dataset:
        keys = tf.random.stateless_uniform(
            [n], seed=tf.stack([tf.constant(seed, tf.int64), epoch]), dtype=tf.float32
        )
        order = start + tf.cast(tf.argsort(keys, stable=True), tf.int64)
        return tf.data.Dataset.from_tensor_slices(order).batch(batch_size)

    def gather(batch: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        windows = tf.gather(series, batch[:, None] + offsets[None, :])
        return windows, tf.gather(targets, batch)

    return (
        tf.data.Dataset.range(first_epoch, epochs)
        .flat_map(epoch_order)
        .map(gather, num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )


def steps_per_epoch(split: SplitRange, batch_size: int) -> int:
    return -(-len(split) // batch_size)
