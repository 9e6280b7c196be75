"""Raw JSON-RPC logs, as a node returns them, for decoder tests."""

from typing import Any

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
