"""Raw JSON-RPC logs decoded into JSON-ready events, for any contract whose ABI is known.

Arguments lose nothing on the way to JSON and PostgreSQL: integers become decimal strings (a
uint256 does not fit a JSON number), addresses are checksummed, bytes are 0x-hex, and strings are
made storable whatever bytes a caller put in them.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import msgspec
from cchecksum import to_checksum_address as fast_checksum
from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak, to_checksum_address


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

    Each event is planned once: a static argument (address, integer, bool, bytesN, or a topic)
    is one 32-byte word and is sliced by hand; only events with dynamic data (strings, bytes,
    arrays, structs) go through eth_abi. Addresses repeat (donors, tokens, contracts), so their
    checksums are cached.
    """

    def __init__(self, abi: Iterable[Mapping[str, Any]], skip: Sequence[str] = ()) -> None:
        self._events: dict[str, _EventPlan] = {}
        for entry in abi:
            if entry.get("type") == "event" and entry["name"] not in skip and not entry.get("anonymous"):
                signature = f"{entry['name']}({','.join(_abi_type(i) for i in entry['inputs'])})"
                self._events["0x" + keccak(text=signature).hex()] = _EventPlan(entry)

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
        plan = self._events.get(topic0)
        return None if plan is None else plan.reader


# Where a hand-read argument comes from: a topic (1-based) or a data head word (0-based).
_TOPIC, _WORD, _TAIL = 0, 1, 2


class _EventPlan:
    """How to decode one event. Arguments that are static words (address, integer, bool, bytesN,
    any topic) or plain strings and bytes (a head word pointing at length + bytes) are read by
    hand, straight into a dict in the ABI's order; events with arrays or structs in their data
    go through eth_abi."""

    def __init__(self, entry: Mapping[str, Any]) -> None:
        self.name: str = entry["name"]
        self._order = [i["name"] for i in entry["inputs"]]
        self._topics = 1 + sum(1 for i in entry["inputs"] if i["indexed"])
        self._plain = [i for i in entry["inputs"] if not i["indexed"]]
        self._types = [_abi_type(i, wire=True) for i in self._plain]
        self._static = all(_word_reader(i["type"]) for i in self._plain)
        topics = iter(self._topic_fields(entry))
        fields: list[tuple[str, int, int, Callable[..., Any]]] = []
        word = 0
        for item in entry["inputs"]:
            if item["indexed"]:
                fields.append(next(topics))
            elif (reader := _word_reader(item["type"])) is not None:
                fields.append((item["name"], _WORD, word, reader))
                word += 1
            elif (tail := _tail_reader(item["type"])) is not None:
                fields.append((item["name"], _TAIL, word, tail))
                word += 1
            else:
                fields = []
                break
        self._fields = fields if len(fields) == len(self._order) else None
        self._words = word
        self._indexed = [(item[0], item[2], item[3]) for item in self._topic_fields(entry)]
        checks = _Checks(self.name, self._topics, self._words, self._static)
        read = self._decode_abi if self._fields is None else _compiled_reader(self._fields, checks)
        self.reader = (self.name, read)

    @staticmethod
    def _topic_fields(entry: Mapping[str, Any]) -> list[tuple[str, int, int, Callable[..., Any]]]:
        fields = []
        for topic, item in enumerate((i for i in entry["inputs"] if i["indexed"]), start=1):
            # A topic is always one word: dynamic values are indexed by their hash (bytes32).
            reader = _word_reader(_topic_item(item)["type"])
            assert reader is not None
            fields.append((item["name"], _TOPIC, topic, reader))
        return fields

    def _decode_abi(self, topics: list[str], data: str) -> dict[str, Any]:
        if len(topics) != self._topics:
            raise LogDecodeError(f"{self.name} has {self._topics - 1} indexed arguments, the log {len(topics) - 1}")
        try:
            args = {name: read(topics[at][2:]) for name, at, read in self._indexed}
            values = decode(self._types, bytes.fromhex(data[2:]))
            args.update((i["name"], _json_value(i, v)) for i, v in zip(self._plain, values, strict=True))
        except (DecodingError, ValueError, TypeError) as exc:
            raise LogDecodeError(f"{self.name} does not decode: {exc}") from None
        return {name: args[name] for name in self._order}


@dataclass(frozen=True, slots=True)
class _Checks:
    """What a hand-read event's log must be: `topics` topics (topic0 included) and, in data,
    exactly `words` words when `static`, else at least those head words."""

    name: str
    topics: int
    words: int
    static: bool


def _compiled_reader(
    fields: Sequence[tuple[str, int, int, Callable[..., Any]]], checks: _Checks
) -> Callable[[list[str], str], dict[str, Any]]:
    """One function that checks a log's shape (`checks`) and reads every hand-read argument of its
    event straight into its dict, each slice written out: half the time of a loop over the
    fields, and a third less again than checks and reads in separate calls (a million logs in a
    backfill). Integers and addresses, nearly every argument, are read inline (`int` takes a
    topic's `0x`, an address is cached by the word that holds it); other readers are called. Only
    numbers (counts, offsets) and the argument names (as repr'd string literals) go into its
    source; the event's name and the readers are passed in."""
    readers: dict[str, Any] = {
        "address_word": _address_word,
        "LogDecodeError": LogDecodeError,
        "NAME": checks.name,
        "TOPICS": f"{checks.name} has {checks.topics - 1} indexed arguments, the log {{}}",
        "WORDS": f"{checks.words} words expected, got {{}}",
        "HEAD": f"{{}} hex digits of data for {checks.words} head words",
    }
    items = []
    for number, (name, kind, at, read) in enumerate(fields):
        readers[f"read_{number}"] = read
        if kind == _TAIL:
            items.append(f"{name!r}: read_{number}(data, int(data[{2 + 64 * at}:{66 + 64 * at}], 16))")
            continue
        word = f"topics[{at}]" if kind == _TOPIC else f"data[{2 + 64 * at}:{66 + 64 * at}]"
        if read is _uint_word:
            value = f"str(int({word}, 16))"
        elif read is _address_word:
            value = f"address_word({word})"
        else:
            value = f"read_{number}({word}[-64:])"
        items.append(f"{name!r}: {value}")
    size = 64 * checks.words
    if checks.static:
        size_check = f"if size != {size}: raise ValueError(WORDS.format(size / 64))"
    else:
        size_check = f"if size % 64 or size < {size}: raise ValueError(HEAD.format(size))"
    source = (
        "def read(topics, data):\n"
        f"    if len(topics) != {checks.topics}:\n"
        "        raise LogDecodeError(TOPICS.format(len(topics) - 1))\n"
        "    try:\n"
        "        size = len(data) - 2\n"
        f"        {size_check}\n"
        f"        return {{{', '.join(items)}}}\n"
        "    except (ValueError, TypeError) as exc:\n"
        "        raise LogDecodeError(f'{NAME} does not decode: {exc}') from None\n"
    )
    exec(source, readers)  # noqa: S102 - the source is built above from numbers and repr'd names
    function: Callable[[list[str], str], dict[str, Any]] = readers["read"]
    return function


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


def decode_known(decoder: EventDecoder, log: RawLog) -> EventLog | None:
    """`log` decoded, or None when it names no event of the decoder's ABI (no topic, or another's)."""
    topics = log.topics
    reader = decoder.reader(topics[0]) if topics else None
    if reader is None:
        return None
    return EventLog(log.address.lower(), reader[0], reader[1](topics, log.data), raw_ref(log))


def raw_ref(log: RawLog) -> LogRef:
    # Positional: keywords cost a third more, a million times in a backfill.
    return LogRef(
        int(log.block_number, 16), log.block_hash.lower(), log.transaction_hash.lower(), int(log.log_index, 16)
    )


def storable_text(value: str) -> str:
    """A string from the chain as PostgreSQL can store it: NUL is the one character TEXT refuses,
    and anyone can put one in a string argument, so it becomes U+FFFD (as undecodable bytes do)."""
    return value.replace("\x00", "\ufffd")


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
    addresses repeat (donors, tokens, contracts)."""
    return fast_checksum("0x" + word[-40:].lower())


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
