"""Page cursors: what goes out comes back, and nothing else gets in."""

import base64
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.kit.cursor import InvalidCursorError, LogPosition, decode_cursor, encode_cursor

BIGINT_MAX = 2**63 - 1


@given(block_number=st.integers(0, BIGINT_MAX), log_index=st.integers(0, BIGINT_MAX))
def test_round_trip(block_number: int, log_index: int) -> None:
    position = LogPosition(block_number=block_number, log_index=log_index)

    cursor = encode_cursor(position)

    assert decode_cursor("cursor", cursor) == position
    assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor)


def test_cursor_is_opaque_base64_of_the_position() -> None:
    assert encode_cursor(LogPosition(block_number=1, log_index=1)) == "MTox"


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "!!!!",
        "MTox=",  # stray padding
        "MT ox",
        "é",
        _b64("1:2:3"),
        _b64("01:2"),  # leading zero: not a cursor we made
        _b64("-1:2"),
        _b64("1:"),
        _b64("a:b"),
        _b64(f"{BIGINT_MAX + 1}:0"),
        _b64("1" * 40 + ":0"),
        base64.b64encode(b"\xff\xfe:\xfa").decode(),
    ],
)
def test_rejects_anything_not_issued(raw: str) -> None:
    with pytest.raises(InvalidCursorError) as caught:
        decode_cursor("cursor", raw)

    assert caught.value.field == "cursor"
    assert caught.value.value == raw
