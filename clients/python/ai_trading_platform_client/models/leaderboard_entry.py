from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="LeaderboardEntry")


@_attrs_define
class LeaderboardEntry:
    """One architecture `auto` trained on the version's split, with the same settings
    and seed as the others; the lowest best_val_loss is served (ties: LSTM, CNN,
    Transformer). The test-split figures are for comparison only: never used to choose.

        Attributes:
            architecture (str | Unset): LSTM, CNN or Transformer.
            chosen (bool | Unset): True for the one architecture the version serves.
            best_val_loss (float | None | Unset): Lowest validation loss (scaled targets): the criterion.
            untrained_val_loss (float | None | Unset): The untrained model's validation loss.
            best_epoch (int | Unset):
            epochs_run (int | Unset):
            fit_seconds (float | Unset):
            test_rmse_ratio_naive (float | None | Unset): rmse / naive_rmse on the test split; not used for choosing.
            test_directional_accuracy (float | None | Unset): Directional accuracy on the test split; not used for choosing.
            diverged (str | Unset): Why its training failed; it was skipped.
    """

    architecture: str | Unset = UNSET
    chosen: bool | Unset = UNSET
    best_val_loss: float | None | Unset = UNSET
    untrained_val_loss: float | None | Unset = UNSET
    best_epoch: int | Unset = UNSET
    epochs_run: int | Unset = UNSET
    fit_seconds: float | Unset = UNSET
    test_rmse_ratio_naive: float | None | Unset = UNSET
    test_directional_accuracy: float | None | Unset = UNSET
    diverged: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        architecture = self.architecture

        chosen = self.chosen

        best_val_loss: float | None | Unset
        if isinstance(self.best_val_loss, Unset):
            best_val_loss = UNSET
        else:
            best_val_loss = self.best_val_loss

        untrained_val_loss: float | None | Unset
        if isinstance(self.untrained_val_loss, Unset):
            untrained_val_loss = UNSET
        else:
            untrained_val_loss = self.untrained_val_loss

        best_epoch = self.best_epoch

        epochs_run = self.epochs_run

        fit_seconds = self.fit_seconds

        test_rmse_ratio_naive: float | None | Unset
        if isinstance(self.test_rmse_ratio_naive, Unset):
            test_rmse_ratio_naive = UNSET
        else:
            test_rmse_ratio_naive = self.test_rmse_ratio_naive

        test_directional_accuracy: float | None | Unset
        if isinstance(self.test_directional_accuracy, Unset):
            test_directional_accuracy = UNSET
        else:
            test_directional_accuracy = self.test_directional_accuracy

        diverged = self.diverged

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if architecture is not UNSET:
            field_dict["architecture"] = architecture
        if chosen is not UNSET:
            field_dict["chosen"] = chosen
        if best_val_loss is not UNSET:
            field_dict["best_val_loss"] = best_val_loss
        if untrained_val_loss is not UNSET:
            field_dict["untrained_val_loss"] = untrained_val_loss
        if best_epoch is not UNSET:
            field_dict["best_epoch"] = best_epoch
        if epochs_run is not UNSET:
            field_dict["epochs_run"] = epochs_run
        if fit_seconds is not UNSET:
            field_dict["fit_seconds"] = fit_seconds
        if test_rmse_ratio_naive is not UNSET:
            field_dict["test_rmse_ratio_naive"] = test_rmse_ratio_naive
        if test_directional_accuracy is not UNSET:
            field_dict["test_directional_accuracy"] = test_directional_accuracy
        if diverged is not UNSET:
            field_dict["diverged"] = diverged

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        architecture = d.pop("architecture", UNSET)

        chosen = d.pop("chosen", UNSET)

        def _parse_best_val_loss(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        best_val_loss = _parse_best_val_loss(d.pop("best_val_loss", UNSET))

        def _parse_untrained_val_loss(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        untrained_val_loss = _parse_untrained_val_loss(d.pop("untrained_val_loss", UNSET))

        best_epoch = d.pop("best_epoch", UNSET)

        epochs_run = d.pop("epochs_run", UNSET)

        fit_seconds = d.pop("fit_seconds", UNSET)

        def _parse_test_rmse_ratio_naive(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        test_rmse_ratio_naive = _parse_test_rmse_ratio_naive(d.pop("test_rmse_ratio_naive", UNSET))

        def _parse_test_directional_accuracy(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        test_directional_accuracy = _parse_test_directional_accuracy(
            d.pop("test_directional_accuracy", UNSET)
        )

        diverged = d.pop("diverged", UNSET)

        leaderboard_entry = cls(
            architecture=architecture,
            chosen=chosen,
            best_val_loss=best_val_loss,
            untrained_val_loss=untrained_val_loss,
            best_epoch=best_epoch,
            epochs_run=epochs_run,
            fit_seconds=fit_seconds,
            test_rmse_ratio_naive=test_rmse_ratio_naive,
            test_directional_accuracy=test_directional_accuracy,
            diverged=diverged,
        )

        leaderboard_entry.additional_properties = d
        return leaderboard_entry

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
