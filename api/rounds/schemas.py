"""Funding rounds on the wire: wei as decimal strings, addresses checksummed."""

from collections.abc import Iterable
from typing import Annotated, Any

import msgspec

from api.kit.addresses import CHECKSUMS, checksummed
from api.kit.schemas import Address, CamelStruct, EventArgs, LoggedItem, WeiString
from api.rounds.repository import Raised
from api.rounds.service import RoundDetail
from impactchain.funding import ROUND_STATUSES

Currency = Annotated[Address, msgspec.Meta(description="ERC-20 address, or the zero address for native MATIC.")]


class RoundItem(LoggedItem):
    """A round the factory created (`RoundCreated`): its terms, and where it was created."""

    address: Address
    round_index: int
    factory: Address
    founder: Address
    metadata_cid: str
    goal: Annotated[WeiString, msgspec.Meta(description="Goal in MATIC-equivalent wei.")]
    deadline: Annotated[int, msgspec.Meta(description="Unix time after which the round stops taking donations.")]
    milestones: int
    salt: str
    implementation: Address

    @classmethod
    def from_row(cls, row: Any) -> "RoundItem":
        # Unpacked by position, in the repository's SELECT order (a detail row has more after),
        # and passed in field order (LoggedItem's first).
        (
            address, round_index, factory, founder, metadata_cid, goal, deadline, milestones, salt, implementation,
            block_number, block_hash, tx_hash, log_index, *_,
        ) = row  # fmt: skip
        checksums = CHECKSUMS
        return cls(
            block_number, block_hash, tx_hash, log_index,
            checksums[address], round_index, checksums[factory], checksums[founder], metadata_cid, goal, deadline,
            milestones, salt, checksums[implementation],
        )  # fmt: skip


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
            currency=checksummed(raised.currency),
            amount=raised.amount,
            matic_equivalent=raised.matic_equivalent,
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
            round=RoundItem.from_row(detail.round),
            status=detail.status,
            raised=[RaisedItem.from_raised(raised) for raised in detail.raised],
            raised_equivalent=str(sum(int(raised.matic_equivalent) for raised in detail.raised)),
            donors=detail.donors,
        )


class RoundDonationItem(LoggedItem):
    """One `Donated` event of a round; `donorTotal` is the donor's running MATIC-equivalent total there."""

    round: Address
    donor: Address
    currency: Currency
    amount: WeiString
    matic_equivalent: WeiString
    donor_total: WeiString

    @classmethod
    def from_rows(cls, rows: Iterable[Any]) -> list["RoundDonationItem"]:
        """Items from the repository's rows, unpacked by position in its SELECT order and passed
        in field order (LoggedItem's first), as `DonationItem.from_rows` does."""
        address = CHECKSUMS
        return [
            cls(
                block_number, block_hash, tx_hash, log_index,
                address[round_], address[donor], address[currency], amount, matic_equivalent, donor_total,
            )
            for round_, donor, currency, amount, matic_equivalent, donor_total, block_number, block_hash, tx_hash,
            log_index in rows
        ]  # fmt: skip


class RoundDonationList(CamelStruct):
    """A page of a round's donations, newest first; pass `nextCursor` as `cursor` for the next page."""

    items: list[RoundDonationItem]
    next_cursor: str | None


class RoundEventItem(LoggedItem):
    """One event of a round other than a donation, with its arguments by their Solidity names:
    integers as decimal strings, addresses checksummed, bytes as 0x-hex."""

    event: Annotated[str, msgspec.Meta(examples=["MilestoneApproved"])]
    args: EventArgs
    round: Address

    @classmethod
    def from_rows(cls, rows: Iterable[Any]) -> list["RoundEventItem"]:
        """Items from the repository's rows, unpacked by position in its SELECT order and passed
        in field order (LoggedItem's first), as `DonationItem.from_rows` does."""
        address, raw = CHECKSUMS, msgspec.Raw
        return [
            cls(block_number, block_hash, tx_hash, log_index, event, raw(args), address[round_])
            for event, args, round_, block_number, block_hash, tx_hash, log_index in rows
        ]


class RoundEventList(CamelStruct):
    """A page of a round's events, newest first; pass `nextCursor` as `cursor` for the next page."""

    items: list[RoundEventItem]
    next_cursor: str | None
