"""All SQL for platform events."""

from collections.abc import Sequence
from typing import cast

import asyncpg

from api.kit.cursor import LogPosition, newest_first
from api.kit.database import Database

# `args` as JSON text: served as it is stored, never decoded and re-encoded here. In the order
# `EventItem.from_rows` unpacks them.
_SELECT = (
    "SELECT contract, contract_name, event, args::text AS args, block_number, block_hash, tx_hash, log_index"
    " FROM contract_events"
)


# The distinct events stored for a contract name, and the distinct contract names that have an
# event, each found by skipping through (contract_name, event, …) (a loose index scan: one probe
# per value found, however many rows each has).
_EVENTS_OF = """
WITH RECURSIVE found (event) AS (
    (SELECT event FROM contract_events WHERE contract_name = $1 ORDER BY event LIMIT 1)
    UNION ALL
    SELECT (SELECT c.event FROM contract_events c WHERE c.contract_name = $1 AND c.event > found.event
            ORDER BY c.event LIMIT 1)
    FROM found WHERE found.event IS NOT NULL
)
SELECT event FROM found WHERE event IS NOT NULL
"""
_NAMES_WITH = """
WITH RECURSIVE names (name) AS (
    (SELECT contract_name FROM contract_events ORDER BY contract_name LIMIT 1)
    UNION ALL
    SELECT (SELECT c.contract_name FROM contract_events c WHERE c.contract_name > names.name
            ORDER BY c.contract_name LIMIT 1)
    FROM names WHERE names.name IS NOT NULL
)
SELECT name FROM names
WHERE name IS NOT NULL AND EXISTS (SELECT 1 FROM contract_events WHERE contract_name = names.name AND event = $1)
"""


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
        `args` (a JSON object) must be contained in an event's arguments (JSONB @>, served by a GIN index)."""
        if contract is None and (contract_name is None) != (event is None):
            pairs = await self._pairs(contract_name, event)
            return await self._merged(pairs, args, before, limit) if pairs else []
        filters: list[tuple[str, object]] = [
            (column, value)
            for column, value in (("contract_name", contract_name), ("contract", contract), ("event", event))
            if value is not None
        ]
        sql, values = newest_first(_SELECT, filters, before, limit, contains=("args", args))
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
            common += f" AND args @> ${len(values)}::jsonb"
        if before is not None:
            values += [before.block_number, before.log_index]
            common += f" AND (block_number, log_index) < (${len(values) - 1}, ${len(values)})"
        scans = []
        for name, event in pairs:
            values += [name, event]
            scans.append(
                f"({_SELECT} WHERE contract_name = ${len(values) - 1} AND event = ${len(values)}{common}"
                f" ORDER BY block_number DESC, log_index DESC LIMIT $1)"
            )
        # Only placeholders and constant SQL: every value is a parameter.
        merged = " UNION ALL ".join(scans)
        sql = f"SELECT * FROM ({merged}) AS merged ORDER BY block_number DESC, log_index DESC LIMIT $1"  # noqa: S608
        return await self._database.fetch(sql, *values)
