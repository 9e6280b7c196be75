"""Client addresses: hex of the right length, and a checksum that holds whenever the case is mixed."""

import pytest
from eth_utils import to_checksum_address

from api.kit.addresses import ChecksumAddresses, InvalidAddressError, parse_address

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


def test_checksum_cache_gives_the_eip55_form_and_keeps_at_most_its_size() -> None:
    cache = ChecksumAddresses(max_size=2)
    stored = [f"0x{n:040x}" for n in (0xDE5C, 0xFAC7, 0x8BA1F109551BD432803012645AC136DDD64DBA72)]

    forms = [cache[address] for address in stored]

    assert forms == [to_checksum_address(address) for address in stored]
    assert forms[2] == CHECKSUMMED
    assert list(cache) == stored[1:]  # the oldest made way
