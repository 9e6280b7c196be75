"""Donations on the wire: wei as decimal strings, addresses checksummed."""

from collections.abc import Iterable
from typing import Annotated, Any

import msgspec

from api.kit.addresses import CHECKSUMS
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
    def from_rows(cls, rows: Iterable[Any]) -> list["DonationItem"]:
        """Items from the repository's rows, unpacked by position in its SELECT order and passed
        in field order (LoggedItem's first): one comprehension, no keywords, about half the CPU
        per page of a per-row call with keywords."""
        address = CHECKSUMS
        return [
            cls(
                block_number, block_hash, tx_hash, log_index,
                request_id, address[donor], address[currency], amount, donor_total, address[contract],
            )
            for request_id, donor, currency, amount, donor_total, contract, block_number, block_hash, tx_hash, log_index
            in rows
        ]  # fmt: skip


class DonationList(CamelStruct):
    """A page of donations; pass `nextCursor` as `cursor` for the next page (null on the last)."""

    items: list[DonationItem]
    next_cursor: str | None
