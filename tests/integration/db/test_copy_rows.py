"""`copy_rows`: rows with NUMERIC columns go by COPY's text format, built by hand; whatever the
values hold, PostgreSQL must store exactly what the binary format would have."""

from decimal import Decimal

import asyncpg
import pytest

from indexer.repository import copy_rows, copy_text

COLUMNS = ("amount", "note", "flag", "small", "at")
AWKWARD = [
    "plain",
    "tab\there",
    "new\nline",
    "carriage\rreturn",
    "back\\slash",
    "\\N",
    "\\.",
    "",
    "ünïcødé ✓",
]


async def _stored(db: asyncpg.Connection, table: str) -> list[tuple[object, ...]]:
    rows = await db.fetch(f"SELECT {', '.join(COLUMNS)} FROM {table} ORDER BY at")  # noqa: S608
    return [tuple(row) for row in rows]


async def test_text_and_binary_copies_store_the_same_values(db: asyncpg.Connection) -> None:
    for table in ("copied_text", "copied_binary"):
        await db.execute(
            f"CREATE TEMP TABLE {table} (amount NUMERIC(78, 0), note TEXT, flag BOOLEAN, small BIGINT, at INT)"
        )
    records: list[tuple[object, ...]] = [
        (2**256 - 1 - n, note, n % 2 == 0, -(2**63) + n, n) for n, note in enumerate(AWKWARD)
    ]
    records += [(None, None, None, None, len(records)), (Decimal(7), "x", True, 0, len(records) + 1)]

    await copy_rows(db, "copied_text", COLUMNS, records)
    binary = [(None if r[0] is None else Decimal(str(r[0])), *r[1:]) for r in records]
    await db.copy_records_to_table("copied_binary", records=binary, columns=list(COLUMNS))

    stored = await _stored(db, "copied_text")
    assert stored == await _stored(db, "copied_binary")
    assert stored[0][0] == 2**256 - 1 and stored[1][1] == "tab\there" and stored[5][1] == "\\N"
    assert stored[len(AWKWARD)] == (None, None, None, None, len(AWKWARD))


def test_plain_rows_are_joined_as_they_are_and_the_others_escaped() -> None:
    text = copy_text([(1, "0xab", 2), ("a\tb", None, True)], 3)
    assert text == b"1\t0xab\t2\na\\tb\t\\N\tt\n"


def test_a_value_the_text_format_cannot_carry_is_refused() -> None:
    with pytest.raises(TypeError, match="bytes"):
        copy_text([(1, b"\x00")], 2)


@pytest.mark.parametrize("note", AWKWARD)
def test_plain_rows_checked_at_once_give_what_row_by_row_gives(note: str) -> None:
    records: list[tuple[object, ...]] = [(n, f"0x{n:040x}", str(2**256 - 1 - n)) for n in range(3)]
    records.insert(1, (7, note, "1"))
    assert copy_text(records, 3, plain=True) == copy_text(records, 3)
    assert copy_text(records[:1], 3, plain=True) == b"0\t0x" + b"0" * 40 + b"\t" + str(2**256 - 1).encode() + b"\n"
