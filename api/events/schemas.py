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
        return cls(
            contract=checksummed(row["contract"]),
            contract_name=row["contract_name"],
            event=row["event"],
            args=msgspec.Raw(row["args"]),
            block_number=row["block_number"],
            block_hash=row["block_hash"],
            tx_hash=row["tx_hash"],
            log_index=row["log_index"],
        )


class EventList(CamelStruct):
    """A page of events, newest first; pass `nextCursor` as `cursor` for the next page (null on the last)."""

    items: list[EventItem]
    next_cursor: str | None
