"""Platform events on the wire: arguments by their Solidity names, lossless."""

from collections.abc import Iterable
from typing import Annotated, Any

import msgspec

from api.kit.addresses import CHECKSUMS
from api.kit.schemas import Address, CamelStruct, EventArgs, LoggedItem


class EventItem(LoggedItem):
    """One event of a platform contract, its arguments by their Solidity names: integers as
    decimal strings, addresses checksummed, bytes as 0x-hex, structs as objects."""

    contract: Address
    contract_name: Annotated[str, msgspec.Meta(description="As the deployment manifest (/v1/contracts) names it.")]
    event: Annotated[str, msgspec.Meta(examples=["VoteCast"])]
    args: EventArgs

    @classmethod
    def from_rows(cls, rows: Iterable[Any]) -> list["EventItem"]:
        """Items from the repository's rows, unpacked by position in its SELECT order and passed
        in field order (LoggedItem's first), as `DonationItem.from_rows` does."""
        address, raw = CHECKSUMS, msgspec.Raw
        return [
            cls(block_number, block_hash, tx_hash, log_index, address[contract], contract_name, event, raw(args))
            for contract, contract_name, event, args, block_number, block_hash, tx_hash, log_index in rows
        ]


class EventList(CamelStruct):
    """A page of events, newest first; pass `nextCursor` as `cursor` for the next page (null on the last)."""

    items: list[EventItem]
    next_cursor: str | None
