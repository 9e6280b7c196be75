"""All SQL for funding rounds."""

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from api.kit.cursor import LogPosition, newest_first
from api.kit.database import Database

_SELECT_ROUNDS = (
    "SELECT address, round_index, factory, founder, metadata_cid, goal::text AS goal, deadline, milestones, salt,"
    " implementation, block_number, block_hash, tx_hash, log_index FROM funding_rounds"
)
_SELECT_DONATIONS = (
    "SELECT round, donor, currency, amount::text AS amount, matic_equivalent::text AS matic_equivalent,"
    " donor_total::text AS donor_total, block_number, block_hash, tx_hash, log_index FROM round_donations"
)
_SELECT_EVENTS = (
    "SELECT event, args::text AS args, round, block_number, block_hash, tx_hash, log_index FROM round_events"
)
# Recomputed over every donation of the round on each read; aggregates kept by the indexer are
# the follow-up that makes this O(1) (it needs indexer-owned tables).
_RAISED = (
    "SELECT currency, sum(amount)::text AS amount, sum(matic_equivalent)::text AS matic_equivalent,"
    " count(*) AS donations FROM round_donations WHERE round = $1 GROUP BY currency ORDER BY currency"
)
_DONORS = "SELECT count(DISTINCT donor) FROM round_donations WHERE round = $1"
# The events that set a round's status; the latest one wins.
_LATEST_STATUS_EVENT = (
    "SELECT event, args->>'status' AS status FROM round_events"
    " WHERE round = $1 AND event IN ('RoundFinalized', 'RoundCancelled', 'RoundSettled')"
    " ORDER BY block_number DESC, log_index DESC LIMIT 1"
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

    async def raised(self, address: str) -> list[Raised]:
        """Per currency: the sum of the round's donations, their MATIC equivalent and their count."""
        rows = await self._database.fetch(_RAISED, address)
        return [Raised(row["currency"], row["amount"], row["matic_equivalent"], row["donations"]) for row in rows]

    async def donor_count(self, address: str) -> int:
        row = await self._database.fetchrow(_DONORS, address)
        return int(row[0]) if row is not None else 0

    async def latest_status_event(self, address: str) -> tuple[str, str | None] | None:
        """(event name, its `status` argument) of the round's latest status-setting event, if any."""
        row = await self._database.fetchrow(_LATEST_STATUS_EVENT, address)
        return (row["event"], row["status"]) if row is not None else None

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
