"""Query parameters several areas share, with every bound the server enforces written into the
OpenAPI schema (so schema-driven clients and fuzzers see them)."""

from typing import Annotated

from litestar.params import QueryParameter

from api.kit.addresses import ADDRESS_PATTERN
from api.kit.cursor import CURSOR_PATTERN, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

INT64_MAX = 2**63 - 1
NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_]{0,63}$"


def address_query(description: str) -> QueryParameter:
    """An optional address filter: any letter case, checksum checked when mixed-case."""
    return QueryParameter(description=description, schema_extra={"pattern": ADDRESS_PATTERN})


def int64_query(name: str, description: str) -> QueryParameter:
    """An optional id stored as BIGINT: 0 to 2**63-1, plain decimal digits."""
    return QueryParameter(
        name=name, ge=0, le=INT64_MAX, description=description, schema_extra={"minimum": 0, "maximum": INT64_MAX}
    )


def name_query(description: str) -> QueryParameter:
    return QueryParameter(description=description, schema_extra={"pattern": NAME_PATTERN})


Cursor = Annotated[
    str | None,
    QueryParameter(
        description="`nextCursor` from the previous page.", schema_extra={"pattern": CURSOR_PATTERN, "maxLength": 64}
    ),
]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description="Page size.")]
DEFAULT_LIMIT = DEFAULT_PAGE_SIZE
