"""Typed access to funding rounds' events: FundingRoundFactory's `RoundCreated` (how new rounds
are discovered), each round's `Donated`, and the rest of a round's life (finalize, milestones,
payouts, refunds, carbon offsets), decoded from raw JSON-RPC logs.

`Donated` is on the indexer's hot path and is sliced by hand like HelpDesk's (see
impactchain/helpdesk.py); `RoundCreated` is rare and carries a string, so it goes through eth_abi;
the other round events are decoded from the round's ABI into JSON-ready arguments.
"""

from dataclasses import dataclass
from typing import Any

from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak

from impactchain.events import AtLog, LogDecodeError, LogRef, log_ref, storable_text, topic_address

ROUND_CREATED_SIGNATURE = "RoundCreated(address,address,bytes32,string,uint256,uint64,uint256,uint256,address)"
ROUND_CREATED_TOPIC = "0x" + keccak(text=ROUND_CREATED_SIGNATURE).hex()
ROUND_DONATED_SIGNATURE = "Donated(address,address,uint256,uint256,uint256)"
ROUND_DONATED_TOPIC = "0x" + keccak(text=ROUND_DONATED_SIGNATURE).hex()
# The CID is a `string`; read as `bytes` (the same encoding) so that bytes which are not UTF-8
# are replaced instead of failing the decode.
_ROUND_CREATED_DATA = ("bytes", "uint256", "uint64", "uint256", "uint256", "address")


@dataclass(frozen=True, slots=True)
class RoundCreatedLog(AtLog):
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


@dataclass(frozen=True, slots=True)
class RoundDonatedLog(AtLog):
    round: str
    donor: str
    currency: str
    amount: int
    matic_equivalent: int
    donor_total: int
    ref: LogRef


# FundingRound.Status, in the enum's order (IFundingRound.sol).
ROUND_STATUSES = ("Funding", "Succeeded", "Failed", "Settled", "Cancelled")


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
        address=topic_address(topics[1]),
        founder=topic_address(topics[2]),
        salt=topics[3].lower(),
        metadata_cid=storable_text(cid.decode("utf-8", errors="replace")),
        goal=goal,
        deadline=deadline,
        milestones=milestones,
        round_index=round_index,
        implementation=implementation.lower(),
        ref=log_ref(log),
    )


def decode_round_donated(log: dict[str, Any]) -> RoundDonatedLog:
    """Decode one raw FundingRound `Donated` log; addresses and hashes come back lowercase."""
    topics = log["topics"]
    data: str = log["data"]
    if len(topics) != 3 or topics[0] != ROUND_DONATED_TOPIC or len(data) != 2 + 192:
        raise LogDecodeError(f"not a FundingRound Donated log: topics={topics} data={data[:20]}…")
    return RoundDonatedLog(
        round=log["address"].lower(),
        donor=topic_address(topics[1]),
        currency=topic_address(topics[2]),
        amount=int(data[2:66], 16),
        matic_equivalent=int(data[66:130], 16),
        donor_total=int(data[130:194], 16),
        ref=log_ref(log),
    )
