"""Rebuild a projection from the event store, without the node: its rows are deleted and derived
again from `contract_events`, in chain order, in one transaction that the live indexer's steps
wait for. A rebuild makes no jobs (it is history); notifications are keyed by the events' chain
identity, so nothing already sent is sent again either."""

import time
from dataclasses import dataclass

import asyncpg
import structlog

from indexer.repository import IndexerRepository
from indexer.stream import PlatformStream

log = structlog.get_logger(__name__)


class UnknownProjectionError(LookupError):
    """No projection module has this name."""


@dataclass(frozen=True)
class Rebuilt:
    projection: str
    events: int
    rows: int
    seconds: float

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


async def rebuild(pool: asyncpg.Pool, stream: PlatformStream, chain_id: int, name: str) -> Rebuilt:
    projection = next((p for p in stream.projections if p.name == name), None)
    if projection is None:
        known = ", ".join(p.name for p in stream.projections)
        raise UnknownProjectionError(f"no projection {name!r}; the projections are: {known}")
    started = time.perf_counter()
    async with pool.acquire() as connection, connection.transaction():
        repository = IndexerRepository(connection, stream.name)
        await repository.lock_checkpoint()  # the live steps wait
        # Fresh statistics first: right after a backfill the planner may still think these tables
        # are empty, and would match the deleted rows to their pending jobs by a nested loop
        # (20,000 rows with their jobs pending: 262 s instead of well under a second).
        for table in (*projection.tables, "job_outbox"):
            await connection.execute(f"ANALYZE {table}")
        removed = await projection.forget_after(connection, chain_id, -1)
        events, rows = await stream.replay(connection, chain_id, projection)
        checkpoint = await repository.checkpoint()
        replayed_to = None if checkpoint is None else checkpoint.block_number
        await stream.list_projection(connection, chain_id, name, replayed_to)
    result = Rebuilt(name, events, rows, time.perf_counter() - started)
    log.info(
        "projection rebuilt from the event store",
        projection=name,
        rows_removed=removed,
        events=events,
        rows=rows,
        events_per_s=round(result.events_per_second),
    )
    return result


async def indexed_chain_id(pool: asyncpg.Pool) -> int:
    """The chain this database follows, from its checkpoints (one database follows one chain)."""
    chain_ids = [row["chain_id"] for row in await pool.fetch("SELECT DISTINCT chain_id FROM indexer_checkpoints")]
    if len(chain_ids) != 1:
        raise UnknownProjectionError(f"cannot tell which chain this database follows (checkpoints of {chain_ids})")
    chain_id: int = chain_ids[0]
    return chain_id
