"""Platform events on the wire: arguments by their Solidity names, lossless."""

from typing import Annotated, Any

import msgspec

from api.kit.addresses import checksummed
from api.kit.schemas import Address, CamelStruct, EventArgs, LoggedItem


class EventItem(LoggedItem):
    """One event of a platform contract, its arguments by their Solidity names: integers as
    decimal strings, addresses checksummed, bytes as 0x-hex, structs as objects."""

    contract: Address
    contract_name: Annotated[str, msgspec.Meta(description="As the deployment manifest (/v1/contracts) names it.")]
    event: Annotated[str, msgspec.Meta(examples=["VoteCast"])]
    args: EventArgs

    @classmethod
    def from_row(cls, row: Any) -> "EventItem":
        # Unpacked by position, in the repository's SELECT order: a third faster than by name.
        contract, contract_name, event, args, block_number, block_hash, tx_hash, log_index = row
        return cls(
            contract=checksummed(contract),
            contract_name=contract_name,
            event=event,
            args=msgspec.Raw(args),
            block_number=block_number,
            block_hash=block_hash,
            tx_hash=tx_hash,
            log_index=log_index,
        )


class EventList(CamelStruct):
    """A page of events, newest first; pass `nextCursor` as `cursor` for the next page (null on the last)."""

    items: list[EventItem]
    next_cursor: str | None
