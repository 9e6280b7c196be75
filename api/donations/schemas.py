"""Donations on the wire: wei as decimal strings, addresses checksummed."""

from typing import Annotated

import msgspec
from eth_utils import to_checksum_address

from api.kit.schemas import CamelStruct, WeiString
from impactchain.models import Donation


class DonationItem(CamelStruct):
    """One `Donated` event: to which help request (0 = the general fund), in which currency, from which block."""

    request_id: int
    donor: str
    currency: Annotated[str, msgspec.Meta(description="ERC-20 address, or the zero address for native MATIC.")]
    amount: WeiString
    donor_total: WeiString
    contract: str
    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int

    @classmethod
    def from_model(cls, donation: Donation) -> "DonationItem":
        return cls(
            request_id=donation.request_id,
            donor=to_checksum_address(donation.donor),
            currency=to_checksum_address(donation.currency),
            amount=str(donation.amount),
            donor_total=str(donation.donor_total),
            contract=to_checksum_address(donation.contract),
            block_number=donation.block_number,
            block_hash=donation.block_hash,
            tx_hash=donation.tx_hash,
            log_index=donation.log_index,
        )


class DonationList(CamelStruct):
    """A page of donations; pass `nextCursor` as `cursor` for the next page (null on the last)."""

    items: list[DonationItem]
    next_cursor: str | None
