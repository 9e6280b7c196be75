"""Opaque page cursors: the (block number, log index) of the last event a page returned."""

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from api.kit.problems import InvalidFieldError

_POSITION = re.compile(r"(0|[1-9][0-9]*):(0|[1-9][0-9]*)")
_BIGINT_MAX = 2**63 - 1
_MAX_CURSOR_LENGTH = 64
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class InvalidCursorError(InvalidFieldError):
    """A cursor this API did not hand out."""

    slug = "invalid-cursor"
    title = "Invalid cursor"


@dataclass(frozen=True, slots=True)
class LogPosition:
    """Where a log sits in chain order."""

    block_number: int
    log_index: int


def encode_cursor(position: LogPosition) -> str:
    text = f"{position.block_number}:{position.log_index}"
    return base64.urlsafe_b64encode(text.encode("ascii")).rstrip(b"=").decode("ascii")


def decode_cursor(field: str, raw: str) -> LogPosition:
    """The position `raw` encodes; anything but a cursor `encode_cursor` could have made is refused."""
    reason = "is not a cursor from a previous page; pass nextCursor back unchanged"
    if len(raw) > _MAX_CURSOR_LENGTH:
        raise InvalidCursorError(field, raw, reason)
    try:
        padded = raw + "=" * (-len(raw) % 4)
        text = base64.b64decode(padded, altchars=b"-_", validate=True).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidCursorError(field, raw, reason) from None
    match = _POSITION.fullmatch(text)
    if match is None:
        raise InvalidCursorError(field, raw, reason)
    position = LogPosition(block_number=int(match[1]), log_index=int(match[2]))
    if max(position.block_number, position.log_index) > _BIGINT_MAX or encode_cursor(position) != raw:
        raise InvalidCursorError(field, raw, reason)
    return position


def position_before(cursor: str | None) -> LogPosition | None:
    """Where the page `cursor` (a `nextCursor`) asks to continue from; None for the first page."""
    return decode_cursor("cursor", cursor) if cursor is not None else None


DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class Positioned(Protocol):
    """A row of a table of logs (an asyncpg Record): its columns by name."""

    def __getitem__(self, column: str) -> Any: ...


RowT = TypeVar("RowT", bound=Positioned)


@dataclass(frozen=True, slots=True)
class Page(Generic[RowT]):
    items: Sequence[RowT]
    next_cursor: str | None


def page_of(rows: Sequence[RowT], limit: int) -> Page[RowT]:
    """The page of `rows`, which were fetched with `limit + 1` rows: the extra row, never shown,
    tells whether another page follows without a COUNT."""
    page = rows[:limit]
    if len(rows) <= limit:
        return Page(items=page, next_cursor=None)
    last = page[-1]
    return Page(items=page, next_cursor=encode_cursor(LogPosition(last["block_number"], last["log_index"])))


def newest_first(
    select: str,
    filters: Sequence[tuple[str | Callable[[str], str], object]],
    before: LogPosition | None,
    limit: int,
    *,
    contains: tuple[str, str | None] | None = None,
) -> tuple[str, list[object]]:
    """`select` (a SELECT … FROM of a table of logs) with `filters` (column, value) ANDed, in
    (block_number, log_index) descending order, strictly before `before`, at most `limit` rows.
    A filter's column may instead be a function of the value's placeholder that returns the
    condition (a lookup through an indexed expression).

    Only the filters given appear in the SQL: each combination is its own prepared statement,
    so PostgreSQL plans each on the index that serves it (a `col = $1 OR $1 IS NULL` would not).
    `contains` is (a JSONB column, a JSON object as text) the column must contain (`@>`)."""
    conditions: list[str] = []
    args: list[object] = []
    for column, value in filters:
        args.append(value)
        conditions.append(f"{column} = ${len(args)}" if isinstance(column, str) else column(f"${len(args)}"))
    if contains is not None and contains[1] is not None:
        args.append(contains[1])
        conditions.append(f"{contains[0]} @> ${len(args)}::jsonb")
    if before is not None:
        args += [before.block_number, before.log_index]
        conditions.append(f"(block_number, log_index) < (${len(args) - 1}, ${len(args)})")
    args.append(limit)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"{select}{where} ORDER BY block_number DESC, log_index DESC LIMIT ${len(args)}", args
