"""The AuctionHouse stays deployable: under the EIP-170 runtime size limit."""

from typing import Any

EIP170_LIMIT = 24_576


def test_auction_house_runtime_fits_eip170(project: Any) -> None:
    bytecode = project.AuctionHouse.contract_type.runtime_bytecode.bytecode
    size = (len(bytecode) - 2) // 2
    assert 0 < size <= EIP170_LIMIT, f"AuctionHouse runtime is {size} bytes"
