"""The log decoder as it was in Python, kept as the reference the compiled one (impactchain/_decoder.c)
is held against, by the property tests and by bench/decode.py.

`python_readers` builds, per hand-read event, the function that checks a log's shape and reads its
arguments, each slice written out (source built from numbers and repr'd names, then exec'd); events
that go through eth_abi keep the decoder's own reader.
"""

from collections.abc import Callable, Sequence
from typing import Any

from impactchain.events import (
    _TAIL,
    _TOPIC,
    EventDecoder,
    EventLog,
    HandRead,
    LogDecodeError,
    LogRef,
    RawLog,
    _address_word,
    _uint_word,
)

Read = Callable[[list[str], str], dict[str, Any]]


def python_readers(decoder: EventDecoder) -> dict[str, tuple[str, Read]]:
    """topic0 → (event name, Python reader), for every event of `decoder`."""
    readers: dict[str, tuple[str, Read]] = {}
    for topic in decoder.topics:
        plan = decoder.plan(topic)
        assert plan is not None
        read = (
            plan.reader[1]
            if plan.fields is None
            else python_reader(plan.name, plan.topics, plan.words, plan.static, plan.fields)
        )
        readers[topic] = (plan.name, read)
    return readers


def python_decode_known(readers: dict[str, tuple[str, Read]], log: RawLog) -> EventLog | None:
    """`impactchain.events.decode_known` as it was in Python, over `python_readers`."""
    topics = log.topics
    reader = readers.get(topics[0]) if topics else None
    if reader is None:
        return None
    return EventLog(log.address.lower(), reader[0], reader[1](topics, log.data), raw_ref(log))


def raw_ref(log: RawLog) -> LogRef:
    return LogRef(
        int(log.block_number, 16), log.block_hash.lower(), log.transaction_hash.lower(), int(log.log_index, 16)
    )


def python_reader(name: str, topics: int, words: int, static: bool, fields: Sequence[HandRead]) -> Read:
    """One function that checks a log's shape and reads every hand-read argument of its event
    straight into its dict. Integers and addresses are read inline; other readers are called."""
    namespace: dict[str, Any] = {
        "address_word": _address_word,
        "LogDecodeError": LogDecodeError,
        "NAME": name,
        "TOPICS": f"{name} has {topics - 1} indexed arguments, the log {{}}",
        "WORDS": f"{words} words expected, got {{}}",
        "HEAD": f"{{}} hex digits of data for {words} head words",
    }
    items = []
    for number, field in enumerate(fields):
        namespace[f"read_{number}"] = field.read
        at = field.at
        if field.source == _TAIL:
            items.append(f"{field.name!r}: read_{number}(data, int(data[{2 + 64 * at}:{66 + 64 * at}], 16))")
            continue
        word = f"topics[{at}]" if field.source == _TOPIC else f"data[{2 + 64 * at}:{66 + 64 * at}]"
        if field.read is _uint_word:
            value = f"str(int({word}, 16))"
        elif field.read is _address_word:
            value = f"address_word({word})"
        else:
            value = f"read_{number}({word}[-64:])"
        items.append(f"{field.name!r}: {value}")
    size = 64 * words
    if static:
        size_check = f"if size != {size}: raise ValueError(WORDS.format(size / 64))"
    else:
        size_check = f"if size % 64 or size < {size}: raise ValueError(HEAD.format(size))"
    source = (
        "def read(topics, data):\n"
        f"    if len(topics) != {topics}:\n"
        "        raise LogDecodeError(TOPICS.format(len(topics) - 1))\n"
        "    try:\n"
        "        size = len(data) - 2\n"
        f"        {size_check}\n"
        f"        return {{{', '.join(items)}}}\n"
        "    except (ValueError, TypeError) as exc:\n"
        "        raise LogDecodeError(f'{NAME} does not decode: {exc}') from None\n"
    )
    exec(source, namespace)  # noqa: S102 - the source is built above from numbers and repr'd names
    function: Read = namespace["read"]
    return function
