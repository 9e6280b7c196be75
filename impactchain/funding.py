"""Typed access to funding rounds' events: FundingRoundFactory's `RoundCreated` (how new rounds
are discovered) and each round's `Donated`, decoded from raw JSON-RPC logs.

`Donated` is on the indexer's hot path and is sliced by hand like HelpDesk's (see
impactchain/helpdesk.py); `RoundCreated` is rare and carries a string, so it goes through eth_abi.
"""

from dataclasses import dataclass
from typing import Any

from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak

from impactchain.helpdesk import LogDecodeError

ROUND_CREATED_SIGNATURE = "RoundCreated(address,address,bytes32,string,uint256,uint64,uint256,uint256,address)"
ROUND_CREATED_TOPIC = "0x" + keccak(text=ROUND_CREATED_SIGNATURE).hex()
ROUND_DONATED_SIGNATURE = "Donated(address,address,uint256,uint256,uint256)"
ROUND_DONATED_TOPIC = "0x" + keccak(text=ROUND_DONATED_SIGNATURE).hex()
# The CID is a `string`; read as `bytes` (the same encoding) so that bytes which are not UTF-8
# are replaced instead of failing the decode.
_ROUND_CREATED_DATA = ("bytes", "uint256", "uint64", "uint256", "uint256", "address")


@dataclass(frozen=True, slots=True)
class LogRef:
    """Where a log sits: its block, transaction and index."""

    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int


@dataclass(frozen=True, slots=True)
class RoundCreatedLog:
    factory: str
    address: str
    founder: str
    salt: str
    metadata_cid: str
    goal: int
    deadline: int
    milestones: int
    round_index: int
    implementation: str
    ref: LogRef

    @property
    def block_number(self) -> int:
        return self.ref.block_number

    @property
    def block_hash(self) -> str:
        return self.ref.block_hash


@dataclass(frozen=True, slots=True)
class RoundDonatedLog:
    round: str
    donor: str
    currency: str
    amount: int
    matic_equivalent: int
    donor_total: int
    ref: LogRef

    @property
    def block_number(self) -> int:
        return self.ref.block_number

    @property
    def block_hash(self) -> str:
        return self.ref.block_hash


def decode_round_created(log: dict[str, Any]) -> RoundCreatedLog:
    """Decode one raw `RoundCreated` log; addresses and hashes come back lowercase."""
    topics = log["topics"]
    if len(topics) != 4 or topics[0] != ROUND_CREATED_TOPIC:
        raise LogDecodeError(f"not a RoundCreated log: topics={topics}")
    try:
        cid, goal, deadline, milestones, round_index, implementation = decode(
            _ROUND_CREATED_DATA, bytes.fromhex(log["data"][2:])
        )
    except (DecodingError, ValueError) as exc:
        raise LogDecodeError(f"RoundCreated data does not decode: {exc}") from None
    return RoundCreatedLog(
        factory=log["address"].lower(),
        address=_topic_address(topics[1]),
        founder=_topic_address(topics[2]),
        salt=topics[3].lower(),
        metadata_cid=storable_text(cid.decode("utf-8", errors="replace")),
        goal=goal,
        deadline=deadline,
        milestones=milestones,
        round_index=round_index,
        implementation=implementation.lower(),
        ref=_log_ref(log),
    )


def decode_round_donated(log: dict[str, Any]) -> RoundDonatedLog:
    """Decode one raw FundingRound `Donated` log; addresses and hashes come back lowercase."""
    topics = log["topics"]
    data: str = log["data"]
    if len(topics) != 3 or topics[0] != ROUND_DONATED_TOPIC or len(data) != 2 + 192:
        raise LogDecodeError(f"not a FundingRound Donated log: topics={topics} data={data[:20]}…")
    return RoundDonatedLog(
        round=log["address"].lower(),
        donor=_topic_address(topics[1]),
        currency=_topic_address(topics[2]),
        amount=int(data[2:66], 16),
        matic_equivalent=int(data[66:130], 16),
        donor_total=int(data[130:194], 16),
        ref=_log_ref(log),
    )


def storable_text(value: str) -> str:
    """A string from the chain as PostgreSQL can store it: NUL is the one character TEXT refuses,
    and anyone can put one in a string argument, so it becomes U+FFFD (as undecodable bytes do)."""
    return value.replace("\x00", "\ufffd")


def _topic_address(topic: str) -> str:
    return "0x" + topic[-40:].lower()


def _log_ref(log: dict[str, Any]) -> LogRef:
    return LogRef(
        block_number=int(log["blockNumber"], 16),
        block_hash=log["blockHash"].lower(),
        tx_hash=log["transactionHash"].lower(),
        log_index=int(log["logIndex"], 16),
    )
