"""Raw logs of the platform's events, encoded from their compiled ABIs and argument values, as a
node serves them (for the decoder's property tests and bench/decode.py)."""

import json
from collections.abc import Mapping, Sequence
from typing import Any

from eth_abi import encode
from eth_utils import keccak

from impactchain.events import _abi_type, _topic_item, event_topic
from impactchain.settings import PROJECT_ROOT

Event = Mapping[str, Any]


def compiled_abis() -> dict[str, list[dict[str, Any]]]:
    """Every compiled contract's ABI (the platform's, its interfaces and its test contracts), by name."""
    types = json.loads((PROJECT_ROOT / ".build" / "__local__.json").read_text())["contractTypes"]
    return {name: types[name]["abi"] for name in sorted(types)}


def events_of(abi: Sequence[Mapping[str, Any]]) -> list[Event]:
    return [entry for entry in abi if entry.get("type") == "event" and not entry.get("anonymous")]


def topic_word(item: Mapping[str, Any], value: Any) -> str:
    """An indexed argument's topic: its word, or (a string, bytes, array or struct) a hash, here
    `value` itself (32 bytes)."""
    if _topic_item(item) is not item:  # stored as the hash of its encoding
        return "0x" + bytes(value).hex()
    return "0x" + encode([item["type"]], [value]).hex()


def encode_log(
    event: Event, values: Sequence[Any], address: str, block: int = 16, tx_hash: bytes = b"\xbb" * 32, index: int = 3
) -> dict[str, Any]:
    """The JSON of a log of `event` with arguments `values` (in the ABI's order; strings as bytes,
    indexed dynamic values as their 32-byte hash), emitted by `address`."""
    inputs = event["inputs"]
    topics = [event_topic(event)] + [topic_word(i, v) for i, v in zip(inputs, values, strict=True) if i["indexed"]]
    plain = [(i, v) for i, v in zip(inputs, values, strict=True) if not i["indexed"]]
    data = encode([_abi_type(i, wire=True) for i, _ in plain], [v for _, v in plain])
    return {
        "address": address,
        "topics": topics,
        "data": "0x" + data.hex(),
        "blockNumber": hex(block),
        "blockHash": "0x" + keccak(block.to_bytes(8, "big")).hex(),
        "transactionHash": "0x" + tx_hash.hex(),
        "logIndex": hex(index),
        "removed": False,
    }
