"""Raw JSON-RPC logs decoded into JSON-ready events, for any contract whose ABI is known.

Arguments lose nothing on the way to JSON and PostgreSQL: integers become decimal strings (a
uint256 does not fit a JSON number), addresses are checksummed, bytes are 0x-hex, and strings are
made storable whatever bytes a caller put in them.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import msgspec
from cchecksum import to_checksum_address as fast_checksum
from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak, to_checksum_address

try:
    from impactchain import _decoder
except ImportError as exc:  # a checkout whose extension was never built
    raise ImportError(
        "impactchain._decoder (impactchain/_decoder.c) is not built: `make install` builds it, or "
        "`python setup.py build_ext --inplace` in the checkout"
    ) from exc


class LogDecodeError(ValueError):
    """A log does not have the shape of the event it claims to be."""


class RawLog(msgspec.Struct, rename="camel", gc=False):
    """A log as `eth_getLogs` serves it (hex strings), the fields the indexer reads: decoded by
    msgspec straight from the node's JSON (the others, such as `transactionIndex`, skipped)."""

    address: str
    topics: list[str]
    data: str
    block_number: str
    block_hash: str
    transaction_hash: str
    log_index: str
    removed: bool = False


# LogRef and EventLog are made once per log (a million in a backfill) and never changed; they are
# not frozen because a frozen dataclass's __init__ costs five times as much (object.__setattr__ per
# field): ~3 µs of every log's ~20 µs in the indexer.
@dataclass(slots=True)
class LogRef:
    """Where a log sits: its block, transaction and index."""

    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int


class AtLog:
    """A decoded log's block, from its `ref` (what the indexer engine checks against the chain)."""

    __slots__ = ()
    ref: LogRef

    @property
    def block_number(self) -> int:
        return self.ref.block_number

    @property
    def block_hash(self) -> str:
        return self.ref.block_hash


@dataclass(slots=True)
class EventLog(AtLog):
    """One decoded event of `contract`: its name and its arguments as JSON values."""

    contract: str
    event: str
    args: dict[str, Any]
    ref: LogRef


class EventDecoder:
    """Decodes the events of a contract ABI, except those in `skip`, from raw logs.

    Each event is planned once: an event whose arguments are static words (address, integer,
    bool, bytesN, or a topic) and plain strings and bytes is read by a compiled reader (see
    `_EventPlan`); only events with arrays or structs in their data go through eth_abi.
    """

    def __init__(self, abi: Iterable[Mapping[str, Any]], skip: Sequence[str] = ()) -> None:
        self._events: dict[str, _EventPlan] = {}
        for entry in abi:
            if entry.get("type") == "event" and entry["name"] not in skip and not entry.get("anonymous"):
                self._events[event_topic(entry)] = _EventPlan(entry)
        # topic0 → (event name, reader): what `decode_known` (in C) looks a log up in.
        self._readers = {topic: plan.reader for topic, plan in self._events.items()}

    @property
    def topics(self) -> list[str]:
        return list(self._events)

    def decode(self, log: RawLog) -> tuple[str, dict[str, Any]]:
        """The event's name and arguments; `LogDecodeError` when the log is not one of them."""
        topics = log.topics
        reader = self.reader(topics[0]) if topics else None
        if reader is None:
            raise LogDecodeError(f"no event of this ABI has topic {topics[:1]}")
        return reader[0], reader[1](topics, log.data)

    def reader(self, topic0: str) -> "tuple[str, Callable[[list[str], str], dict[str, Any]]] | None":
        """The name of the event `topic0` names and the function that reads a log of it (its
        topics, its data) into its arguments, raising `LogDecodeError`; None if the ABI has no
        such event."""
        return self._readers.get(topic0)

    def plan(self, topic0: str) -> "_EventPlan | None":
        """How the event `topic0` names is decoded (for tests that hold it against a reference)."""
        return self._events.get(topic0)


# Where a hand-read argument comes from: a topic (1-based) or a data head word (0-based), the
# word itself or (a string or bytes) the tail it points at.
_TOPIC, _WORD, _TAIL = 0, 1, 2


class HandRead(NamedTuple):
    """One argument a compiled reader reads: its name, where it is (`source`, `at`), its ABI type,
    and the Python reader it falls back on for a word of any shape but a node's (a short topic,
    digits that are not hex), whose answer is then the compiled reader's."""

    name: str
    source: int
    at: int
    type: str
    read: Callable[..., Any]


class _EventPlan:
    """How to decode one event. Arguments that are static words (address, integer, bool, bytesN,
    any topic) or plain strings and bytes (a head word pointing at length + bytes) are read by
    a compiled reader (impactchain/_decoder.c), straight into a dict in the ABI's order; events
    with arrays or structs in their data go through eth_abi."""

    def __init__(self, entry: Mapping[str, Any]) -> None:
        self.name: str = entry["name"]
        self._order = [i["name"] for i in entry["inputs"]]
        self.topics = 1 + sum(1 for i in entry["inputs"] if i["indexed"])
        self._plain = [i for i in entry["inputs"] if not i["indexed"]]
        self._types = [_abi_type(i, wire=True) for i in self._plain]
        # A hand-read log's data is exactly `words` words when `static`, else at least those head words.
        self.static = all(_word_reader(i["type"]) for i in self._plain)
        topics = iter(self._topic_fields(entry))
        fields: list[HandRead] = []
        word = 0
        for item in entry["inputs"]:
            if item["indexed"]:
                fields.append(next(topics))
            elif (reader := _word_reader(item["type"])) is not None:
                fields.append(HandRead(item["name"], _WORD, word, item["type"], reader))
                word += 1
            elif (tail := _tail_reader(item["type"])) is not None:
                fields.append(HandRead(item["name"], _TAIL, word, item["type"], tail))
                word += 1
            else:
                fields = []
                break
        self.fields = fields if len(fields) == len(self._order) else None
        self.words = word
        self._indexed = [(item.name, item.at, item.read) for item in self._topic_fields(entry)]
        read: Callable[[list[str], str], dict[str, Any]] = (
            self._decode_abi
            if self.fields is None
            else _decoder.Reader(self.name, self.topics, self.words, self.static, self.fields)
        )
        self.reader = (self.name, read)

    @staticmethod
    def _topic_fields(entry: Mapping[str, Any]) -> list[HandRead]:
        fields = []
        for topic, item in enumerate((i for i in entry["inputs"] if i["indexed"]), start=1):
            # A topic is always one word: dynamic values are indexed by their hash (bytes32).
            kind = _topic_item(item)["type"]
            reader = _word_reader(kind)
            assert reader is not None
            fields.append(HandRead(item["name"], _TOPIC, topic, kind, reader))
        return fields

    def _decode_abi(self, topics: list[str], data: str) -> dict[str, Any]:
        if len(topics) != self.topics:
            raise LogDecodeError(f"{self.name} has {self.topics - 1} indexed arguments, the log {len(topics) - 1}")
        try:
            args = {name: read(topics[at][2:]) for name, at, read in self._indexed}
            values = decode(self._types, bytes.fromhex(data[2:]))
            args.update((i["name"], _json_value(i, v)) for i, v in zip(self._plain, values, strict=True))
        except (DecodingError, ValueError, TypeError) as exc:
            raise LogDecodeError(f"{self.name} does not decode: {exc}") from None
        return {name: args[name] for name in self._order}


def _tail_reader(kind: str) -> Callable[[str, int], Any] | None:
    """How to read a `string` or `bytes` argument from its offset (in bytes) into `data`; None for
    other dynamic types (arrays, structs), which eth_abi decodes."""
    if kind not in ("string", "bytes"):
        return None

    def read(data: str, offset: int) -> Any:
        start = 2 + 2 * offset
        if offset % 32 or start + 64 > len(data):
            raise ValueError(f"offset {offset} outside the data")
        length = int(data[start : start + 64], 16)
        end = start + 64 + 2 * length
        if end > len(data):
            raise ValueError(f"{length} bytes at offset {offset} overrun the data")
        raw = bytes.fromhex(data[start + 64 : end])
        return storable_text(raw.decode("utf-8", errors="replace")) if kind == "string" else "0x" + raw.hex()

    return read


def decode_event(decoder: EventDecoder, log: RawLog) -> EventLog:
    event = decode_known(decoder, log)
    if event is None:
        raise LogDecodeError(f"no event of this ABI has topic {log.topics[:1]}")
    return event


# `log` decoded (an EventLog), or None when it names no event of the decoder's ABI (no topic, or
# another's). In C, with the hand-read events' readers: 2.1 µs a log of the platform's mix where
# the Python readers took 4.7 (bench/decode.py).
decode_known = _decoder.decode_known
# The event store's rows of events (`copy_events(chain_id, events, names, orjson.dumps)`, names[i]
# the contract name of events[i]) as one COPY payload in the binary format: chain_id, contract,
# contract_name, event, args (jsonb), block_number, block_hash, tx_hash, log_index (int4). The
# arguments' JSON is written in C where they are str, bool, None or int values (a hand-read
# event's), by `dumps` for any other shape.
copy_events = _decoder.copy_events
# Records of ints and strs with nothing to escape in COPY's text format (`copy_plain(records,
# width)`), or None if a value is of another kind or needs escaping.
copy_plain = _decoder.copy_plain


def storable_text(value: str) -> str:
    """A string from the chain as PostgreSQL can store it: NUL is the one character TEXT refuses,
    and anyone can put one in a string argument, so it becomes U+FFFD (as undecodable bytes do)."""
    return value.replace("\x00", "\ufffd")


def event_topic(entry: Mapping[str, Any]) -> str:
    """An event's topic0: the keccak hash of its signature, as a node serves it (0x-hex)."""
    return "0x" + keccak(text=f"{entry['name']}({','.join(_abi_type(i) for i in entry['inputs'])})").hex()


def _abi_type(item: Mapping[str, Any], wire: bool = False) -> str:
    """The canonical type of an ABI item (a struct as its components' tuple). With `wire`, strings
    are read as bytes (the same encoding), so bytes that are not UTF-8 are replaced instead of
    failing the decode: anyone can choose the string a contract emits for them."""
    kind: str = item["type"]
    if kind.startswith("tuple"):
        inner = ",".join(_abi_type(component, wire) for component in item["components"])
        return f"({inner}){kind.removeprefix('tuple')}"
    return kind.replace("string", "bytes") if wire else kind


def _topic_item(item: Mapping[str, Any]) -> Mapping[str, Any]:
    # An indexed string, bytes, array or struct is stored as the keccak hash of its encoding.
    kind: str = item["type"]
    dynamic = kind in ("string", "bytes") or kind.endswith("]") or kind.startswith("tuple")
    return {"name": item["name"], "type": "bytes32"} if dynamic else item


@lru_cache(maxsize=65_536)
def _address_word(word: str) -> str:
    """The address a word holds (its last 40 hex digits), checksummed in C; cached by the word:
    addresses repeat (donors, tokens, contracts). Given to cchecksum as bytes: its str path (0.4.6)
    reads a copy it has freed (AddressSanitizer shows it; pymalloc happens to leave it intact)."""
    return fast_checksum(bytes.fromhex(word[-40:]))


def _uint_word(word: str) -> str:
    return str(int(word, 16))


def _word_reader(kind: str) -> Callable[[str], Any] | None:
    """How to read one static 32-byte word (64 hex digits) of `kind` as JSON; None if not static."""
    if kind.endswith("]"):  # an array, even of words (uint256[] is not a uint): eth_abi's
        return None
    if kind == "address":
        return _address_word
    if kind.startswith("uint"):
        return _uint_word
    if kind.startswith("int"):
        return lambda word: str(int(word, 16) - (1 << 256) if word[0] in "89abcdefABCDEF" else int(word, 16))
    if kind == "bool":
        return lambda word: int(word, 16) != 0
    if kind.startswith("bytes") and kind != "bytes":
        size = int(kind.removeprefix("bytes"))
        return lambda word: "0x" + word[: 2 * size].lower()
    return None


def _json_value(item: Mapping[str, Any], value: Any) -> Any:
    kind: str = item["type"]
    if kind.endswith("]"):
        element = {**item, "type": kind[: kind.rindex("[")]}
        return [_json_value(element, entry) for entry in value]
    if kind == "tuple":
        return {c["name"]: _json_value(c, entry) for c, entry in zip(item["components"], value, strict=True)}
    if kind == "address":
        return to_checksum_address(value)
    if kind.startswith(("uint", "int")):
        return str(value)
    if kind == "string":
        return storable_text(value.decode("utf-8", errors="replace"))
    if kind.startswith("bytes"):
        return "0x" + bytes(value).hex()
    return value


def topic_address(topic: str) -> str:
    return "0x" + topic[-40:].lower()


def log_ref(log: Mapping[str, Any]) -> LogRef:
    return LogRef(
        int(log["blockNumber"], 16), log["blockHash"].lower(), log["transactionHash"].lower(), int(log["logIndex"], 16)
    )


_decoder.bind(RawLog, EventLog, LogRef, LogDecodeError, storable_text, fast_checksum)
