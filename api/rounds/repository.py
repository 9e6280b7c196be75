"""All SQL for funding rounds."""

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from api.kit.cursor import LogPosition, newest_first
from api.kit.database import Database

# The SELECT orders below are the orders the schemas' `from_row`/`from_rows` unpack.
_ROUND_COLUMNS = (
    "address, round_index, factory, founder, metadata_cid, goal::text AS goal, deadline, milestones, salt,"
    " implementation, block_number, block_hash, tx_hash, log_index"
)
_SELECT_ROUNDS = f"SELECT {_ROUND_COLUMNS} FROM funding_rounds"  # noqa: S608
_SELECT_DONATIONS = (
    "SELECT round, donor, currency, amount::text AS amount, matic_equivalent::text AS matic_equivalent,"
    " donor_total::text AS donor_total, block_number, block_hash, tx_hash, log_index FROM round_donations"
)
_SELECT_EVENTS = (
    "SELECT event, args::text AS args, round, block_number, block_hash, tx_hash, log_index FROM round_events"
)
# One round with its kept figures (the indexer maintains `round_totals` and `funding_rounds.donors`
# with the donations): one statement whose cost does not grow with the round's donations. The
# status is its latest status-setting event's.
ROUND_DETAIL = (
    f"SELECT {_ROUND_COLUMNS}, donors,"  # noqa: S608
    " ARRAY(SELECT ROW(t.currency, t.amount::text, t.matic_equivalent::text, t.donations) FROM round_totals t"
    "  WHERE t.chain_id = r.chain_id AND t.round = r.address ORDER BY t.currency) AS raised,"
    " (SELECT ROW(e.event, e.args->>'status') FROM round_events e"
    "  WHERE e.round = r.address AND e.event IN ('RoundFinalized', 'RoundCancelled', 'RoundSettled')"
    "  ORDER BY e.block_number DESC, e.log_index DESC LIMIT 1) AS status_event"
    " FROM funding_rounds r WHERE r.address = $1 LIMIT 1"
)


@dataclass(frozen=True, slots=True)
class Raised:
    """What a round received in one currency (wei as decimal text, exact)."""

    currency: str
    amount: str
    matic_equivalent: str
    donations: int


class RoundRepository:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def list_newest_first(
        self, *, founder: str | None, before: LogPosition | None, limit: int
    ) -> Sequence[asyncpg.Record]:
        """Up to `limit` rounds by creation, (block_number, log_index) descending, strictly before `before`."""
        filters: list[tuple[str, object]] = [("founder", founder)] if founder is not None else []
        sql, args = newest_first(_SELECT_ROUNDS, filters, before, limit)
        return await self._database.fetch(sql, *args)

    async def by_address(self, address: str) -> asyncpg.Record | None:
        return await self._database.fetchrow(f"{_SELECT_ROUNDS} WHERE address = $1 LIMIT 1", address)

    async def detail(self, address: str) -> asyncpg.Record | None:
        """The round's row with `donors`, `raised` ((currency, amount, MATIC equivalent, donations)
        per currency) and `status_event` ((event name, its `status` argument) or None)."""
        return await self._database.fetchrow(ROUND_DETAIL, address)

    async def donations_newest_first(
        self, *, round_address: str, donor: str | None, before: LogPosition | None, limit: int
    ) -> Sequence[asyncpg.Record]:
        filters: list[tuple[str, object]] = [("round", round_address)]
        if donor is not None:
            filters.append(("donor", donor))
        sql, args = newest_first(_SELECT_DONATIONS, filters, before, limit)
        return await self._database.fetch(sql, *args)

    async def events_newest_first(
        self, *, round_address: str, event: str | None, before: LogPosition | None, limit: int
    ) -> Sequence[asyncpg.Record]:
        filters: list[tuple[str, object]] = [("round", round_address)]
        if event is not None:
            filters.append(("event", event))
        sql, args = newest_first(_SELECT_EVENTS, filters, before, limit)
        return await self._database.fetch(sql, *args)
