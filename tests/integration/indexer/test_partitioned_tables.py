"""The indexer on partitioned event tables: converted as they pass the size while it syncs, kept
a span ahead by its `PartitionKeeper`, through a reorg across partitions, the same rows as an
index into plain tables."""

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from typing import Any

import asyncpg
import pytest
from web3 import Web3

from impactchain.db.partitions import EVENT_TABLES, PartitionPolicy
from impactchain.devstack.scratch_db import scratch_database
from impactchain.registry import DeploymentManifest
from impactchain.settings import Settings
from indexer import partitions
from indexer.main import indexer_config
from indexer.partitions import PartitionKeeper
from indexer.rpc import JsonRpcClient
from indexer.service import LogIndexer
from indexer.stream import PlatformStream
from tests.integration.conftest import ADMIN_DATABASE_URL
from tests.integration.indexer.test_indexer import donate_many, run_to_head
from tests.support.chain import rpc
from tests.support.indexing import clean_index, projected_rows

# A partition per 4 blocks, once a table holds more than 2 rows.
POLICY = PartitionPolicy(rows=2, span_blocks=4)


@pytest.fixture
def partitioned_url() -> Iterator[str]:
    with scratch_database(ADMIN_DATABASE_URL, prefix="impactchain_partitioned") as url:
        yield url


@pytest.fixture
async def partitioned_pool(partitioned_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(partitioned_url, min_size=1, max_size=4)
    yield pool
    await pool.close()


@pytest.fixture
async def partitioned_db(partitioned_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(partitioned_url)
    yield connection
    await connection.close()


@pytest.fixture
def kept_indexer(
    rpc: JsonRpcClient,
    partitioned_pool: asyncpg.Pool,
    settings: Settings,
    manifest: DeploymentManifest,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., LogIndexer[Any]]:
    """The platform's indexer on its own database, its partitions kept after every step as
    `impactchain indexer` keeps them (the sizes looked at every step, autovacuum's ANALYZE done
    at once)."""
    monkeypatch.setattr(partitions, "CHECK_SECONDS", 0.0)
    keeper = PartitionKeeper(partitioned_pool, POLICY)

    async def after_step() -> None:
        await partitioned_pool.execute("ANALYZE")
        await keeper.after_step()

    def build(**overrides: Any) -> LogIndexer[Any]:
        config = replace(indexer_config(settings), **overrides)
        stream = PlatformStream.from_manifest(manifest)
        return LogIndexer(rpc, partitioned_pool, stream, chain_id=31337, config=config, after_commit=after_step)

    return build


async def test_the_indexer_partitions_as_it_syncs_and_stores_what_plain_tables_store(
    chain: Web3,
    manifest: DeploymentManifest,
    kept_indexer: Callable[..., LogIndexer[Any]],
    partitioned_db: asyncpg.Connection,
    make_indexer: Callable[..., LogIndexer[Any]],
    db: asyncpg.Connection,
) -> None:
    donate_many(chain, manifest, 3)
    fork_point = rpc(chain, "evm_snapshot")
    donate_many(chain, manifest, 6, base=5 * 10**15)
    indexer = kept_indexer(max_batch_blocks=2)

    await run_to_head(indexer)

    connection = partitioned_db
    kinds = await connection.fetch(
        "SELECT relname, relkind = 'p' AS partitioned FROM pg_class WHERE relname = ANY($1::text[])",
        ["contract_events", "donations"],
    )
    assert all(row["partitioned"] for row in kinds)
    assert await connection.fetchval("SELECT count(DISTINCT tableoid) FROM donations") >= 2  # several partitions
    assert await connection.fetchval("SELECT count(*) FROM contract_events_overflow") == 0  # the keeper is ahead
    partitioned_rows = await projected_rows(connection)
    assert len(partitioned_rows["donations"]) == 9
    assert partitioned_rows == await clean_index(db, lambda: run_to_head(make_indexer()))

    # A reorg: the six newest donations replaced by a longer fork, deleted across partitions.
    rpc(chain, "evm_revert", [fork_point])
    donate_many(chain, manifest, 7, base=7 * 10**15)
    await run_to_head(indexer)

    after_reorg = await projected_rows(connection)
    unsettled = await connection.fetch(
        "SELECT relname FROM pg_class WHERE relname = ANY($1::text[]) AND relkind <> 'p' ORDER BY 1", list(EVENT_TABLES)
    )
    assert len(after_reorg["donations"]) == 10
    assert after_reorg == await clean_index(db, lambda: run_to_head(make_indexer()))
    # No round in this chain: the round tables never passed the size.
    assert [row["relname"] for row in unsettled] == ["round_donations", "round_events"]
