from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.architecture import Architecture
from ..types import UNSET, Unset

T = TypeVar("T", bound="ModelPreferences")


@_attrs_define
class ModelPreferences:
    """Architecture and epochs for everyone; the rest is for `quant` users only.

    Attributes:
        architecture (Architecture | Unset): The network an agent trains (requests accept it in any letter case); `auto`
            trains all three on the same split and serves the best on validation loss.
        epochs (int | Unset):  Default: 20.
        lookback (int | None | Unset):
        layers (int | None | Unset):
        units (int | None | Unset):
        dropout (float | None | Unset):
        learning_rate (float | None | Unset):
        batch_size (int | None | Unset):
        seed (int | None | Unset):
    """

    architecture: Architecture | Unset = UNSET
    epochs: int | Unset = 20
    lookback: int | None | Unset = UNSET
    layers: int | None | Unset = UNSET
    units: int | None | Unset = UNSET
    dropout: float | None | Unset = UNSET
    learning_rate: float | None | Unset = UNSET
    batch_size: int | None | Unset = UNSET
    seed: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        architecture: str | Unset = UNSET
        if not isinstance(self.architecture, Unset):
            architecture = self.architecture.value

        epochs = self.epochs

        lookback: int | None | Unset
        if isinstance(self.lookback, Unset):
            lookback = UNSET
        else:
            lookback = self.lookback

        layers: int | None | Unset
        if isinstance(self.layers, Unset):
            layers = UNSET
        else:
            layers = self.layers

        units: int | None | Unset
        if isinstance(self.units, Unset):
            units = UNSET
        else:
            units = self.units

        dropout: float | None | Unset
        if isinstance(self.dropout, Unset):
            dropout = UNSET
        else:
            dropout = self.dropout

        learning_rate: float | None | Unset
        if isinstance(self.learning_rate, Unset):
            learning_rate = UNSET
        else:
            learning_rate = self.learning_rate

        batch_size: int | None | Unset
        if isinstance(self.batch_size, Unset):
            batch_size = UNSET
        else:
            batch_size = self.batch_size

        seed: int | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        else:
            seed = self.seed

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if architecture is not UNSET:
            field_dict["architecture"] = architecture
        if epochs is not UNSET:
            field_dict["epochs"] = epochs
        if lookback is not UNSET:
            field_dict["lookback"] = lookback
        if layers is not UNSET:
            field_dict["layers"] = layers
        if units is not UNSET:
            field_dict["units"] = units
        if dropout is not UNSET:
            field_dict["dropout"] = dropout
        if learning_rate is not UNSET:
            field_dict["learning_rate"] = learning_rate
        if batch_size is not UNSET:
            field_dict["batch_size"] = batch_size
        if seed is not UNSET:
            field_dict["seed"] = seed

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _architecture = d.pop("architecture", UNSET)
        architecture: Architecture | Unset
        if isinstance(_architecture, Unset):
            architecture = UNSET
        else:
            architecture = Architecture(_architecture)

        epochs = d.pop("epochs", UNSET)

        def _parse_lookback(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        lookback = _parse_lookback(d.pop("lookback", UNSET))

        def _parse_layers(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        layers = _parse_layers(d.pop("layers", UNSET))

        def _parse_units(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        units = _parse_units(d.pop("units", UNSET))

        def _parse_dropout(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        dropout = _parse_dropout(d.pop("dropout", UNSET))

        def _parse_learning_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        learning_rate = _parse_learning_rate(d.pop("learning_rate", UNSET))

        def _parse_batch_size(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        batch_size = _parse_batch_size(d.pop("batch_size", UNSET))

        def _parse_seed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))

        model_preferences = cls(
            architecture=architecture,
            epochs=epochs,
            lookback=lookback,
            layers=layers,
            units=units,
            dropout=dropout,
            learning_rate=learning_rate,
            batch_size=batch_size,
            seed=seed,
        )

        return model_preferences
