"""The base for request and response bodies (camelCase on the wire, snake_case in Python) and
the field types they share."""

from typing import Annotated, Any

import msgspec

WeiString = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[0-9]+$",
        description="An amount of wei as a decimal string (exact; never a JSON number).",
        examples=["1000000000000000000"],
    ),
]


class CamelStruct(msgspec.Struct, rename="camel"):
    """A body whose fields appear in camelCase in JSON and in the OpenAPI schema."""


class LoggedItem(CamelStruct):
    """An item read from one event: where that event sits on the chain."""

    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int


def log_fields(row: Any) -> dict[str, Any]:
    """The `LoggedItem` fields of an indexed row (every projected table has these columns)."""
    return {
        "block_number": row.block_number,
        "block_hash": row.block_hash,
        "tx_hash": row.tx_hash,
        "log_index": row.log_index,
    }
