"""The compiled decoder (impactchain/_decoder.c) against the Python one it replaced
(tests/support/python_decoder.py): the same events, arguments and errors, key for key and type for
type, for logs of every event shape the contracts emit, well-formed or not."""

import json
from collections.abc import Callable, Sequence
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impactchain import _decoder
from impactchain.events import EventDecoder, RawLog, decode_known
from tests.support.event_logs import Event, compiled_abis, encode_log, event_topic, events_of
from tests.support.python_decoder import python_decode_known, python_readers

# The hand-read types no contract emits yet (signed integers, short bytesN, indexed bools), in
# one event, so that the decoder's reading of them is held to Python's too.
UNEMITTED: Event = {
    "type": "event",
    "name": "Unemitted",
    "anonymous": False,
    "inputs": [
        {"name": "level", "type": "int256", "indexed": True},
        {"name": "flag", "type": "bool", "indexed": True},
        {"name": "small", "type": "int8", "indexed": False},
        {"name": "mid", "type": "int128", "indexed": False},
        {"name": "delta", "type": "int256", "indexed": False},
        {"name": "selector", "type": "bytes4", "indexed": False},
        {"name": "note", "type": "string", "indexed": False},
        {"name": "root", "type": "bytes32", "indexed": False},
        {"name": "on", "type": "bool", "indexed": False},
    ],
}


def _event_shapes() -> list[Event]:
    """Every event the compiled contracts declare, once per shape (name, types, indexes, names),
    and UNEMITTED."""
    shapes: dict[str, Event] = {}
    abis: list[Sequence[Event]] = [*compiled_abis().values(), [UNEMITTED]]
    for abi in abis:
        for event in events_of(abi):
            shapes.setdefault(json.dumps(event, sort_keys=True), event)
    return [shapes[key] for key in sorted(shapes)]


EVENTS = _event_shapes()
# One decoder per shape: events of one name and types may differ in what they index (ERC-20's
# and ERC-721's Approval), as the contracts that emit them do.
DECODERS = [EventDecoder([event]) for event in EVENTS]
READERS = [python_readers(decoder) for decoder in DECODERS]
# A few addresses that repeat, as donors and tokens do (the checksum caches), and any others.
ADDRESSES = st.one_of(
    st.sampled_from(["0x" + f"{n:02x}" * 20 for n in (0x0D, 0x05, 0xAB, 0xFE)]),
    st.binary(min_size=20, max_size=20).map(lambda raw: "0x" + raw.hex()),
)
EDGES = [0, 1, 2**63, 2**64 - 1, 2**64, 2**127, 2**128 - 1, 2**128, 2**255, 2**256 - 1]


def _integers(bits: int, signed: bool) -> st.SearchStrategy[int]:
    low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
    edges = [v for e in EDGES for v in (e, -e, e - 1, -e - 1) if low <= v <= high]
    return st.one_of(st.integers(low, high), st.sampled_from(edges))


def value_of(item: dict[str, Any], indexed: bool = False) -> st.SearchStrategy[Any]:
    """Values of an ABI item's type as eth_abi encodes them (strings as their bytes, an indexed
    dynamic value as its 32-byte hash)."""
    kind: str = item["type"]
    dynamic = kind in ("string", "bytes") or kind.endswith("]") or kind.startswith("tuple")
    if indexed and dynamic:
        return st.binary(min_size=32, max_size=32)
    if kind.endswith("]"):
        length = kind[kind.rindex("[") + 1 : -1]
        element = value_of({**item, "type": kind[: kind.rindex("[")]})
        return st.lists(element, min_size=int(length or 0), max_size=int(length or 3))
    if kind == "tuple":
        return st.tuples(*(value_of(component) for component in item["components"]))
    if kind == "address":
        return ADDRESSES
    if kind.startswith(("uint", "int")):
        return _integers(int(kind.removeprefix("u").removeprefix("int") or 256), not kind.startswith("u"))
    if kind == "bool":
        return st.booleans()
    if kind in ("string", "bytes"):  # NULs and bytes that are not UTF-8 included
        return st.one_of(st.binary(max_size=70), st.text(max_size=20).map(str.encode))
    return st.binary(min_size=int(kind.removeprefix("bytes")), max_size=int(kind.removeprefix("bytes")))


@st.composite
def logs(draw: st.DrawFn, shapes: list[int] | None = None) -> tuple[int, dict[str, Any]]:
    """A well-formed log of one of the contracts' events (and the event's index in EVENTS, one of
    `shapes` if given), hex digits in either case."""
    shape = draw(st.sampled_from(shapes) if shapes else st.integers(0, len(EVENTS) - 1))
    event = EVENTS[shape]
    values = [draw(value_of(item, item["indexed"])) for item in event["inputs"]]
    log = encode_log(
        event,
        values,
        draw(ADDRESSES),
        block=draw(st.integers(0, 2**64 - 1)),
        tx_hash=draw(st.binary(min_size=32, max_size=32)),
        index=draw(st.integers(0, 2**16)),
    )
    if draw(st.booleans()):
        upper = draw(st.sampled_from(["data", "address", "blockHash", "transactionHash"]))
        log[upper] = "0x" + log[upper][2:].upper()
    return shape, log


# What a malformed log may have in place of a hex digit or a word.
ODD_CHARACTERS = ["g", "G", "x", "X", " ", "_", "+", "-", "é", "\x00", "0x"]
ODD_WORDS = [f"{v:064x}" for v in (2**256 - 1, 2**64, 2**64 + 32, 0, 16, 31, 32, 33, 48, 64, 96, 10**6, 2**40)]
ODD_TOPICS = ["0x1", "0x", "", "0X" + "ab" * 32, "00" + "ab" * 32, "ab" * 33, "0x" + "é" * 64, "0x" + " 1" * 32]


CHANGES = ["drop", "add", "topic", "cut", "grow", "digit", "word", "quantity"]


@st.composite
def malformed_logs(
    draw: st.DrawFn, shapes: list[int] | None = None, changes: list[str] = CHANGES
) -> tuple[int, dict[str, Any]]:
    """A well-formed log, then broken: topics dropped, added or odd; data cut, lengthened, with
    odd digits, or a head word (an offset) or any word set to something out of range."""
    shape, log = draw(logs(shapes))
    topics, data = log["topics"], log["data"]
    for _ in range(draw(st.integers(1, 3))):
        change = draw(st.sampled_from(changes))
        if change == "drop" and len(topics) > 1:
            topics = topics[: draw(st.integers(1, len(topics) - 1))]
        elif change == "add":
            topics = [*topics, "0x" + "00" * 32]
        elif change == "topic" and len(topics) > 1:
            at = draw(st.integers(1, len(topics) - 1))
            topics = [*topics[:at], draw(st.sampled_from(ODD_TOPICS)), *topics[at + 1 :]]
        elif change == "cut":
            data = data[: draw(st.integers(0, len(data)))]
        elif change == "grow":
            data += draw(st.sampled_from(["0", "00", "0" * 64, "é" * 64]))
        elif change == "digit" and len(data) > 2:
            at = draw(st.integers(2, len(data) - 1))
            data = data[:at] + draw(st.sampled_from(ODD_CHARACTERS)) + data[at + 1 :]
        elif change == "word" and len(data) >= 66:
            at = 2 + 64 * draw(st.integers(0, (len(data) - 2) // 64 - 1))
            data = data[:at] + draw(st.sampled_from(ODD_WORDS)) + data[at + 64 :]
        elif change == "quantity":
            log[draw(st.sampled_from(["blockNumber", "logIndex"]))] = draw(st.sampled_from(["0x0", "0X1f", "10", "0x"]))
    return shape, {**log, "topics": topics, "data": data}


def outcome(decode: Callable[[], object]) -> tuple[str, str]:
    """What a decode gave, comparable: its result's repr (types, values and key order) or its error."""
    try:
        return "decoded", repr(decode())
    except Exception as exc:  # whatever one raises, the other must raise too
        return type(exc).__name__, str(exc)


def both(shape: int, log: dict[str, Any]) -> tuple[tuple[str, str], tuple[str, str]]:
    raw = msgspec.convert(log, RawLog)
    return (
        outcome(lambda: decode_known(DECODERS[shape], raw)),
        outcome(lambda: python_decode_known(READERS[shape], raw)),
    )


PROPERTIES = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTIES
@given(logs())
def test_well_formed_logs_decode_as_in_python(shape_and_log: tuple[int, dict[str, Any]]) -> None:
    compiled, python = both(*shape_and_log)

    assert compiled[0] == "decoded", compiled
    assert compiled == python


@PROPERTIES
@given(malformed_logs())
def test_malformed_logs_decode_or_fail_as_in_python(shape_and_log: tuple[int, dict[str, Any]]) -> None:
    compiled, python = both(*shape_and_log)

    assert compiled == python


@PROPERTIES
@given(st.one_of(logs([EVENTS.index(UNEMITTED)]), malformed_logs([EVENTS.index(UNEMITTED)])))
def test_the_types_no_contract_emits_yet_decode_as_in_python(shape_and_log: tuple[int, dict[str, Any]]) -> None:
    compiled, python = both(*shape_and_log)

    assert compiled == python


# The events with a string or bytes argument: their offsets and lengths broken more often.
TAILS = [
    n for n, e in enumerate(EVENTS) if any(i["type"] in ("string", "bytes") and not i["indexed"] for i in e["inputs"])
]


@PROPERTIES
@given(malformed_logs(TAILS, ["cut", "grow", "digit", "word", "word"]))
def test_strings_and_bytes_out_of_place_fail_as_in_python(shape_and_log: tuple[int, dict[str, Any]]) -> None:
    compiled, python = both(*shape_and_log)

    assert compiled == python


@PROPERTIES
@given(logs())
def test_a_reader_called_alone_reads_as_in_python(shape_and_log: tuple[int, dict[str, Any]]) -> None:
    shape, log = shape_and_log
    topic = log["topics"][0]
    compiled, python = DECODERS[shape].reader(topic), READERS[shape][topic]
    assert compiled is not None

    assert outcome(lambda: compiled[1](log["topics"], log["data"])) == outcome(
        lambda: python[1](log["topics"], log["data"])
    )


def test_every_event_shape_is_covered() -> None:
    """The shapes the properties draw from: the hand-read ones (words, strings, bytes) and some
    that eth_abi decodes (arrays, structs)."""
    plans = [decoder.plan(event_topic(event)) for decoder, event in zip(DECODERS, EVENTS, strict=True)]

    assert sum(1 for plan in plans if plan is not None and plan.fields is not None) >= 50
    assert sum(1 for plan in plans if plan is not None and plan.fields is None) >= 3


PAIR: Event = {
    "type": "event",
    "name": "Pair",
    "anonymous": False,
    "inputs": [{"name": "a", "type": "uint256", "indexed": False}, {"name": "b", "type": "address", "indexed": False}],
}


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ("0x" + "00" * 32, "2 words expected, got 1.0"),
        ("0x" + "00" * 48, "2 words expected, got 1.5"),
        ("0x" + "zz" * 32 + "00" * 32, f"invalid literal for int() with base 16: '{'zz' * 32}'"),
        ("0x" + "00" * 32 + "00" * 12 + "0g" * 20, "non-hexadecimal number found in fromhex() arg at position 1"),
    ],
)
def test_a_misshapen_log_says_why_as_python_did(data: str, says: str) -> None:
    decoder = EventDecoder([PAIR])
    raw = msgspec.convert({**encode_log(PAIR, [1, "0x" + "05" * 20], "0x" + "ab" * 20), "data": data}, RawLog)

    compiled = outcome(lambda: decode_known(decoder, raw))

    assert compiled == outcome(lambda: python_decode_known(python_readers(decoder), raw))
    assert compiled[0] == "LogDecodeError"
    assert compiled[1].startswith(f"Pair does not decode: {says}")


def test_logs_are_read_and_events_made_by_slot() -> None:
    """RawLog, EventLog and LogRef keep their fields in slots and EventLog and LogRef have no
    __init__ of their own to run: the decoder reads and makes them by offset, not by getattr and
    calls (a fifth of its time)."""
    assert _decoder.made_directly() == {"RawLog": True, "EventLog": True, "LogRef": True}
