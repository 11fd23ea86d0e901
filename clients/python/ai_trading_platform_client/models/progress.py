from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Progress")


@_attrs_define
class Progress:
    """The last finished epoch while the agent trains; `{}` before the first.

    Attributes:
        epoch (int | Unset):
        epochs (int | Unset):
        loss (float | None | Unset):
        val_loss (float | None | Unset):
        resumed_from_epoch (int | Unset): Set when the run resumed from a checkpoint.
        fold (int | Unset): Walk-forward fold being trained (EVALUATING), 1-based.
        folds (int | Unset): Walk-forward folds in all.
        candidate (str | Unset): `auto` only: the architecture training now (LSTM, CNN, Transformer).
        candidates (int | Unset): `auto` only: architectures trained in all (3).
    """

    epoch: int | Unset = UNSET
    epochs: int | Unset = UNSET
    loss: float | None | Unset = UNSET
    val_loss: float | None | Unset = UNSET
    resumed_from_epoch: int | Unset = UNSET
    fold: int | Unset = UNSET
    folds: int | Unset = UNSET
    candidate: str | Unset = UNSET
    candidates: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        epoch = self.epoch

        epochs = self.epochs

        loss: float | None | Unset
        if isinstance(self.loss, Unset):
            loss = UNSET
        else:
            loss = self.loss

        val_loss: float | None | Unset
        if isinstance(self.val_loss, Unset):
            val_loss = UNSET
        else:
            val_loss = self.val_loss

        resumed_from_epoch = self.resumed_from_epoch

        fold = self.fold

        folds = self.folds

        candidate = self.candidate

        candidates = self.candidates

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if epoch is not UNSET:
            field_dict["epoch"] = epoch
        if epochs is not UNSET:
            field_dict["epochs"] = epochs
        if loss is not UNSET:
            field_dict["loss"] = loss
        if val_loss is not UNSET:
            field_dict["val_loss"] = val_loss
        if resumed_from_epoch is not UNSET:
            field_dict["resumed_from_epoch"] = resumed_from_epoch
        if fold is not UNSET:
            field_dict["fold"] = fold
        if folds is not UNSET:
            field_dict["folds"] = folds
        if candidate is not UNSET:
            field_dict["candidate"] = candidate
        if candidates is not UNSET:
            field_dict["candidates"] = candidates

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        epoch = d.pop("epoch", UNSET)

        epochs = d.pop("epochs", UNSET)

        def _parse_loss(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        loss = _parse_loss(d.pop("loss", UNSET))

        def _parse_val_loss(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        val_loss = _parse_val_loss(d.pop("val_loss", UNSET))

        resumed_from_epoch = d.pop("resumed_from_epoch", UNSET)

        fold = d.pop("fold", UNSET)

        folds = d.pop("folds", UNSET)

        candidate = d.pop("candidate", UNSET)

        candidates = d.pop("candidates", UNSET)

        progress = cls(
            epoch=epoch,
            epochs=epochs,
            loss=loss,
            val_loss=val_loss,
            resumed_from_epoch=resumed_from_epoch,
            fold=fold,
            folds=folds,
            candidate=candidate,
            candidates=candidates,
        )

        progress.additional_properties = d
        return progress

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
