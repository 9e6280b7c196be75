"""All of the indexer's SQL. Callers own the transaction; nothing here commits."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import orjson

from impactchain.helpdesk import DonatedLog

if TYPE_CHECKING:
    import asyncpg
    from asyncpg.pool import PoolConnectionProxy

    Connection: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    chain_id: int
    block_number: int
    block_hash: str


class IndexerRepository:
    def __init__(self, connection: "Connection", indexer: str) -> None:
        self.connection = connection
        self.indexer = indexer

    async def checkpoint(self) -> Checkpoint | None:
        row = await self.connection.fetchrow(
            "SELECT chain_id, block_number, block_hash FROM indexer_checkpoints WHERE name = $1", self.indexer
        )
        return None if row is None else Checkpoint(row["chain_id"], row["block_number"], row["block_hash"])

    async def lock_checkpoint(self) -> None:
        """Serialize indexers of the same name: a second process waits instead of double-writing."""
        await self.connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", self.indexer)

    async def save_checkpoint(self, checkpoint: Checkpoint) -> None:
        await self.connection.execute(
            """
            INSERT INTO indexer_checkpoints (name, chain_id, block_number, block_hash, updated_at)
            VALUES ($1, $2, $3, $4, now())
            ON CONFLICT (name) DO UPDATE
            SET chain_id = EXCLUDED.chain_id, block_number = EXCLUDED.block_number,
                block_hash = EXCLUDED.block_hash, updated_at = now()
            """,
            self.indexer,
            checkpoint.chain_id,
            checkpoint.block_number,
            checkpoint.block_hash,
        )

    async def record_blocks(self, blocks: dict[int, str], keep_from: int) -> None:
        await self.connection.executemany(
            """
            INSERT INTO indexed_blocks (indexer, block_number, block_hash) VALUES ($1, $2, $3)
            ON CONFLICT (indexer, block_number) DO UPDATE SET block_hash = EXCLUDED.block_hash
            """,
            [(self.indexer, number, block_hash) for number, block_hash in blocks.items()],
        )
        await self.connection.execute(
            "DELETE FROM indexed_blocks WHERE indexer = $1 AND block_number < $2", self.indexer, keep_from
        )

    async def recent_blocks(self) -> list[tuple[int, str]]:
        rows = await self.connection.fetch(
            "SELECT block_number, block_hash FROM indexed_blocks WHERE indexer = $1 ORDER BY block_number DESC",
            self.indexer,
        )
        return [(row["block_number"], row["block_hash"]) for row in rows]

    async def insert_donations(self, chain_id: int, donations: Sequence[DonatedLog], job: str) -> int:
        """Insert donations (duplicates ignored) and one outbox job per new row; returns rows added."""
        if not donations:
            return 0
        await self.connection.execute(
            "CREATE TEMP TABLE IF NOT EXISTS incoming_donations "
            "(LIKE donations INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        await self.connection.copy_records_to_table(
            "incoming_donations",
            records=[
                (
                    chain_id, d.contract, d.request_id, d.donor, d.currency, d.amount, d.donor_total,
                    d.block_number, d.block_hash, d.tx_hash, d.log_index,
                )
                for d in donations
            ],
            columns=[
                "chain_id", "contract", "request_id", "donor", "currency", "amount", "donor_total",
                "block_number", "block_hash", "tx_hash", "log_index",
            ],
        )  # fmt: skip
        added: int = await self.connection.fetchval(
            """
            WITH added AS (
                INSERT INTO donations (chain_id, contract, request_id, donor, currency, amount, donor_total,
                                       block_number, block_hash, tx_hash, log_index)
                SELECT chain_id, contract, request_id, donor, currency, amount, donor_total,
                       block_number, block_hash, tx_hash, log_index
                FROM incoming_donations ORDER BY block_number, log_index
                ON CONFLICT (tx_hash, log_index) DO NOTHING
                RETURNING id
            ), jobs AS (
                INSERT INTO job_outbox (function, args) SELECT $1, jsonb_build_array(id) FROM added
            )
            SELECT count(*) FROM added
            """,
            job,
        )
        return added

    async def roll_back_after(self, chain_id: int, contract: str, block_number: int) -> int:
        """Forget everything this indexer derived from blocks above `block_number`."""
        deleted = await self.connection.execute(
            "DELETE FROM donations WHERE chain_id = $1 AND contract = $2 AND block_number > $3",
            chain_id,
            contract,
            block_number,
        )
        await self.connection.execute(
            "DELETE FROM indexed_blocks WHERE indexer = $1 AND block_number > $2", self.indexer, block_number
        )
        return int(deleted.split()[-1])


class OutboxRepository:
    def __init__(self, connection: "Connection") -> None:
        self.connection = connection

    async def claim_pending(self, limit: int) -> list[tuple[int, str, list[object]]]:
        rows = await self.connection.fetch(
            """
            SELECT id, function, args FROM job_outbox WHERE enqueued_at IS NULL
            ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
            """,
            limit,
        )
        return [(row["id"], row["function"], _json_list(row["args"])) for row in rows]

    async def mark_enqueued(self, ids: Sequence[int]) -> None:
        await self.connection.execute("UPDATE job_outbox SET enqueued_at = now() WHERE id = ANY($1)", list(ids))


def _json_list(raw: str) -> list[object]:
    value = orjson.loads(raw)
    if not isinstance(value, list):
        raise ValueError(f"outbox args must be a JSON list, got {raw!r}")
    return value
