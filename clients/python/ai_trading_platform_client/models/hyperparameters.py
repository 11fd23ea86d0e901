from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Hyperparameters")


@_attrs_define
class Hyperparameters:
    """The model and optimiser settings the agent trains with (`seed` only when a quant
    fixed it; an agent from before they were stored has `{}`).

        Attributes:
            lookback (int | Unset): Bars in each input window.
            layers (int | Unset):
            units (int | Unset):
            dropout (float | Unset):
            learning_rate (float | Unset):
            batch_size (int | Unset):
            patience (int | Unset): Epochs without validation improvement before stopping.
            heads (int | Unset): Attention heads (Transformer).
            kernel_size (int | Unset): Convolution width (CNN).
            seed (int | Unset): Set only when the quant fixed it; otherwise each version draws one.
    """

    lookback: int | Unset = UNSET
    layers: int | Unset = UNSET
    units: int | Unset = UNSET
    dropout: float | Unset = UNSET
    learning_rate: float | Unset = UNSET
    batch_size: int | Unset = UNSET
    patience: int | Unset = UNSET
    heads: int | Unset = UNSET
    kernel_size: int | Unset = UNSET
    seed: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        lookback = self.lookback

        layers = self.layers

        units = self.units

        dropout = self.dropout

        learning_rate = self.learning_rate

        batch_size = self.batch_size

        patience = self.patience

        heads = self.heads

        kernel_size = self.kernel_size

        seed = self.seed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
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
        if patience is not UNSET:
            field_dict["patience"] = patience
        if heads is not UNSET:
            field_dict["heads"] = heads
        if kernel_size is not UNSET:
            field_dict["kernel_size"] = kernel_size
        if seed is not UNSET:
            field_dict["seed"] = seed

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        lookback = d.pop("lookback", UNSET)

        layers = d.pop("layers", UNSET)

        units = d.pop("units", UNSET)

        dropout = d.pop("dropout", UNSET)

        learning_rate = d.pop("learning_rate", UNSET)

        batch_size = d.pop("batch_size", UNSET)

        patience = d.pop("patience", UNSET)

        heads = d.pop("heads", UNSET)

        kernel_size = d.pop("kernel_size", UNSET)

        seed = d.pop("seed", UNSET)

        hyperparameters = cls(
            lookback=lookback,
            layers=layers,
            units=units,
            dropout=dropout,
            learning_rate=learning_rate,
            batch_size=batch_size,
            patience=patience,
            heads=heads,
            kernel_size=kernel_size,
            seed=seed,
        )

        hyperparameters.additional_properties = d
        return hyperparameters

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
