"""Ethereum addresses from clients: well-formed hex, and a valid EIP-55 checksum when mixed-case."""

import re
from typing import overload

from cchecksum import to_checksum_address as _checksum
from eth_typing import ChecksumAddress

from api.kit.problems import InvalidFieldError

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
ADDRESS_PATTERN = r"^0x[0-9a-fA-F]{40}$"
# Distinct addresses a process keeps in checksum form: ~200 bytes each, so ~20 MB at most.
CHECKSUM_CACHE_SIZE = 100_000


class ChecksumAddresses(dict[str, ChecksumAddress]):
    """Stored (lowercase) addresses -> their EIP-55 form, each computed once: `CHECKSUMS[address]`.

    A page maps up to three addresses a row; a dict hit by subscript costs those rows ~40% less
    than a call through `functools.lru_cache` (a function call, and the LRU list moved on every
    hit). Past `max_size` the oldest entry is dropped for each new one."""

    def __init__(self, max_size: int) -> None:
        super().__init__()
        self.max_size = max_size

    def __missing__(self, address: str) -> ChecksumAddress:
        if len(self) >= self.max_size:
            del self[next(iter(self))]
        # As its 20 bytes: cchecksum 0.4.6 reads a str's hex from a buffer it has already freed.
        form = self[address] = _checksum(bytes.fromhex(address[2:]))
        return form


CHECKSUMS = ChecksumAddresses(CHECKSUM_CACHE_SIZE)


def checksummed(address: str) -> ChecksumAddress:
    """The EIP-55 form of a stored (lowercase) address, computed once per distinct address."""
    return CHECKSUMS[address]


class InvalidAddressError(InvalidFieldError):
    """Not an address, or a mixed-case address whose EIP-55 checksum does not hold."""

    slug = "invalid-address"
    title = "Invalid address"


def parse_address(field: str, raw: str) -> ChecksumAddress:
    """The checksummed form of `raw`; all-lowercase and all-uppercase hex carry no checksum to check."""
    if not _ADDRESS.fullmatch(raw):
        raise InvalidAddressError(field, raw, f"must be 0x followed by 40 hex digits, got {raw!r}")
    expected = checksummed(raw.lower())
    digits = raw[2:]
    if digits not in (digits.lower(), digits.upper()) and raw != expected:
        raise InvalidAddressError(field, raw, f"checksum invalid: {raw!r} (EIP-55 form is {expected})")
    return expected


@overload
def address_key(field: str, raw: str) -> str: ...
@overload
def address_key(field: str, raw: None) -> None: ...
def address_key(field: str, raw: str | None) -> str | None:
    """`raw` as the indexer stores addresses (lowercase hex), checked like `parse_address`;
    None stays None (an absent filter)."""
    return parse_address(field, raw).lower() if raw is not None else None
