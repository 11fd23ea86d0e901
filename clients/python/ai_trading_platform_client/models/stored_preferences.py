from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.architecture import Architecture
from ..types import UNSET, Unset

T = TypeVar("T", bound="StoredPreferences")


@_attrs_define
class StoredPreferences:
    """
    Attributes:
        architecture (Architecture | Unset): The network an agent trains (requests accept it in any letter case); `auto`
            trains all three on the same split and serves the best on validation loss.
        epochs (int | Unset):
        lookback (int | Unset):
        layers (int | Unset):
        units (int | Unset):
        dropout (float | Unset):
        learning_rate (float | Unset):
        batch_size (int | Unset):
        seed (int | Unset):
    """

    architecture: Architecture | Unset = UNSET
    epochs: int | Unset = UNSET
    lookback: int | Unset = UNSET
    layers: int | Unset = UNSET
    units: int | Unset = UNSET
    dropout: float | Unset = UNSET
    learning_rate: float | Unset = UNSET
    batch_size: int | Unset = UNSET
    seed: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        architecture: str | Unset = UNSET
        if not isinstance(self.architecture, Unset):
            architecture = self.architecture.value

        epochs = self.epochs

        lookback = self.lookback

        layers = self.layers

        units = self.units

        dropout = self.dropout

        learning_rate = self.learning_rate

        batch_size = self.batch_size

        seed = self.seed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
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

        lookback = d.pop("lookback", UNSET)

        layers = d.pop("layers", UNSET)

        units = d.pop("units", UNSET)

        dropout = d.pop("dropout", UNSET)

        learning_rate = d.pop("learning_rate", UNSET)

        batch_size = d.pop("batch_size", UNSET)

        seed = d.pop("seed", UNSET)

        stored_preferences = cls(
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

        stored_preferences.additional_properties = d
        return stored_preferences

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
