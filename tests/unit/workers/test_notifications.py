import pytest

from workers.notifications.service import format_amount, format_matic


@pytest.mark.parametrize(
    ("wei", "text"),
    [
        (0, "0 MATIC"),
        (10**18, "1 MATIC"),
        (1, "0.000000000000000001 MATIC"),
        (1_500_000_000_000_000_000, "1.5 MATIC"),
        (2**256 - 1, "115792089237316195423570985008687907853269984665640564039457.584007913129639935 MATIC"),
    ],
)
def test_format_matic_is_exact(wei: int, text: str) -> None:
    assert format_matic(wei) == text


def test_token_amounts_are_not_called_matic() -> None:
    usdc = "0x3c499c542cef5e3811e1192ce70d8cc03d5c3359"
    assert format_amount(1_500_000, usdc) == ("1500000 base units of token 0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359")
    assert format_amount(10**18, "0x" + "00" * 20) == "1 MATIC"
