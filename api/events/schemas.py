"""Platform events on the wire: arguments by their Solidity names, lossless."""

from typing import Annotated, Any

import msgspec
from eth_utils import to_checksum_address

from api.kit.schemas import CamelStruct
from impactchain.models import ContractEvent


class EventItem(CamelStruct):
    """One event of a platform contract, its arguments by their Solidity names: integers as
    decimal strings, addresses checksummed, bytes as 0x-hex, structs as objects."""

    contract: str
    contract_name: Annotated[str, msgspec.Meta(description="As the deployment manifest (/v1/contracts) names it.")]
    event: Annotated[str, msgspec.Meta(examples=["VoteCast"])]
    args: dict[str, Any]
    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int

    @classmethod
    def from_model(cls, event: ContractEvent) -> "EventItem":
        return cls(
            contract=to_checksum_address(event.contract),
            contract_name=event.contract_name,
            event=event.event,
            args=event.args,
            block_number=event.block_number,
            block_hash=event.block_hash,
            tx_hash=event.tx_hash,
            log_index=event.log_index,
        )


class EventList(CamelStruct):
    """A page of events, newest first; pass `nextCursor` as `cursor` for the next page (null on the last)."""

    items: list[EventItem]
    next_cursor: str | None
