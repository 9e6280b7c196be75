"""Typed access to funding rounds' events: FundingRoundFactory's `RoundCreated` (how new rounds
are discovered), each round's `Donated`, and the rest of a round's life (finalize, milestones,
payouts, refunds, carbon offsets), decoded from raw JSON-RPC logs.

`Donated` is on the indexer's hot path and is sliced by hand like HelpDesk's (see
impactchain/helpdesk.py); `RoundCreated` is rare and carries a string, so it goes through eth_abi;
the other round events are decoded from the round's ABI into JSON-ready arguments.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak, to_checksum_address

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


@dataclass(frozen=True, slots=True)
class RoundEventLog:
    """Any other event of a round: its name and its arguments as JSON values (see `EventDecoder`)."""

    round: str
    event: str
    args: dict[str, Any]
    ref: LogRef

    @property
    def block_number(self) -> int:
        return self.ref.block_number

    @property
    def block_hash(self) -> str:
        return self.ref.block_hash


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


class EventDecoder:
    """Decodes the events of a contract ABI, except those in `skip`, from raw logs.

    Arguments come back as JSON values that lose nothing: integers as decimal strings (a uint256
    does not fit a JSON number), addresses checksummed, bytes as 0x-hex, strings storable.
    """

    def __init__(self, abi: Iterable[Mapping[str, Any]], skip: Sequence[str] = ()) -> None:
        self._events: dict[str, Mapping[str, Any]] = {}
        for entry in abi:
            if entry.get("type") == "event" and entry["name"] not in skip and not entry.get("anonymous"):
                signature = f"{entry['name']}({','.join(_canonical(i) for i in entry['inputs'])})"
                self._events["0x" + keccak(text=signature).hex()] = entry

    @property
    def topics(self) -> list[str]:
        return list(self._events)

    def decode(self, log: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The event's name and arguments; `LogDecodeError` when the log is not one of them."""
        topics = log["topics"]
        entry = self._events.get(topics[0]) if topics else None
        if entry is None:
            raise LogDecodeError(f"no event of this ABI has topic {topics[:1]}")
        indexed = [i for i in entry["inputs"] if i["indexed"]]
        plain = [i for i in entry["inputs"] if not i["indexed"]]
        if len(topics) != 1 + len(indexed):
            raise LogDecodeError(f"{entry['name']} has {len(indexed)} indexed arguments, the log {len(topics) - 1}")
        try:
            args = {
                i["name"]: _json_value(kind, decode([kind], bytes.fromhex(topic[2:]))[0])
                for i, topic in zip(indexed, topics[1:], strict=True)
                for kind in [_topic_type(i["type"])]
            }
            kinds = [_wire_type(i["type"]) for i in plain]
            data = decode(kinds, bytes.fromhex(log["data"][2:]))
        except (DecodingError, ValueError) as exc:
            raise LogDecodeError(f"{entry['name']} does not decode: {exc}") from None
        args.update((i["name"], _json_value(i["type"], value)) for i, value in zip(plain, data, strict=True))
        return entry["name"], {i["name"]: args[i["name"]] for i in entry["inputs"]}


def decode_round_event(decoder: EventDecoder, log: dict[str, Any]) -> RoundEventLog:
    event, args = decoder.decode(log)
    return RoundEventLog(round=log["address"].lower(), event=event, args=args, ref=_log_ref(log))


def storable_text(value: str) -> str:
    """A string from the chain as PostgreSQL can store it: NUL is the one character TEXT refuses,
    and anyone can put one in a string argument, so it becomes U+FFFD (as undecodable bytes do)."""
    return value.replace("\x00", "\ufffd")


def _canonical(item: Mapping[str, Any]) -> str:
    kind: str = item["type"]
    if kind.startswith("tuple"):
        raise LogDecodeError("struct event arguments are not supported")
    return kind


def _wire_type(kind: str) -> str:
    # A string is read as bytes (the same encoding), so bytes that are not UTF-8 are replaced
    # instead of failing the decode: anyone who calls a round can choose a string argument.
    return kind.replace("string", "bytes")


def _topic_type(kind: str) -> str:
    # An indexed string, bytes or array is stored as the keccak hash of its encoding.
    return "bytes32" if kind in ("string", "bytes") or kind.endswith("]") else kind


def _json_value(kind: str, value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_json_value(kind[: kind.rindex("[")], item) for item in value]
    if kind == "address":
        return to_checksum_address(value)
    if kind.startswith(("uint", "int")):
        return str(value)
    if kind == "string":
        return storable_text(value.decode("utf-8", errors="replace"))
    if kind.startswith("bytes"):
        return "0x" + bytes(value).hex()
    return value


def _topic_address(topic: str) -> str:
    return "0x" + topic[-40:].lower()


def _log_ref(log: dict[str, Any]) -> LogRef:
    return LogRef(
        block_number=int(log["blockNumber"], 16),
        block_hash=log["blockHash"].lower(),
        tx_hash=log["transactionHash"].lower(),
        log_index=int(log["logIndex"], 16),
    )
