"""Money: the one tick rule, cents, and the dollar formats."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.core.money import cents, dec, format_price, format_usd, tick


@pytest.mark.parametrize(
    ("price", "reference", "ticked"),
    [
        (185.555, None, 185.56),  # half-up on what was typed, not on binary 185.5549…
        (185.5, None, 185.5),
        (185.554, None, 185.55),
        (0.12345, None, 0.1235),  # below $1: the $0.0001 grid (SEC Rule 612)
        (0.12344, None, 0.1234),
        (0.99995, None, 1.0),
        (1.004999, 0.5, 1.005),  # the reference decides the grid, not the price
        (0.99994, 2.0, 1.0),
        (1.0, None, 1.0),
    ],
)
def test_tick(price: float, reference: float | None, ticked: float) -> None:
    assert tick(price, reference) == ticked


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [
        (2.675, 2.68),  # Python's round() says 2.67: binary 2.67499…
        (-1.005, -1.01),  # half-up is away from zero
        (0.1 + 0.2, 0.3),
        (1234.5, 1234.5),
        (0.004, 0.0),
        (700, 700.0),
    ],
)
def test_cents(amount: float, rounded: float) -> None:
    assert cents(amount) == rounded


def test_dec_is_what_was_typed() -> None:
    assert dec(185.57) - dec(182.00) == Decimal("3.57")
    assert dec(0.1) == Decimal("0.1")


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (700, "$700"),
        (Decimal("700.00"), "$700"),
        (1234.5, "$1,234.50"),
        (Decimal("1234.50"), "$1,234.50"),
        (1_000_000, "$1,000,000"),
        (0, "$0"),
        (Decimal("0.0"), "$0"),
        (0.005, "$0.01"),
        (0.004, "$0"),
        (999.999, "$1,000"),
        (12.3, "$12.30"),
        (Decimal("699.72"), "$699.72"),
        (1_234_567.891, "$1,234,567.89"),
    ],
)
def test_format_usd(amount: Decimal | float, text: str) -> None:
    assert format_usd(amount) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        # from $1 up: two decimals, as before
        (Decimal("185.5"), "$185.50"),
        (Decimal("1234.555"), "$1,234.56"),
        (Decimal("1234.50"), "$1,234.50"),
        (Decimal("1.004"), "$1.00"),
        (185.5, "$185.50"),  # a float is read as typed
        # below $1: the $0.0001 tick (SEC Rule 612), never rounded to the cent
        (Decimal("0.0512"), "$0.0512"),
        (Decimal("0.048"), "$0.0480"),
        (Decimal("0.0032"), "$0.0032"),  # a risk per share, not "$0.00"
        (0.0512, "$0.0512"),
        (Decimal("0.12345"), "$0.1235"),  # half-up on the tick
        (Decimal("0.99994"), "$0.9999"),
        (Decimal("0.99995"), "$1.00"),  # rounds up onto the dollar
        # whole cents keep two decimals
        (Decimal("0.05"), "$0.05"),
        (Decimal("0.0500"), "$0.05"),
        (Decimal("0.5"), "$0.50"),
        (Decimal(0), "$0.00"),
        (Decimal("0.00004"), "$0.00"),
    ],
)
def test_format_price_writes_the_tick(amount: Decimal | float, text: str) -> None:
    assert format_price(amount) == text
