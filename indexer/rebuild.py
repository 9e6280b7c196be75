"""Rebuild a projection from the event store, without the node: its rows are deleted and derived
again from `contract_events`, in chain order, in one transaction that the live indexer's steps
wait for. A rebuild makes no jobs (it is history); notifications are keyed by the events' chain
identity, so nothing already sent is sent again either."""

import time
from collections.abc import Mapping
from dataclasses import dataclass

import asyncpg
import structlog

from indexer.repository import IndexerRepository
from indexer.stream import PlatformStream, stored_event

log = structlog.get_logger(__name__)

REPLAY_BATCH = 20_000
NEVER = 2**62  # a block no chain reaches: jobs from here on, i.e. none


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
        await IndexerRepository(connection, stream.name).lock_checkpoint()  # the live steps wait
        removed = await projection.forget_after(connection, chain_id, -1)
        where, params = _declared(projection.events)
        events = rows = 0
        batch = []
        query = (
            "SELECT contract, event, args::text AS args, block_number, block_hash, tx_hash, log_index "  # noqa: S608
            f"FROM contract_events WHERE chain_id = $1 AND ({where}) ORDER BY block_number, log_index"
        )
        async for row in connection.cursor(query, chain_id, *params, prefetch=REPLAY_BATCH):
            batch.append(stored_event(row))
            if len(batch) == REPLAY_BATCH:
                rows += await projection.write(connection, chain_id, batch, NEVER)
                events, batch = events + len(batch), []
        if batch:
            rows += await projection.write(connection, chain_id, batch, NEVER)
            events += len(batch)
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


def _declared(events: Mapping[str, frozenset[str] | None]) -> tuple[str, list[object]]:
    """SQL over contract_events for the (contract name, event) pairs a projection declared."""
    clauses: list[str] = []
    params: list[object] = []
    for contract_name, names in sorted(events.items()):
        params.append(contract_name)
        clause = f"contract_name = ${len(params) + 1}"
        if names is not None:
            params.append(sorted(names))
            clause += f" AND event = ANY(${len(params) + 1})"
        clauses.append(f"({clause})")
    return " OR ".join(clauses) or "false", params


async def indexed_chain_id(pool: asyncpg.Pool) -> int:
    """The chain this database follows, from its checkpoints (one database follows one chain)."""
    chain_ids = [row["chain_id"] for row in await pool.fetch("SELECT DISTINCT chain_id FROM indexer_checkpoints")]
    if len(chain_ids) != 1:
        raise UnknownProjectionError(f"cannot tell which chain this database follows (checkpoints of {chain_ids})")
    chain_id: int = chain_ids[0]
    return chain_id
