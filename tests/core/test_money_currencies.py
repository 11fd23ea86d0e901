"""Money and prices in the instrument's currency; dollars exactly as the seed writes them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.core.money import amount_unit, format_money, format_price, format_quote, format_usd


@pytest.mark.parametrize("amount", [700, 0, 1234.5, 1_000_000, Decimal("0.005"), 185.57])
def test_dollars_are_written_as_before(amount: float) -> None:
    assert format_money(amount) == format_money(amount, "USD") == format_usd(amount)
    assert format_quote(amount) == format_quote(amount, "USD") == format_price(amount)


def test_the_seeds_max_loss_is_unchanged() -> None:
    assert format_money(Decimal(200) * Decimal("3.50")) == "$700"


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (7, "GBP", "£7"),
        (1234.5, "GBP", "£1,234.50"),
        (700, "EUR", "€700"),
        (70_000.4, "JPY", "¥70,000"),
        (12.5, "HKD", "HK$12.50"),
        (5, "SEK", "SEK 5"),
    ],
)
def test_amounts_carry_their_currency(amount: float, currency: str, text: str) -> None:
    assert format_money(amount, currency) == text


@pytest.mark.parametrize(
    ("price", "currency", "text"),
    [
        (700, "GBX", "700p"),
        (700.5, "GBX", "700.50p"),
        (1234.25, "GBX", "1,234.25p"),
        (0.5, "GBX", "0.50p"),
        (0.1234, "GBX", "0.1234p"),
        (12.345, "EUR", "€12.35"),
        (2850, "JPY", "¥2,850.00"),
    ],
)
def test_prices_are_written_in_the_unit_they_are_quoted_in(
    price: float, currency: str, text: str
) -> None:
    assert format_quote(price, currency) == text


def test_pence_count_money_in_pounds() -> None:
    assert amount_unit("GBX") == ("GBP", 100)
    assert amount_unit("USD") == ("USD", 1) and amount_unit("JPY") == ("JPY", 1)


def test_every_digit_can_be_written() -> None:
    assert format_quote(Decimal("185.504"), "USD", 3) == "$185.504"
    assert format_quote(Decimal("700.504"), "GBX", 3) == "700.504p"
    assert format_quote(Decimal("12.504"), "EUR", 3) == "€12.504"
