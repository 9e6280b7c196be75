"""Run a real indexer over the test chain, for tests that read what it projects."""

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from impactchain.registry import DeploymentManifest
from impactchain.settings import Settings
from indexer.main import indexer_config
from indexer.rpc import JsonRpcClient
from indexer.service import LogIndexer, Projection
from indexer.stream import PlatformStream


async def index_to_head(settings: Settings, manifest: DeploymentManifest, projection: Projection[Any]) -> None:
    assert settings.database_url is not None
    rpc = JsonRpcClient(settings.chain_rpc_url)
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        indexer = LogIndexer(rpc, pool, projection, chain_id=manifest.chain_id, config=indexer_config(settings))
        while (await indexer.step()).advanced:
            pass
    finally:
        await pool.close()
        await rpc.close()


async def index_platform_to_head(settings: Settings, manifest: DeploymentManifest) -> None:
    """Index the platform's event stream (every contract, every round, every projection) up to
    the chain's head."""
    await index_to_head(settings, manifest, PlatformStream.from_manifest(manifest))


# The rounds are projected from the same stream.
index_rounds_to_head = index_platform_to_head


# What the indexer writes, as comparable rows: every column but generated ids and wall-clock times.
PROJECTION_TABLES = {
    "donations": "chain_id, contract, request_id, donor, currency, amount, donor_total, block_number, block_hash, "
    "tx_hash, log_index",
    "contract_events": "chain_id, contract, contract_name, event, args::text, block_number, block_hash, tx_hash, "
    "log_index",
    "funding_rounds": "chain_id, factory, address, round_index, founder, salt, metadata_cid, goal, deadline, "
    "milestones, implementation, block_number, block_hash, tx_hash, log_index, donors",
    "round_donations": "chain_id, round, donor, currency, amount, matic_equivalent, donor_total, block_number, "
    "block_hash, tx_hash, log_index",
    "round_events": "chain_id, round, event, args::text, block_number, block_hash, tx_hash, log_index",
    "round_totals": "chain_id, round, currency, amount, matic_equivalent, donations",
    "round_donors": "chain_id, round, donor",
    "indexer_checkpoints": "name, chain_id, block_number, block_hash",
    "indexed_blocks": "indexer, block_number, block_hash",
    "job_outbox": "function, args::text",
}


async def projected_rows(connection: asyncpg.Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every row the indexer wrote, table by table, sorted: equal for two runs that agree."""
    return {
        table: sorted(tuple(row) for row in await connection.fetch(f"SELECT {columns} FROM {table}"))  # noqa: S608
        for table, columns in PROJECTION_TABLES.items()
    }


async def clean_index(
    connection: asyncpg.Connection, index: Callable[[], Awaitable[object]]
) -> dict[str, list[tuple[object, ...]]]:
    """The rows a clean index of the chain as it is now gives: the tables emptied, `index` run
    straight against the node, the rows read."""
    await connection.execute(f"TRUNCATE {', '.join(PROJECTION_TABLES)} RESTART IDENTITY")
    await index()
    return await projected_rows(connection)
