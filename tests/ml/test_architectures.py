"""Hyperparameter ranges and the platform's defaults per frequency and architecture."""

from __future__ import annotations

import pytest

from app.ml.architectures import Hyperparameters, InvalidHyperparameters, default_hyperparameters


def test_hyperparameters_are_validated_and_defaulted_per_frequency() -> None:
    daily = default_hyperparameters("1d", "lstm")
    minute = default_hyperparameters("1min", "Transformer", units=64)
    assert (daily.lookback, minute.lookback, minute.units) == (40, 60, 64)
    assert minute.learning_rate < daily.learning_rate
    assert Hyperparameters.from_json(daily.to_json()) == daily
    for bad in (
        {"dropout": 0.9},
        {"units": 10_000},
        {"lookback": 1},
        {"layers": 2.5},
        {"learning_rate": 10.0},
        {"units": 30, "heads": 4},
        {"colour": "red"},
    ):
        with pytest.raises(InvalidHyperparameters):
            Hyperparameters().replace(**bad)
    with pytest.raises(InvalidHyperparameters, match="architecture"):
        default_hyperparameters("1d", "GRU")
    with pytest.raises(InvalidHyperparameters, match="frequency"):
        default_hyperparameters("2min", "LSTM")
