"""The ABI-driven event decoder: lossless JSON arguments, hostile strings made storable, unknown
or misshapen logs refused."""

from typing import Any

import pytest
from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from impactchain.events import EventDecoder, LogDecodeError, decode_event
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


def test_decode_event_keeps_the_contract_and_position() -> None:
    event = decode_event(EventDecoder(MIXED_ABI), mixed_log(b"x"))

    assert (event.contract, event.event, event.block_number, event.ref.log_index) == (ROUND.lower(), "Mixed", 16, 3)
