"""The indexer's log decoder in C (impactchain/_decoder.c): what impactchain/events.py uses of it."""

from collections.abc import Callable, Sequence
from typing import Any

from impactchain.events import EventDecoder, EventLog, HandRead, LogRef, RawLog

class Reader:
    """Reads a log (its topics, its data) of one hand-read event into its arguments."""

    def __init__(self, name: str, topics: int, words: int, static: bool, fields: Sequence[HandRead]) -> None: ...
    def __call__(self, topics: list[str], data: str, /) -> dict[str, Any]: ...

def copy_events(
    chain_id: int, events: Sequence[EventLog], names: Sequence[str], dumps: Callable[[Any], bytes], /
) -> bytes: ...
def copy_plain(records: Sequence[tuple[object, ...]], width: int, /) -> bytes | None: ...
def decode_known(decoder: EventDecoder, log: RawLog, /) -> EventLog | None: ...
def bind(
    raw_log: type[RawLog],
    event_log: type[EventLog],
    log_ref: type[LogRef],
    log_decode_error: type[ValueError],
    storable_text: Callable[[str], str],
    checksum: Callable[[bytes], str],
    /,
) -> None: ...
def made_directly() -> dict[str, bool]: ...
