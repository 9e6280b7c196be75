"""Donations on the wire: wei as decimal strings, addresses checksummed."""

from typing import Annotated

import msgspec
from eth_utils import to_checksum_address

from api.kit.schemas import CamelStruct, LoggedItem, WeiString, log_fields
from impactchain.models import Donation


class DonationItem(LoggedItem):
    """One `Donated` event: to which help request (0 = the general fund), in which currency, from which block."""

    request_id: int
    donor: str
    currency: Annotated[str, msgspec.Meta(description="ERC-20 address, or the zero address for native MATIC.")]
    amount: WeiString
    donor_total: WeiString
    contract: str

    @classmethod
    def from_model(cls, donation: Donation) -> "DonationItem":
        return cls(
            request_id=donation.request_id,
            donor=to_checksum_address(donation.donor),
            currency=to_checksum_address(donation.currency),
            amount=str(donation.amount),
            donor_total=str(donation.donor_total),
            contract=to_checksum_address(donation.contract),
            **log_fields(donation),
        )


class DonationList(CamelStruct):
    """A page of donations; pass `nextCursor` as `cursor` for the next page (null on the last)."""

    items: list[DonationItem]
    next_cursor: str | None
