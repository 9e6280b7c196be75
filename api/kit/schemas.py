"""The base for request and response bodies (camelCase on the wire, snake_case in Python) and
the field types they share."""

from typing import Annotated

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
