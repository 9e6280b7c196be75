"""The ABI-driven event decoder: lossless JSON arguments, hostile strings made storable, unknown
or misshapen logs refused."""

from typing import Any

import msgspec
import pytest
from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from impactchain.events import EventDecoder, LogDecodeError, RawLog, decode_event
from tests.unit.impactchain.logs import DONOR, ROUND, USDC, raw_log, topic

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


def as_raw(log: dict[str, Any]) -> RawLog:
    """A log as the indexer's client decodes it from the node's JSON."""
    return msgspec.convert(log, RawLog)


def mixed_log(note: bytes, topics: list[str] | None = None) -> RawLog:
    data = encode(
        ["uint256", "bytes", "bytes", "address[]", "bool", "int8"],
        [2**256 - 1, note, b"\x01\xff", [DONOR, USDC], True, -5],
    )
    tag_hash = "0x" + keccak(text="tag").hex()
    return as_raw(raw_log(ROUND, topics or [MIXED_TOPIC, topic(DONOR), tag_hash], data))


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


def test_decode_event_keeps_the_contract_and_position() -> None:
    event = decode_event(EventDecoder(MIXED_ABI), mixed_log(b"x"))

    assert (event.contract, event.event, event.block_number, event.ref.log_index) == (ROUND.lower(), "Mixed", 16, 3)


STRUCT_ABI: list[dict[str, Any]] = [
    {
        "type": "event",
        "name": "Made",
        "anonymous": False,
        "inputs": [
            {"name": "id", "type": "uint256", "indexed": True},
            {
                "name": "terms",
                "type": "tuple",
                "indexed": False,
                "components": [
                    {"name": "asset", "type": "address"},
                    {"name": "cid", "type": "string"},
                    {"name": "amounts", "type": "uint256[]"},
                ],
            },
            {
                "name": "pairs",
                "type": "tuple[]",
                "indexed": False,
                "components": [{"name": "kind", "type": "uint8"}, {"name": "tag", "type": "bytes32"}],
            },
        ],
    }
]


def test_event_decoder_gives_structs_as_objects_by_component_name() -> None:
    decoder = EventDecoder(STRUCT_ABI)
    data = encode(
        ["(address,bytes,uint256[])", "(uint8,bytes32)[]"],
        [(USDC, b"bafy\x00", [1, 2**255]), [(1, b"\x11" * 32), (2, b"\x22" * 32)]],
    )
    made = "0x" + keccak(text="Made(uint256,(address,string,uint256[]),(uint8,bytes32)[])").hex()

    name, args = decoder.decode(as_raw(raw_log(ROUND, [made, "0x" + f"{7:064x}"], data)))

    assert decoder.topics == [made]
    assert (name, args["id"]) == ("Made", "7")
    assert args["terms"] == {"asset": to_checksum_address(USDC), "cid": "bafy\ufffd", "amounts": ["1", str(2**255)]}
    assert args["pairs"] == [{"kind": "1", "tag": "0x" + "11" * 32}, {"kind": "2", "tag": "0x" + "22" * 32}]


STATIC_ABI: list[dict[str, Any]] = [
    {
        "type": "event",
        "name": "Static",
        "anonymous": False,
        "inputs": [
            {"name": "who", "type": "address", "indexed": True},
            {"name": "level", "type": "int16", "indexed": True},
            {"name": "amount", "type": "uint256", "indexed": False},
            {"name": "delta", "type": "int256", "indexed": False},
            {"name": "flag", "type": "bool", "indexed": False},
            {"name": "selector", "type": "bytes4", "indexed": False},
            {"name": "to", "type": "address", "indexed": False},
        ],
    }
]
STATIC_TOPIC = "0x" + keccak(text="Static(address,int16,uint256,int256,bool,bytes4,address)").hex()


def static_log(data: bytes) -> RawLog:
    level = "0x" + encode(["int16"], [-3]).hex()
    return as_raw(raw_log(ROUND, [STATIC_TOPIC, topic(DONOR), level], data))


@pytest.mark.parametrize("delta", [-(2**255), -1, 0, 2**255 - 1])
def test_static_words_are_sliced_exactly_like_eth_abi(delta: int) -> None:
    data = encode(
        ["uint256", "int256", "bool", "bytes4", "address"], [2**256 - 1, delta, True, b"\xde\xad\xbe\xef", USDC]
    )

    name, args = EventDecoder(STATIC_ABI).decode(static_log(data))

    assert name == "Static"
    assert args == {
        "who": to_checksum_address(DONOR),
        "level": "-3",
        "amount": str(2**256 - 1),
        "delta": str(delta),
        "flag": True,
        "selector": "0xdeadbeef",
        "to": to_checksum_address(USDC),
    }


def test_static_data_of_the_wrong_length_is_refused() -> None:
    data = encode(["uint256", "int256", "bool", "bytes4"], [1, 2, True, b"\x00" * 4])  # a word short
    with pytest.raises(LogDecodeError, match="Static does not decode"):
        EventDecoder(STATIC_ABI).decode(static_log(data))


VOTE_ABI: list[dict[str, Any]] = [
    {
        "type": "event",
        "name": "VoteCast",
        "anonymous": False,
        "inputs": [
            {"name": "voter", "type": "address", "indexed": True},
            {"name": "proposalId", "type": "uint256", "indexed": False},
            {"name": "reason", "type": "string", "indexed": False},
            {"name": "support", "type": "uint8", "indexed": False},
            {"name": "params", "type": "bytes", "indexed": False},
        ],
    }
]
VOTE_TOPIC = "0x" + keccak(text="VoteCast(address,uint256,string,uint8,bytes)").hex()


@pytest.mark.parametrize(
    ("reason", "params"),
    [(b"", b""), ("for the well in Lamu, café".encode(), b"\x00" * 33), (b"\xff\x00bad utf-8", bytes(range(64)))],
)
def test_strings_and_bytes_are_read_by_hand_exactly_like_eth_abi(reason: bytes, params: bytes) -> None:
    data = encode(["uint256", "bytes", "uint8", "bytes"], [7, reason, 2, params])
    log = as_raw(raw_log(ROUND, [VOTE_TOPIC, topic(DONOR)], data))

    _, args = EventDecoder(VOTE_ABI).decode(log)

    assert args == {
        "voter": to_checksum_address(DONOR),
        "proposalId": "7",
        "reason": reason.decode("utf-8", errors="replace").replace("\x00", "\ufffd"),
        "support": "2",
        "params": "0x" + params.hex(),
    }


def test_a_string_pointing_outside_the_data_is_refused() -> None:
    data = encode(["uint256", "bytes", "uint8", "bytes"], [7, b"why", 2, b""])
    cut = data[: len(data) - 64]  # the last argument's length word is gone
    with pytest.raises(LogDecodeError, match="VoteCast does not decode"):
        EventDecoder(VOTE_ABI).decode(as_raw(raw_log(ROUND, [VOTE_TOPIC, topic(DONOR)], cut)))


@pytest.mark.parametrize("seed", range(20))
def test_addresses_are_checksummed_as_eip55_says(seed: int) -> None:
    address = "0x" + keccak(text=f"address {seed}").hex()[:40]
    data = encode(["uint256", "int256", "bool", "bytes4", "address"], [1, 2, True, b"\x00" * 4, address])

    _, args = EventDecoder(STATIC_ABI).decode(static_log(data))

    assert args["to"] == to_checksum_address(address)


BATCH_ABI: list[dict[str, Any]] = [
    {
        "type": "event",
        "name": "TransferBatch",
        "anonymous": False,
        "inputs": [
            {"name": "operator", "type": "address", "indexed": True},
            {"name": "ids", "type": "uint256[]", "indexed": False},
            {"name": "values", "type": "int8[2]", "indexed": False},
        ],
    }
]


def test_arrays_of_integers_are_arrays_not_words() -> None:
    data = encode(["uint256[]", "int8[2]"], [[1, 2**256 - 1], [-1, 7]])
    batch = "0x" + keccak(text="TransferBatch(address,uint256[],int8[2])").hex()

    _, args = EventDecoder(BATCH_ABI).decode(as_raw(raw_log(ROUND, [batch, topic(DONOR)], data)))

    assert args == {"operator": to_checksum_address(DONOR), "ids": ["1", str(2**256 - 1)], "values": ["-1", "7"]}
