"""All SQL for platform events."""

from collections.abc import Sequence

import asyncpg

from api.kit.cursor import LogPosition, newest_first
from api.kit.database import Database

# `args` as JSON text: served as it is stored, never decoded and re-encoded here. In the order
# `EventItem.from_rows` unpacks them.
_SELECT = (
    "SELECT contract, contract_name, event, args::text AS args, block_number, block_hash, tx_hash, log_index"
    " FROM contract_events"
)


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
        filters: list[tuple[str, object]] = [
            (column, value)
            for column, value in (("contract_name", contract_name), ("contract", contract), ("event", event))
            if value is not None
        ]
        sql, values = newest_first(_SELECT, filters, before, limit, contains=("args", args))
        return await self._database.fetch(sql, *values)
