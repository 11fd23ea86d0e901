"""Stop-losses the user did not give: for a /predict's default and its other stocks.

A stop decides the position's size, so one left out is placed where it protects
(on the protective side of the entry, far enough from ordinary noise) and on the
exchange's tick grid, never wherever a float lands.
"""

from __future__ import annotations

import math
from typing import Final

from app.core.money import tick
from app.services.signals.rule import Direction

STOP_ATR_MULTIPLE: Final = 2.0


def default_stop(entry: float, atr: float, direction_hint: Direction) -> float:
    """Two ATRs from the entry on the protective side (below for Long, above for Short).

    Two ATRs keeps an ordinary bar's noise from stopping the trade out, the common
    volatility stop. Rounded to the cent ($0.0001 below $1, the US tick sizes). A
    zero ATR (a flat series) gives a stop at the entry, which the rule then holds.
    """
    _positive("entry", entry)
    if not (math.isfinite(atr) and atr >= 0):
        raise ValueError(f"atr must be a non-negative finite number, got {atr!r}")
    offset = STOP_ATR_MULTIPLE * atr
    stop = entry - offset if direction_hint == "Long" else entry + offset
    if stop <= 0:
        raise ValueError(
            f"two ATRs ({offset:g}) below the entry {entry:g} is not a price; give a stop-loss"
        )
    return tick(stop, entry)


def scale_stop(
    first_entry: float, first_stop: float, entry: float, direction_hint: Direction | None = None
) -> float:
    """A stop for another stock at the first stock's percentage distance from its entry.

    Without `direction_hint` the stop stays on the first stop's side; with it, the
    same distance is put on the protective side for that stock's own direction (the
    first stock may be a Long and this one a Short).
    """
    for name, value in (("first_entry", first_entry), ("first_stop", first_stop), ("entry", entry)):
        _positive(name, value)
    distance = abs(first_stop - first_entry) / first_entry
    below = first_stop < first_entry if direction_hint is None else direction_hint == "Long"
    stop = entry * (1 - distance) if below else entry * (1 + distance)
    if stop <= 0:
        raise ValueError("the first stock's stop distance is 100 % or more of its entry")
    return tick(stop, entry)


def _positive(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
