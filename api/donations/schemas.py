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
        return cls(
            request_id=row["request_id"],
            donor=checksummed(row["donor"]),
            currency=checksummed(row["currency"]),
            amount=row["amount"],
            donor_total=row["donor_total"],
            contract=checksummed(row["contract"]),
            block_number=row["block_number"],
            block_hash=row["block_hash"],
            tx_hash=row["tx_hash"],
            log_index=row["log_index"],
        )


class DonationList(CamelStruct):
    """A page of donations; pass `nextCursor` as `cursor` for the next page (null on the last)."""

    items: list[DonationItem]
    next_cursor: str | None
