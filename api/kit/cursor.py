"""Opaque page cursors: the (block number, log index) of the last event a page returned."""

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Select, tuple_
from sqlmodel import col

from api.kit.problems import InvalidFieldError

_POSITION = re.compile(r"(0|[1-9][0-9]*):(0|[1-9][0-9]*)")
_BIGINT_MAX = 2**63 - 1
_MAX_CURSOR_LENGTH = 64


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
    block_number: int
    log_index: int


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
    return Page(items=page, next_cursor=encode_cursor(LogPosition(last.block_number, last.log_index)))


SelectT = TypeVar("SelectT", bound=Select[Any])


def newest_first(statement: SelectT, model: type[Any], before: LogPosition | None, limit: int) -> SelectT:
    """`statement` over `model` (a table of logs) in (block_number, log_index) descending order,
    strictly before `before` (a page's cursor), at most `limit` rows."""
    block_number, log_index = col(model.block_number), col(model.log_index)
    statement = statement.order_by(block_number.desc(), log_index.desc()).limit(limit)
    if before is not None:
        statement = statement.where(tuple_(block_number, log_index) < tuple_(before.block_number, before.log_index))
    return statement
