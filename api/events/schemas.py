"""Platform events on the wire: arguments by their Solidity names, lossless."""

from typing import Annotated, Any

import msgspec
from eth_utils import to_checksum_address

from api.kit.schemas import CamelStruct, LoggedItem, log_fields
from impactchain.models import ContractEvent


class EventItem(LoggedItem):
    """One event of a platform contract, its arguments by their Solidity names: integers as
    decimal strings, addresses checksummed, bytes as 0x-hex, structs as objects."""

    contract: str
    contract_name: Annotated[str, msgspec.Meta(description="As the deployment manifest (/v1/contracts) names it.")]
    event: Annotated[str, msgspec.Meta(examples=["VoteCast"])]
    args: dict[str, Any]

    @classmethod
    def from_model(cls, event: ContractEvent) -> "EventItem":
        return cls(
            contract=to_checksum_address(event.contract),
            contract_name=event.contract_name,
            event=event.event,
            args=event.args,
            **log_fields(event),
        )


class EventList(CamelStruct):
    """A page of events, newest first; pass `nextCursor` as `cursor` for the next page (null on the last)."""

    items: list[EventItem]
    next_cursor: str | None
