"""Position size: the risk budget over the risk per share, capped by equity or buying power."""

from __future__ import annotations

from typing import Any

import pytest

from app.services.signals.rule import decide
from tests.services.signals.plans import (
    BEARISH,
    MAY_SHORT,
    SEED_MARGIN,
    SEGMENTS,
    dollars,
    plan,
)

# A small account risking 25 % with a 10-cent stop: the budget allows 25,000 shares.
THIN_STOP: dict[str, Any] = {
    "account_equity": 10_000,
    "capital_at_risk": 0.25,
    "entry_price": 100.0,
    "stop_loss": 99.90,
    "predicted_price": 101.0,
}

# Every row is an Enter: (the plan, shares, max loss, every warning of the signal).
SIZES = [
    # ⌊35,000 × 0.02 ÷ 3.50⌋ = 200 and 200 × 3.50 = $700, when the cap allows it
    pytest.param(
        {"account_equity": 35_000, "buying_power": 37_100}, 200, "$700", [], id="spec-uncapped"
    ),
    # 200 shares at $185.50 are $37,100 > $35,000 equity: the cap wins by default
    pytest.param(
        {"account_equity": 35_000},
        188,
        "$658",
        [
            "Position capped at 188 shares so its value ($34,874) stays within your equity of "
            "$35,000; the risk budget alone allowed 200 shares."
        ],
        id="spec-with-the-equity-cap",
    ),
    *(
        pytest.param({"user_segment": s, **SEED_MARGIN}, 200, "$700", [], id=f"{s}-long")
        for s in SEGMENTS
    ),
    *(  # ⌊700 ÷ 3.50⌋ on a short's stop too
        pytest.param(
            {**BEARISH, "user_segment": s, **SEED_MARGIN}, 200, "$700", [], id=f"{s}-short"
        )
        for s in MAY_SHORT
    ),
    # the risk budget alone: ⌊2,500 ÷ 0.10⌋ = 25,000
    pytest.param(
        THIN_STOP,
        100,
        "$10",
        [
            "Position capped at 100 shares so its value ($10,000) stays within your equity of "
            "$10,000; the risk budget alone allowed 25,000 shares."
        ],
        id="capped-by-equity",
    ),
    pytest.param(
        {**THIN_STOP, "buying_power": 20_000},
        200,
        "$20",
        [
            "Position capped at 200 shares so its value ($20,000) stays within your buying power "
            "of $20,000; the risk budget alone allowed 25,000 shares."
        ],
        id="buying-power-raises-the-cap-and-names-itself",
    ),
    pytest.param(
        {
            "account_equity": 100,
            "capital_at_risk": 0.02,
            "entry_price": 50.0,
            "stop_loss": 45.0,
            "predicted_price": 60.0,
        },
        0,
        "$0",
        [
            "Your risk budget of $2 is less than the $5.00 risked on one share, so the "
            "position size is 0."
        ],
        id="budget-below-one-shares-risk",
    ),
    pytest.param(
        {"account_equity": 150},
        0,
        "$0",
        ["One share at $185.50 costs more than your equity of $150, so the position size is 0."],
        id="one-share-costs-more-than-equity",
    ),
    pytest.param(
        {
            "account_equity": 200,
            "capital_at_risk": 0.25,
            "entry_price": 100.0,
            "stop_loss": 60.0,
            "predicted_price": 160.0,
        },
        1,
        "$40",
        [],
        id="one-share",
    ),
    # 185.57 − 182.00 is 3.57 exactly: ⌊700 ÷ 3.57⌋ = 196 and 196 × 3.57 = $699.72
    pytest.param(
        {**SEED_MARGIN, "entry_price": 185.57}, 196, "$699.72", [], id="max-loss-in-decimal"
    ),
    pytest.param(
        {
            "entry_price": 1234.5,
            "stop_loss": 1200,
            "predicted_price": 1300.0,
            "account_equity": 1_000_000,
        },
        579,
        "$19,975.50",  # 579 × 34.50
        [],
        id="thousands-separators",
    ),
    # a sub-dollar stock: ⌊200 ÷ 0.0032⌋ = 62,500 shares, 62,500 × 0.0032 = $200
    pytest.param(
        {
            "entry_price": 0.0512,
            "stop_loss": 0.0480,
            "predicted_price": 0.0600,
            "account_equity": 10_000,
        },
        62_500,
        "$200",
        [],
        id="sub-dollar",
    ),
    # the risk per share is written on the $0.0001 tick, not rounded to "$0.75"
    pytest.param(
        {
            "entry_price": 0.90,
            "stop_loss": 0.1525,
            "predicted_price": 0.95,
            "account_equity": 100,
            "capital_at_risk": 0.005,
        },
        0,
        "$0",
        [
            "Risk/reward 0.07 is below 1: the expected move of $0.05 a share is smaller than "
            "the $0.7475 a share risked to the stop.",
            "Your risk budget of $0.50 is less than the $0.7475 risked on one share, so the "
            "position size is 0.",
        ],
        id="sub-dollar-risk-per-share",
    ),
]


@pytest.mark.parametrize(("overrides", "size", "max_loss", "warnings"), SIZES)
def test_position_size_and_max_loss(
    overrides: dict[str, Any], size: int, max_loss: str, warnings: list[str]
) -> None:
    signal = decide(plan(**overrides))
    assert signal.trade_signal == "Enter"  # a size of 0 does not turn an Enter into a Hold
    assert (signal.position_size, signal.risk_metrics.max_loss) == (size, max_loss)
    assert signal.max_loss_amount == dollars(max_loss)
    assert signal.warnings == warnings


def test_the_equity_cap_is_the_largest_affordable_position() -> None:
    assert 188 * 185.50 <= 35_000 < 189 * 185.50


@pytest.mark.parametrize(
    ("equity", "risk", "entry", "stop", "size"),
    [
        (35_000, 0.02, 185.50, 182.00, 188),
        (100_000, 0.01, 50.00, 49.00, 1_000),
        (100_000, 0.01, 50.00, 49.01, 1_010),  # ⌊1,000 ÷ 0.99⌋
        (1_000_000, 0.25, 10.00, 9.00, 100_000),  # capped at ⌊1,000,000 ÷ 10⌋
        (5_000, 0.10, 20.00, 10.00, 50),
    ],
)
def test_position_size_table(
    equity: float, risk: float, entry: float, stop: float, size: int
) -> None:
    signal = decide(
        plan(
            account_equity=equity,
            capital_at_risk=risk,
            entry_price=entry,
            stop_loss=stop,
            predicted_price=entry * 1.5,
        )
    )
    assert signal.position_size == size
