"""Typed access to the HelpDesk contract: calldata and event decoding in one place.

The indexer's hot path decodes `Donated` logs by slicing the static fields by hand,
which is far faster than a generic ABI decoder (see bench/indexer_throughput.py).
"""

from dataclasses import dataclass
from typing import Any

from eth_utils import function_signature_to_4byte_selector, keccak

from impactchain.db.types import UINT256_MAX
from impactchain.events import LogDecodeError

NATIVE_CURRENCY = "0x" + "00" * 20
GENERAL_FUND = 0
DONATED_SIGNATURE = "Donated(uint256,address,address,uint256,uint256)"
DONATED_TOPIC = "0x" + keccak(text=DONATED_SIGNATURE).hex()
DONATE_SELECTOR = "0x" + function_signature_to_4byte_selector("donate(uint256)").hex()


@dataclass(frozen=True, slots=True)
class DonatedLog:
    contract: str
    request_id: int
    donor: str
    currency: str
    amount: int
    donor_total: int
    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int


def donate_calldata(request_id: int = GENERAL_FUND) -> str:
    """`donate(requestId)`: the native value travels as the transaction's value."""
    if not 0 <= request_id <= UINT256_MAX:
        raise ValueError(f"request id out of uint256 range: {request_id}")
    return DONATE_SELECTOR + f"{request_id:064x}"


def decode_donated(log: dict[str, Any]) -> DonatedLog:
    """Decode one raw JSON-RPC `Donated` log; addresses and hashes come back lowercase."""
    topics = log["topics"]
    data: str = log["data"]
    if len(topics) != 4 or topics[0] != DONATED_TOPIC or len(data) != 2 + 128:
        raise LogDecodeError(f"not a Donated log: topics={topics} data={data[:20]}…")
    return DonatedLog(
        contract=log["address"].lower(),
        request_id=int(topics[1], 16),
        donor="0x" + topics[2][-40:].lower(),
        currency="0x" + topics[3][-40:].lower(),
        amount=int(data[2:66], 16),
        donor_total=int(data[66:130], 16),
        block_number=int(log["blockNumber"], 16),
        block_hash=log["blockHash"].lower(),
        tx_hash=log["transactionHash"].lower(),
        log_index=int(log["logIndex"], 16),
    )
