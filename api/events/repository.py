"""All SQL for platform events."""

from collections.abc import Callable, Sequence
from typing import cast

import asyncpg

from api.kit.cursor import LogPosition, newest_first
from api.kit.database import Database
from impactchain.event_store import ARGS_KEY, kind, kind_key

# `args` as JSON text: served as it is stored, never decoded and re-encoded here. In the order
# `EventItem.from_rows` unpacks them.
_SELECT = (
    "SELECT contract, contract_name, event, args::text AS args, block_number, block_hash, tx_hash, log_index"
    " FROM contract_events"
)


# The kinds of event stored for a contract name, and the contract names that have stored an event.
_EVENTS_OF = "SELECT event FROM event_kinds WHERE contract_name = $1 ORDER BY event"
_NAMES_WITH = "SELECT contract_name FROM event_kinds WHERE event = $1 ORDER BY contract_name"


class EventRepository:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def list_newest_first(
        self,
        *,
        contract_name: str | None,
        contract: str | None,
        event: str | None,
        args: str | None,
        before: LogPosition | None,
        limit: int,
    ) -> Sequence[asyncpg.Record]:
        """Up to `limit` events by (block_number, log_index) descending, strictly before `before`;
        `args` (a JSON object, no quantities in it) must be contained in an event's arguments (JSONB @>,
        served by a GIN index of the arguments less their quantities)."""
        if contract is None and (contract_name is None) != (event is None):
            pairs = await self._pairs(contract_name, event)
            return await self._merged(pairs, args, before, limit) if pairs else []
        filters: list[tuple[str | Callable[[str], str], object]] = []
        if contract_name is not None:  # and an event: one kind
            filters.append((kind_key, kind(contract_name, cast(str, event))))
        else:
            if contract is not None:
                filters.append(("contract", contract))
            if event is not None:  # with a contract's address
                filters.append(("event", event))
        sql, values = newest_first(_SELECT, filters, before, limit, contains=(ARGS_KEY, args))
        return await self._database.fetch(sql, *values)

    async def _pairs(self, contract_name: str | None, event: str | None) -> list[tuple[str, str]]:
        """The (contract name, event) pairs stored with this contract name or this event."""
        if contract_name is not None:
            rows = await self._database.fetch(_EVENTS_OF, contract_name)
            return [(contract_name, row[0]) for row in rows]
        rows = await self._database.fetch(_NAMES_WITH, event)
        return [(row[0], cast(str, event)) for row in rows]

    async def _merged(
        self, pairs: list[tuple[str, str]], args: str | None, before: LogPosition | None, limit: int
    ) -> Sequence[asyncpg.Record]:
        """A page over several (contract name, event) pairs: one index scan of each, newest first,
        merged (PostgreSQL's Merge Append reads each scan only as far as the page needs)."""
        values: list[object] = [limit]
        common = ""
        if args is not None:
            values.append(args)
            common += f" AND {ARGS_KEY} @> ${len(values)}::jsonb"
        if before is not None:
            values += [before.block_number, before.log_index]
            common += f" AND (block_number, log_index) < (${len(values) - 1}, ${len(values)})"
        scans = []
        for name, event in pairs:
            values.append(kind(name, event))
            scans.append(
                f"({_SELECT} WHERE {kind_key(f'${len(values)}')}{common}"
                f" ORDER BY block_number DESC, log_index DESC LIMIT $1)"
            )
        # Only placeholders and constant SQL: every value is a parameter.
        merged = " UNION ALL ".join(scans)
        sql = f"SELECT * FROM ({merged}) AS merged ORDER BY block_number DESC, log_index DESC LIMIT $1"  # noqa: S608
        return await self._database.fetch(sql, *values)
