"""Client addresses: hex of the right length, and a checksum that holds whenever the case is mixed."""

import pytest

from api.kit.addresses import InvalidAddressError, parse_address

CHECKSUMMED = "0x8ba1f109551bD432803012645Ac136ddd64DBA72"


@pytest.mark.parametrize(
    "raw", [CHECKSUMMED, CHECKSUMMED.lower(), "0x" + CHECKSUMMED[2:].upper()], ids=["eip55", "lower", "upper"]
)
def test_accepts_checksummed_or_single_case(raw: str) -> None:
    assert parse_address("from", raw) == CHECKSUMMED


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("0x8Ba1f109551bD432803012645Ac136ddd64DBA72", "checksum invalid"),
        ("0x8ba1f109551bd432803012645ac136ddd64dba7", "40 hex digits"),
        ("0x8ba1f109551bd432803012645ac136ddd64dba7200", "40 hex digits"),
        ("8ba1f109551bd432803012645ac136ddd64dba72", "40 hex digits"),
        ("0X8ba1f109551bd432803012645ac136ddd64dba72", "40 hex digits"),
        ("0x8ba1f109551bd432803012645ac136ddd64dbazz", "40 hex digits"),
        ("", "40 hex digits"),
    ],
)
def test_refusals_say_why(raw: str, reason: str) -> None:
    with pytest.raises(InvalidAddressError) as caught:
        parse_address("from", raw)

    assert caught.value.field == "from"
    assert caught.value.value == raw
    assert reason in caught.value.reason
