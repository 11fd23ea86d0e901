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
