"""All SQL for donations."""

from collections.abc import Sequence

import asyncpg

from api.kit.cursor import LogPosition, newest_first
from api.kit.database import Database

# Exactly the columns a DonationItem shows, wei as text (exact, and no Decimal per row), in the
# order `DonationItem.from_rows` unpacks them.
_SELECT = (
    "SELECT request_id, donor, currency, amount::text AS amount, donor_total::text AS donor_total, contract,"
    " block_number, block_hash, tx_hash, log_index FROM donations"
)


class DonationRepository:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def list_newest_first(
        self, *, donor: str | None, request_id: int | None = None, before: LogPosition | None, limit: int
    ) -> Sequence[asyncpg.Record]:
        """Up to `limit` donations in (block_number, log_index) descending order, strictly before `before`."""
        filters: list[tuple[str, object]] = []
        if donor is not None:
            filters.append(("donor", donor))
        if request_id is not None:
            filters.append(("request_id", request_id))
        sql, args = newest_first(_SELECT, filters, before, limit)
        return await self._database.fetch(sql, *args)
