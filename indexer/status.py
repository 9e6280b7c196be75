"""`impactchain indexer status`: what an operator asks first — how far each checkpoint is, what
is final, who writes, what waits in the outbox — from PostgreSQL, plus the node's head when it
answers."""

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from indexer.rpc import JsonRpcClient, RetryPolicy, RpcError
from indexer.writer import LOCK_NAMESPACE, WriterLock


@dataclass(frozen=True)
class CheckpointStatus:
    name: str
    chain_id: int
    block_number: int
    finalized_block: int | None
    updated_at: datetime


@dataclass(frozen=True)
class IndexerStatus:
    checkpoints: list[CheckpointStatus]
    writer: str | None  # the writer session's application name, None when no process writes
    pending_jobs: int
    head: int | None  # None when the node does not answer

    def lines(self) -> list[str]:
        head = "unreachable" if self.head is None else str(self.head)
        out = [f"node head: {head}", f"writer: {self.writer or 'none (no indexer holds the writer lock)'}"]
        out.append(f"outbox: {self.pending_jobs} job(s) pending")
        if not self.checkpoints:
            out.append("no checkpoint yet: nothing indexed")
        for c in self.checkpoints:
            lag = "" if self.head is None else f", {max(0, self.head - c.block_number)} behind the head"
            final = (
                "finality: none served"
                if c.finalized_block is None
                else f"finalized {c.finalized_block}, {max(0, c.block_number - c.finalized_block)} block(s) unconfirmed"
            )
            out.append(f"{c.name} (chain {c.chain_id}): block {c.block_number}{lag}; {final}; at {c.updated_at:%c %Z}")
        return out


async def indexer_status(database_url: str, rpc_urls: list[str]) -> IndexerStatus:
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT name, chain_id, block_number, finalized_block, updated_at FROM indexer_checkpoints ORDER BY name"
        )
        writer = await connection.fetchval(
            """
            SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.classid = $1::int::oid AND l.objid = $2::int::oid AND l.granted
            """,
            LOCK_NAMESPACE,
            WriterLock(database_url).key,
        )
        pending = await connection.fetchval("SELECT count(*) FROM job_outbox WHERE enqueued_at IS NULL")
    finally:
        await connection.close()
    return IndexerStatus([CheckpointStatus(**dict(row)) for row in rows], writer, pending, await _head(rpc_urls))


async def _head(rpc_urls: list[str]) -> int | None:
    rpc = JsonRpcClient(rpc_urls, timeout=3.0, retry=RetryPolicy(attempts=len(rpc_urls)))
    try:
        return await rpc.block_number()
    except RpcError:
        return None
    finally:
        await rpc.close()
