"""FieldErrors: every field at fault in one 422, each under its own path."""

from __future__ import annotations

import pytest

from app.core.field_errors import FieldErrors
from app.errors import Unprocessable


def test_nothing_collected_raises_nothing() -> None:
    errors = FieldErrors()
    assert not errors and errors.items == []
    errors.raise_if_any()


def test_several_fields_in_one_422_led_by_the_first_message() -> None:
    errors = FieldErrors()
    errors.add(["end_date"], "end_date must be after start_date")
    errors.add(["model_preferences", "units"], "only quant users may set units")
    assert errors
    with pytest.raises(Unprocessable) as caught:
        errors.raise_if_any()
    assert caught.value.message == "end_date must be after start_date"
    assert caught.value.details == [
        {
            "loc": ["body", "end_date"],
            "msg": "end_date must be after start_date",
            "type": "value_error",
        },
        {
            "loc": ["body", "model_preferences", "units"],
            "msg": "only quant users may set units",
            "type": "value_error",
        },
    ]


def test_absorb_keeps_the_domain_errors_own_paths() -> None:
    errors = FieldErrors(prefix="query")
    own = Unprocessable(
        "two problems",
        details=[
            {"loc": ["prediction_horizon"], "msg": "1h is not a whole number of 1d bars"},
            {"loc": ["features", 2], "msg": "unknown feature 'RSI2'"},
        ],
    )
    errors.absorb(own, ["data_frequency"])
    # A domain error without field details lands on the default path, with its message.
    errors.absorb(Unprocessable("no credentials for refinitiv"), ["data_source"])
    assert [(item["loc"], item["msg"]) for item in errors.items] == [
        (["query", "prediction_horizon"], "1h is not a whole number of 1d bars"),
        (["query", "features", 2], "unknown feature 'RSI2'"),
        (["query", "data_source"], "no credentials for refinitiv"),
    ]
    with pytest.raises(Unprocessable) as caught:
        errors.raise_if_any()
    assert caught.value.message == "1h is not a whole number of 1d bars"
    assert len(caught.value.details) == 3


def test_absorb_fills_a_detail_without_loc_or_msg_from_the_default_and_the_message() -> None:
    errors = FieldErrors()
    errors.absorb(Unprocessable("bad window", details=[{"type": "value_error"}]), ["entry_window"])
    assert errors.items == [
        {"loc": ["body", "entry_window"], "msg": "bad window", "type": "value_error"}
    ]
