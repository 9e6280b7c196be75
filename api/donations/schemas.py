"""Donations on the wire: wei as decimal strings, addresses checksummed."""

from typing import Annotated, Any

import msgspec

from api.kit.addresses import checksummed
from api.kit.schemas import Address, CamelStruct, LoggedItem, WeiString


class DonationItem(LoggedItem):
    """One `Donated` event: to which help request (0 = the general fund), in which currency, from which block."""

    request_id: int
    donor: Address
    currency: Annotated[Address, msgspec.Meta(description="ERC-20 address, or the zero address for native MATIC.")]
    amount: WeiString
    donor_total: WeiString
    contract: Address

    @classmethod
    def from_row(cls, row: Any) -> "DonationItem":
        # Unpacked by position, in the repository's SELECT order: a third faster than by name.
        request_id, donor, currency, amount, donor_total, contract, block_number, block_hash, tx_hash, log_index = row
        return cls(
            request_id=request_id,
            donor=checksummed(donor),
            currency=checksummed(currency),
            amount=amount,
            donor_total=donor_total,
            contract=checksummed(contract),
            block_number=block_number,
            block_hash=block_hash,
            tx_hash=tx_hash,
            log_index=log_index,
        )


class DonationList(CamelStruct):
    """A page of donations; pass `nextCursor` as `cursor` for the next page (null on the last)."""

    items: list[DonationItem]
    next_cursor: str | None
