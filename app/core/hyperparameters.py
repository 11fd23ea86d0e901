"""The bounds of every hyper-parameter a quant may set.

The API validates against them and the ML core checks them again, so both read
the same table.
"""

from __future__ import annotations

RANGES: dict[str, tuple[float, float]] = {
    "lookback": (2, 512),
    "layers": (1, 4),
    "units": (4, 256),
    "dropout": (0.0, 0.5),
    "learning_rate": (1e-5, 1.0),
    "batch_size": (8, 1024),
    "patience": (1, 50),
    "heads": (1, 8),
    "kernel_size": (2, 9),
}
