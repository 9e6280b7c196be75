"""Funding rounds on the wire: wei as decimal strings, addresses checksummed."""

from typing import Annotated, Any

import msgspec
from eth_utils import to_checksum_address

from api.kit.schemas import CamelStruct, LoggedItem, WeiString, log_fields
from api.rounds.repository import Raised
from api.rounds.service import RoundDetail
from impactchain.funding import ROUND_STATUSES
from impactchain.models import FundingRoundRecord, RoundDonation, RoundEvent

Currency = Annotated[str, msgspec.Meta(description="ERC-20 address, or the zero address for native MATIC.")]


class RoundItem(LoggedItem):
    """A round the factory created (`RoundCreated`): its terms, and where it was created."""

    address: str
    round_index: int
    factory: str
    founder: str
    metadata_cid: str
    goal: Annotated[WeiString, msgspec.Meta(description="Goal in MATIC-equivalent wei.")]
    deadline: Annotated[int, msgspec.Meta(description="Unix time after which the round stops taking donations.")]
    milestones: int
    salt: str
    implementation: str

    @classmethod
    def from_model(cls, round_: FundingRoundRecord) -> "RoundItem":
        return cls(
            address=to_checksum_address(round_.address),
            round_index=round_.round_index,
            factory=to_checksum_address(round_.factory),
            founder=to_checksum_address(round_.founder),
            metadata_cid=round_.metadata_cid,
            goal=str(round_.goal),
            deadline=round_.deadline,
            milestones=round_.milestones,
            salt=round_.salt,
            implementation=to_checksum_address(round_.implementation),
            **log_fields(round_),
        )


class RoundList(CamelStruct):
    """A page of rounds, newest first; pass `nextCursor` as `cursor` for the next page (null on the last)."""

    items: list[RoundItem]
    next_cursor: str | None


class RaisedItem(CamelStruct):
    """What the round received in one currency, as indexed."""

    currency: Currency
    amount: WeiString
    matic_equivalent: WeiString
    donations: int

    @classmethod
    def from_raised(cls, raised: Raised) -> "RaisedItem":
        return cls(
            currency=to_checksum_address(raised.currency),
            amount=str(raised.amount),
            matic_equivalent=str(raised.matic_equivalent),
            donations=raised.donations,
        )


class RoundRead(CamelStruct):
    """One round with its status and what it has raised: per currency, in all (MATIC-equivalent)
    and from how many donors."""

    round: RoundItem
    status: Annotated[
        str,
        msgspec.Meta(
            description="As the round's latest RoundFinalized, RoundCancelled or RoundSettled event set it; "
            "Funding before any (also past the deadline, until someone calls finalize).",
            examples=list(ROUND_STATUSES),
        ),
    ]
    raised: list[RaisedItem]
    raised_equivalent: WeiString
    donors: int

    @classmethod
    def from_detail(cls, detail: RoundDetail) -> "RoundRead":
        return cls(
            round=RoundItem.from_model(detail.round),
            status=detail.status,
            raised=[RaisedItem.from_raised(raised) for raised in detail.raised],
            raised_equivalent=str(sum(raised.matic_equivalent for raised in detail.raised)),
            donors=detail.donors,
        )


class RoundDonationItem(LoggedItem):
    """One `Donated` event of a round; `donorTotal` is the donor's running MATIC-equivalent total there."""

    round: str
    donor: str
    currency: Currency
    amount: WeiString
    matic_equivalent: WeiString
    donor_total: WeiString

    @classmethod
    def from_model(cls, donation: RoundDonation) -> "RoundDonationItem":
        return cls(
            round=to_checksum_address(donation.round),
            donor=to_checksum_address(donation.donor),
            currency=to_checksum_address(donation.currency),
            amount=str(donation.amount),
            matic_equivalent=str(donation.matic_equivalent),
            donor_total=str(donation.donor_total),
            **log_fields(donation),
        )


class RoundDonationList(CamelStruct):
    """A page of a round's donations, newest first; pass `nextCursor` as `cursor` for the next page."""

    items: list[RoundDonationItem]
    next_cursor: str | None


class RoundEventItem(LoggedItem):
    """One event of a round other than a donation, with its arguments by their Solidity names:
    integers as decimal strings, addresses checksummed, bytes as 0x-hex."""

    event: Annotated[str, msgspec.Meta(examples=["MilestoneApproved"])]
    args: dict[str, Any]
    round: str

    @classmethod
    def from_model(cls, event: RoundEvent) -> "RoundEventItem":
        return cls(
            event=event.event,
            args=event.args,
            round=to_checksum_address(event.round),
            **log_fields(event),
        )


class RoundEventList(CamelStruct):
    """A page of a round's events, newest first; pass `nextCursor` as `cursor` for the next page."""

    items: list[RoundEventItem]
    next_cursor: str | None
