"""`copy_rows`: rows with NUMERIC columns go by COPY's text format, built by hand; whatever the
values hold, PostgreSQL must store exactly what the binary format would have."""

from dataclasses import astuple
from decimal import Decimal

import asyncpg
import orjson
import pytest

from impactchain.events import EventLog, LogRef, copy_events, copy_plain
from indexer.repository import CopyPayload, _text_value, copy_rows, copy_text
from indexer.stream import EVENT_COLUMNS

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
def test_rows_written_in_c_are_what_value_by_value_gives(note: str) -> None:
    records: list[tuple[object, ...]] = [(n, f"0x{n:040x}", str(2**256 - 1 - n), -(2**63) - n) for n in range(3)]
    records.insert(1, (7, note, "1", 2**70))
    by_value = "".join("\t".join(map(_text_value, record)) + "\n" for record in records).encode()
    assert copy_text(records, 4) == by_value
    plain = copy_plain(records, 4)
    assert plain == (None if note in AWKWARD[1:7] else by_value)
    assert (
        copy_text(records[:1], 4)
        == b"0\t0x" + b"0" * 40 + b"\t" + str(2**256 - 1).encode() + b"\t-9223372036854775808\n"
    )


def test_rows_of_other_values_are_left_to_python() -> None:
    for odd in (None, True, Decimal(1), 1.5, b"x"):
        assert copy_plain([(1, "a"), (2, odd)], 2) is None
    assert copy_plain([(1, "a", 3)], 2) is None  # a row of another width
    assert copy_plain([], 2) == b""


# Arguments of every shape an event store row may hold: hex, checksummed addresses, decimal
# strings, what JSON must escape, non-ASCII, bools, ints, None; and eth_abi's nested values,
# which `copy_events` leaves to `dumps`.
def _noted(n: int, note: str) -> dict[str, object]:
    return {"reason": note, "support": n % 2 == 0, "weight": -(2**63) + n, "nothing": None}


EVENT_ARGS: list[dict[str, object]] = [
    {"donor": "0x" + "Ab" * 20, "amount": str(2**256 - 1), "requestId": "7"},
    *(
        _noted(n, note)
        for n, note in enumerate([*AWKWARD, 'quote " and \\ and \b\f and \x01\x1f', "\x7f and \u2028 and 🎉"])
    ),
    {},
    {"amounts": ["1", "2"], "nested": {"a": [True, None]}},
    {"big": 2**64},  # past int64: orjson refuses it, and so does the fallback
]


async def test_the_event_store_payload_stores_what_asyncpg_stores(db: asyncpg.Connection) -> None:
    events = [
        EventLog(
            contract=f"0x{n:040x}",
            event=f"Event{n}",
            args=args,
            ref=LogRef(block_number=2**40 + n, block_hash=f"0x{n:064x}", tx_hash=f"0x{2**255 + n:064x}", log_index=n),
        )
        for n, args in enumerate(EVENT_ARGS[:-1])
    ]
    names = [f"Contract ünï {n}" for n in range(len(events))]
    chain_id = 2**40 + 137
    for table in ("events_c", "events_asyncpg"):
        await db.execute(f"CREATE TEMP TABLE {table} (LIKE contract_events INCLUDING DEFAULTS)")

    payload = copy_events(chain_id, events, names, orjson.dumps)
    await copy_rows(db, "events_c", EVENT_COLUMNS, (), payload=CopyPayload(payload, "binary", len(events)))
    records = [
        (chain_id, e.contract, name, e.event, orjson.dumps(e.args).decode(), *astuple(e.ref))
        for e, name in zip(events, names, strict=True)
    ]
    await db.copy_records_to_table("events_asyncpg", records=records, columns=list(EVENT_COLUMNS))

    query = f"SELECT {', '.join(EVENT_COLUMNS)} FROM {{}} ORDER BY log_index"  # noqa: S608
    stored = [tuple(row) for row in await db.fetch(query.format("events_c"))]
    assert stored == [tuple(row) for row in await db.fetch(query.format("events_asyncpg"))]
    assert len(stored) == len(events)
    assert [orjson.loads(row[4]) for row in stored] == [e.args for e in events]
    assert stored[0][:4] == (chain_id, "0x" + "0" * 40, "Contract ünï 0", "Event0")


def test_the_event_store_payload_refuses_what_it_cannot_store() -> None:
    ref = LogRef(block_number=1, block_hash="0x01", tx_hash="0x02", log_index=0)
    with pytest.raises(TypeError, match="Integer exceeds 64-bit range"):
        copy_events(1, [EventLog("0x01", "E", EVENT_ARGS[-1], ref)], ["C"], orjson.dumps)
    with pytest.raises(OverflowError, match="integer column"):
        copy_events(1, [EventLog("0x01", "E", {}, LogRef(1, "0x01", "0x02", 2**31))], ["C"], orjson.dumps)
    with pytest.raises(TypeError, match="must be a str"):
        copy_events(1, [EventLog("0x01", "E", {}, ref)], [None], orjson.dumps)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="1 events but 2 names"):
        copy_events(1, [EventLog("0x01", "E", {}, ref)], ["C", "D"], orjson.dumps)
    assert copy_events(1, [], [], orjson.dumps) == b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8 + b"\xff\xff"
