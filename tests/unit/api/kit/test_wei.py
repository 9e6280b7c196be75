"""Wei amounts: positive uint256 in decimal digits, with a reason for every refusal."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.kit.wei import UINT256_MAX, InvalidAmountError, parse_wei


@given(st.integers(1, UINT256_MAX))
def test_every_positive_uint256_parses_exactly(amount: int) -> None:
    assert parse_wei("amount", str(amount)) == amount


def test_leading_zeros_are_harmless() -> None:
    assert parse_wei("amount", "000123") == 123


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("0", "greater than zero"),
        ("0000", "greater than zero"),
        ("-1", "greater than zero"),
        ("1.5", "decimal point"),
        ("1.", "decimal point"),
        ("1e18", "exponent"),
        ("1.5E3", "exponent"),
        ("abc", "decimal digits"),
        ("0x10", "decimal digits"),
        ("١٢", "decimal digits"),  # Arabic-Indic digits: str.isdigit() would let them in
        ("", "empty"),
        (" 1", "whitespace"),
        ("1_000", "decimal digits"),
        (str(UINT256_MAX + 1), "2**256-1"),
        ("9" * 5000, "2**256-1"),
    ],
)
def test_refusals_say_why(raw: str, reason: str) -> None:
    with pytest.raises(InvalidAmountError) as caught:
        parse_wei("amount", raw)

    assert caught.value.field == "amount"
    assert caught.value.value == raw
    assert reason in caught.value.reason
