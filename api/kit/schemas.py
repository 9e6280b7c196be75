"""The base for request and response bodies: camelCase on the wire, snake_case in Python."""

import msgspec


class CamelStruct(msgspec.Struct, rename="camel"):
    """A body whose fields appear in camelCase in JSON and in the OpenAPI schema."""
