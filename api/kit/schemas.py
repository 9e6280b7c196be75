"""The base for request and response bodies (camelCase on the wire, snake_case in Python) and
the field types they share."""

from typing import Annotated

import msgspec

from api.kit.addresses import ADDRESS_PATTERN

WeiString = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[0-9]+$",
        description="An amount of wei as a decimal string (exact; never a JSON number).",
        examples=["1000000000000000000"],
    ),
]
Address = Annotated[str, msgspec.Meta(pattern=ADDRESS_PATTERN, description="An address in EIP-55 checksum form.")]


class CamelStruct(msgspec.Struct, rename="camel"):
    """A body whose fields appear in camelCase in JSON and in the OpenAPI schema."""


class LoggedItem(CamelStruct):
    """An item read from one event: where that event sits on the chain."""

    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int


# Arguments of an event as the indexer stored them (a JSON object), passed through undecoded.
EventArgs = msgspec.Raw
