import pytest

from workers.notifications.service import format_matic


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
