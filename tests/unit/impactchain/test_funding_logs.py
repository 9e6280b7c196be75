"""Decoding funding rounds' raw logs: exact fields, hostile strings made storable, bad shapes refused;
and the ABI-driven decoder of a round's other events."""

from typing import Any

import pytest
from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from impactchain.funding import (
    ROUND_CREATED_TOPIC,
    ROUND_DONATED_TOPIC,
    EventDecoder,
    decode_round_created,
    decode_round_donated,
    decode_round_event,
)
from impactchain.helpdesk import DONATED_TOPIC, LogDecodeError

FACTORY = "0x" + "Fa" * 20
ROUND = "0x" + "Ab" * 20
FOUNDER = "0x" + "0c" * 20
DONOR = "0x" + "0d" * 20
USDC = "0x" + "05" * 20
IMPLEMENTATION = "0x" + "1e" * 20
SALT = "0x" + "5a" * 32


def topic(address: str) -> str:
    return "0x" + "00" * 12 + address[2:]


def raw_log(address: str, topics: list[str], data: bytes) -> dict[str, Any]:
    return {
        "address": address,
        "topics": topics,
        "data": "0x" + data.hex(),
        "blockNumber": "0x10",
        "blockHash": "0x" + "AA" * 32,
        "transactionHash": "0x" + "BB" * 32,
        "logIndex": "0x3",
    }


def created_log(cid: bytes, goal: int = 10**19) -> dict[str, Any]:
    data = encode(
        ["bytes", "uint256", "uint64", "uint256", "uint256", "address"],
        [cid, goal, 1_800_000_000, 3, 7, IMPLEMENTATION],
    )
    return raw_log(FACTORY, [ROUND_CREATED_TOPIC, topic(ROUND), topic(FOUNDER), SALT], data)


def test_round_created_decodes_every_field() -> None:
    event = decode_round_created(created_log(b"bafkreiexample", goal=2**255 + 1))

    assert (event.factory, event.address, event.founder, event.salt) == (
        FACTORY.lower(),
        ROUND.lower(),
        FOUNDER.lower(),
        SALT.lower(),
    )
    assert (event.metadata_cid, event.goal, event.deadline, event.milestones, event.round_index) == (
        "bafkreiexample",
        2**255 + 1,
        1_800_000_000,
        3,
        7,
    )
    assert event.implementation == IMPLEMENTATION.lower()
    assert (event.block_number, event.block_hash, event.ref.tx_hash, event.ref.log_index) == (
        16,
        "0x" + "aa" * 32,
        "0x" + "bb" * 32,
        3,
    )


@pytest.mark.parametrize(
    ("cid", "stored"),
    [
        (b"bafy\x00kei", "bafy\ufffdkei"),  # PostgreSQL TEXT refuses NUL
        (b"\xffbafy", "\ufffdbafy"),  # not UTF-8
    ],
)
def test_round_created_makes_hostile_cids_storable(cid: bytes, stored: str) -> None:
    assert decode_round_created(created_log(cid)).metadata_cid == stored


def test_round_donated_decodes_every_field() -> None:
    data = encode(["uint256", "uint256", "uint256"], [5 * 10**6, 10**19, 2**200])
    event = decode_round_donated(raw_log(ROUND, [ROUND_DONATED_TOPIC, topic(DONOR), topic(USDC)], data))

    assert (event.round, event.donor, event.currency) == (ROUND.lower(), DONOR.lower(), USDC.lower())
    assert (event.amount, event.matic_equivalent, event.donor_total) == (5 * 10**6, 10**19, 2**200)
    assert event.block_number == 16


@pytest.mark.parametrize(
    "log",
    [
        raw_log(ROUND, [DONATED_TOPIC, topic(DONOR), topic(USDC)], bytes(96)),  # HelpDesk's Donated
        raw_log(ROUND, [ROUND_DONATED_TOPIC, topic(DONOR)], bytes(96)),  # a topic short
        raw_log(ROUND, [ROUND_DONATED_TOPIC, topic(DONOR), topic(USDC)], bytes(64)),  # a word short
    ],
)
def test_round_donated_refuses_other_shapes(log: dict[str, Any]) -> None:
    with pytest.raises(LogDecodeError):
        decode_round_donated(log)


def test_round_created_refuses_data_that_does_not_decode() -> None:
    log = created_log(b"bafkreiexample")
    log["data"] = log["data"][:-64]
    with pytest.raises(LogDecodeError, match="does not decode"):
        decode_round_created(log)


MIXED_ABI: list[dict[str, Any]] = [
    {
        "type": "event",
        "name": "Mixed",
        "anonymous": False,
        "inputs": [
            {"name": "who", "type": "address", "indexed": True},
            {"name": "tag", "type": "string", "indexed": True},
            {"name": "amount", "type": "uint256", "indexed": False},
            {"name": "note", "type": "string", "indexed": False},
            {"name": "blob", "type": "bytes", "indexed": False},
            {"name": "list", "type": "address[]", "indexed": False},
            {"name": "flag", "type": "bool", "indexed": False},
            {"name": "delta", "type": "int8", "indexed": False},
        ],
    },
    {"type": "event", "name": "Skipped", "anonymous": False, "inputs": []},
    {"type": "function", "name": "notAnEvent", "inputs": [], "outputs": []},
]
MIXED_TOPIC = "0x" + keccak(text="Mixed(address,string,uint256,string,bytes,address[],bool,int8)").hex()


def mixed_log(note: bytes, topics: list[str] | None = None) -> dict[str, Any]:
    data = encode(
        ["uint256", "bytes", "bytes", "address[]", "bool", "int8"],
        [2**256 - 1, note, b"\x01\xff", [DONOR, USDC], True, -5],
    )
    tag_hash = "0x" + keccak(text="tag").hex()
    return raw_log(ROUND, topics or [MIXED_TOPIC, topic(DONOR), tag_hash], data)


def test_event_decoder_gives_lossless_json_arguments() -> None:
    decoder = EventDecoder(MIXED_ABI, skip=("Skipped",))

    name, args = decoder.decode(mixed_log("café".encode()))

    assert decoder.topics == [MIXED_TOPIC]
    assert name == "Mixed"
    assert args == {
        "who": to_checksum_address(DONOR),
        "tag": "0x" + keccak(text="tag").hex(),  # an indexed string is only its hash
        "amount": str(2**256 - 1),
        "note": "café",
        "blob": "0x01ff",
        "list": [to_checksum_address(DONOR), to_checksum_address(USDC)],
        "flag": True,
        "delta": "-5",
    }
    assert list(args) == [i["name"] for i in MIXED_ABI[0]["inputs"]]  # in declaration order


@pytest.mark.parametrize(("note", "stored"), [(b"a\x00b", "a\ufffdb"), (b"\xffab", "\ufffdab")])
def test_event_decoder_makes_hostile_strings_storable(note: bytes, stored: str) -> None:
    assert EventDecoder(MIXED_ABI).decode(mixed_log(note))[1]["note"] == stored


@pytest.mark.parametrize(
    ("topics", "says"),
    [
        (["0x" + keccak(text="Skipped()").hex()], "no event of this ABI"),
        ([MIXED_TOPIC, topic(DONOR)], "2 indexed arguments, the log 1"),
    ],
)
def test_event_decoder_refuses_logs_it_does_not_know(topics: list[str], says: str) -> None:
    decoder = EventDecoder(MIXED_ABI, skip=("Skipped",))
    with pytest.raises(LogDecodeError, match=says):
        decoder.decode(mixed_log(b"", topics=topics))


def test_decode_round_event_keeps_the_round_and_position() -> None:
    event = decode_round_event(EventDecoder(MIXED_ABI), mixed_log(b"x"))

    assert (event.round, event.event, event.block_number, event.ref.log_index) == (ROUND.lower(), "Mixed", 16, 3)
