"""Rules for reading platform events: which contract, which event, which arguments, which page."""

import re
from typing import Any

import asyncpg
import msgspec

from api.events.repository import EventRepository
from api.kit.addresses import address_key, parse_address
from api.kit.cursor import Page, page_of, position_before
from api.kit.problems import InvalidFieldError
from impactchain.event_store import QUANTITY_ARGUMENTS
from impactchain.events import storable_text

NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_ADDRESS_LIKE = re.compile(r"0x[0-9a-fA-F]{40}")
_HEX = re.compile(r"0x[0-9a-fA-F]*")
MAX_ARG_FILTERS = 4
# Quantities (amounts, totals, vote weights) are not indexed for filtering: impactchain/event_store.py.
_QUANTITIES = frozenset(QUANTITY_ARGUMENTS)
ARG_FILTER_PATTERN = r"^(?!(?:" + "|".join(QUANTITY_ARGUMENTS) + r"):)[A-Za-z][A-Za-z0-9_]{0,63}:."


class EventService:
    def __init__(self, repository: EventRepository) -> None:
        self._repository = repository

    async def list_events(
        self, *, contract: str | None, event: str | None, args: list[str], cursor: str | None, limit: int
    ) -> Page[asyncpg.Record]:
        """One page of events, newest first; `next_cursor` is set only when more events follow."""
        contract_name = contract_address = None
        if contract is not None:
            if contract.startswith("0x"):
                contract_address = address_key("contract", contract)
            elif NAME.fullmatch(contract):
                contract_name = contract
            else:
                raise InvalidFieldError("contract", contract, "must be a contract's manifest name or its address")
        if event is not None and not NAME.fullmatch(event):
            raise InvalidFieldError("event", event, f"must be an event name such as Transfer, got {event!r}")
        if len(args) > MAX_ARG_FILTERS:
            raise InvalidFieldError("arg", args, f"at most {MAX_ARG_FILTERS} argument filters, got {len(args)}")
        wanted = dict(parse_arg_filter(raw) for raw in args)
        wanted_json = msgspec.json.encode(wanted).decode() if wanted else None
        before = position_before(cursor)
        rows = await self._repository.list_newest_first(
            contract_name=contract_name,
            contract=contract_address,
            event=event,
            args=wanted_json,
            before=before,
            limit=limit + 1,
        )
        return page_of(rows, limit)


def parse_arg_filter(raw: str) -> tuple[str, Any]:
    """`name:value` as the indexer stores the argument: an address checksummed (any case given),
    other hex lowercase, true/false as booleans, anything else (decimal integers) as written."""
    name, separator, value = raw.partition(":")
    if not separator or not NAME.fullmatch(name) or value == "":
        raise InvalidFieldError(
            "arg", raw, f"must be name:value, e.g. donor:0x70997970C51812dc3A010C7d01b50e0d17dc79C8, got {raw!r}"
        )
    if name in _QUANTITIES:
        raise InvalidFieldError(
            "arg",
            raw,
            f"{name} is a quantity, and events are not found by amounts, totals or vote weights "
            f"({', '.join(QUANTITY_ARGUMENTS)}): filter by an address, an id or another identifying argument",
        )
    if _ADDRESS_LIKE.fullmatch(value):
        return name, parse_address("arg", value)
    if _HEX.fullmatch(value):
        return name, value.lower()
    if value in ("true", "false"):
        return name, value == "true"
    # The indexer stored strings with NUL made storable; look for them the same way.
    return name, storable_text(value)
