"""`app.services.predictions.validation.validate`: the rules across fields, before any I/O."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from app.core.clock import Window
from app.core.segments import UserSegment
from app.errors import Unprocessable
from app.schemas.predictions import PredictRequest
from app.services.predictions.validation import validate
from tests.utils.users import user_row

AGENT_ID = "6f1c2f4e-2a4b-4c1e-9a51-3d2f0b6c7a10"


def request(**overrides: Any) -> PredictRequest:
    body: dict[str, Any] = {
        "user_segment": "short_term_trader",
        "stocks": ["AAPL"],
        "data_frequency": "1min",
        "prediction_horizon": "1h",
    }
    body.update(overrides)
    return PredictRequest.model_validate(body)


def test_every_field_at_fault_is_named_in_one_422() -> None:
    bad = request(
        data_frequency="1d",
        prediction_horizon="1h",
        timezone="Mars/Olympus",
        as_of=datetime.now(UTC) + timedelta(days=1),
        agent_ids={"msft": AGENT_ID},
        entry_price=185.5,
        stop_loss=185.5,
    )
    with pytest.raises(Unprocessable) as caught:
        validate(bad, user_row())
    assert [detail["loc"] for detail in caught.value.details] == [
        ["body", "prediction_horizon"],
        ["body", "timezone"],
        ["body", "as_of"],
        ["body", "agent_ids", "MSFT"],
        ["body", "stop_loss"],
    ]
    assert caught.value.message.startswith("a 1h horizon is shorter than one 1d bar")
    messages = [detail["msg"] for detail in caught.value.details]
    assert "unknown time zone 'Mars/Olympus'" in messages
    assert "MSFT is not in stocks" in messages


def test_an_unknown_frequency_is_refused_at_the_field() -> None:
    """The request model refuses it before `validate` runs, naming the allowed ones."""
    with pytest.raises(ValidationError) as caught:
        request(data_frequency="2min")
    [error] = caught.value.errors()
    assert error["loc"] == ("data_frequency",)
    assert error["type"] == "enum"
    assert "'1min'" in error["msg"]
    assert "'1wk'" in error["msg"]


def test_frequency_and_features_keep_accepting_any_letter_case() -> None:
    req = request(data_frequency=" 1H ", features=["sma", " Rsi ", "SMA"])
    assert req.data_frequency == "1h"
    assert validate(req, user_row()).features == ["SMA", "RSI"]


def test_a_valid_request_becomes_a_plan() -> None:
    user = user_row(UserSegment.short_term_trader)
    plan = validate(
        request(
            entry_window={"start": "10:00", "end": "11:30"},
            exit_window={"end": "15:45"},
            as_of=datetime(2025, 6, 10, 15, 0),
        ),
        user,
    )
    assert plan.steps == 60  # an hour of one-minute bars
    assert plan.features == ["SMA", "EMA", "MACD", "volatility"]
    assert plan.entry_window == Window(start=time(10), end=time(11, 30))
    assert plan.exit_window == Window(end=time(15, 45))
    assert plan.as_of == datetime(2025, 6, 10, 15, 0, tzinfo=UTC)  # naive is read as UTC
    assert plan.equity == user.account_equity == 100_000.0
    given = validate(request(account_equity=25_000, features=["ema", "sma"]), user)
    assert (given.equity, given.features) == (25_000, ["EMA", "SMA"])
