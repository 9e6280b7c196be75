"""An initial sync far behind the head writes the event store without its secondary indexes and
builds them once at the head: the same rows as an index that kept them, and the same indexes."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any

import asyncpg
import pytest
from prometheus_client import REGISTRY
from web3 import Web3

from impactchain.registry import DeploymentManifest
from impactchain.settings import Settings
from indexer import service
from indexer.main import indexer_config
from indexer.rpc import JsonRpcClient
from indexer.service import LogIndexer
from indexer.stream import PlatformStream
from tests.integration.indexer.test_indexer import donate_many, run_to_head
from tests.support.chain import rpc
from tests.support.indexing import clean_index, projected_rows

TABLES = ["contract_events", "donations", "funding_rounds", "round_donations", "round_events"]
INDEXES = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY($1::text[]) ORDER BY indexname"


@pytest.fixture
async def indexes_kept(db: asyncpg.Connection) -> AsyncIterator[None]:
    """Whatever a test does, the session's database ends with every index (other tests need them)."""
    yield
    for (definition,) in await db.fetch("SELECT definition FROM indexer_deferred_indexes"):
        await db.execute(definition)
    await db.execute("DELETE FROM indexer_deferred_indexes")


async def test_an_initial_sync_defers_the_event_stores_indexes_and_builds_them_at_the_head(
    chain: Web3,
    manifest: DeploymentManifest,
    make_indexer: Callable[..., LogIndexer[Any]],
    db: asyncpg.Connection,
    indexes_kept: None,
) -> None:
    indexes = await db.fetch(INDEXES, TABLES)
    donate_many(chain, manifest, 3)
    rpc(chain, "anvil_mine", [hex(300)])
    donate_many(chain, manifest, 2, base=3 * 10**15)
    first = make_indexer(bulk_load_blocks=300, max_batch_blocks=40)

    await first.step()

    deferred = await db.fetch("SELECT table_name, name FROM indexer_deferred_indexes ORDER BY name")
    # The event store's two b-trees and GIN, and the projections' lookups (by donor, round, transaction).
    assert sum(1 for row in deferred if row["table_name"] == "contract_events") == 3
    assert {row["table_name"] for row in deferred} == set(TABLES)
    kept = {row["indexname"] for row in await db.fetch(INDEXES, TABLES)}
    assert kept == {row["indexname"] for row in indexes} - {row["name"] for row in deferred}
    assert {"contract_events_pkey", "donations_pkey", "funding_rounds_pkey"} <= kept  # unique ones stay
    assert REGISTRY.get_sample_value("impactchain_indexer_bulk_load", {"indexer": first.name}) == 1

    # A restart continues the sync where the first process left it, and builds the indexes at the head.
    restarted = make_indexer(bulk_load_blocks=300, max_batch_blocks=40)
    assert await run_to_head(restarted) > 2
    assert await db.fetch("SELECT * FROM indexer_deferred_indexes") == []
    assert [tuple(row) for row in await db.fetch(INDEXES, TABLES)] == [tuple(row) for row in indexes]
    assert REGISTRY.get_sample_value("impactchain_indexer_bulk_load", {"indexer": first.name}) == 0

    synced = await projected_rows(db)
    assert len(synced["donations"]) == 5
    assert synced == await clean_index(db, lambda: run_to_head(make_indexer(bulk_load_blocks=0, max_batch_blocks=40)))


async def test_a_first_sync_step_with_projection_rows_stores_them_under_its_own_index_drop(
    chain: Web3,
    manifest: DeploymentManifest,
    pool: asyncpg.Pool,
    settings: Settings,
    db: asyncpg.Connection,
    indexes_kept: None,
) -> None:
    # Deployed just before the donations: the sync's first step, the one whose transaction drops
    # the indexes (and holds those tables' locks until it commits), holds projection rows too.
    first_block = chain.eth.block_number + 1
    donate_many(chain, manifest, 3)
    rpc(chain, "anvil_mine", [hex(300)])
    moved = {name: deployed.model_copy(update={"block": first_block}) for name, deployed in manifest.contracts.items()}
    stream = PlatformStream.from_manifest(manifest.model_copy(update={"contracts": moved}))
    config = replace(indexer_config(settings), bulk_load_blocks=300)
    client = JsonRpcClient(settings.chain_rpc_url)
    try:
        indexer = LogIndexer(client, pool, stream, chain_id=31337, config=config)
        first = await asyncio.wait_for(indexer.step(), timeout=30)

        assert first.from_block == first_block
        assert await db.fetchval("SELECT count(*) FROM indexer_deferred_indexes") > 0
        assert await db.fetchval("SELECT count(*) FROM donations") == 3
        await run_to_head(indexer)
    finally:
        await client.close()
    assert len((await projected_rows(db))["donations"]) == 3


async def test_a_sync_step_whose_second_connection_waits_on_a_lock_fails_instead_of_hanging(
    chain: Web3,
    manifest: DeploymentManifest,
    make_indexer: Callable[..., LogIndexer[Any]],
    settings: Settings,
    db: asyncpg.Connection,
    indexes_kept: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The step waits for its second connection while holding its own locks: a cycle through them
    # would be invisible to PostgreSQL. A lock the second connection cannot get in time fails it.
    monkeypatch.setattr(service, "SIDE_LOCK_TIMEOUT", "300ms")
    donate_many(chain, manifest, 3)
    rpc(chain, "anvil_mine", [hex(300)])
    indexer = make_indexer(bulk_load_blocks=300)
    await indexer.step()  # the sync begun (its indexes dropped), before any donation
    assert await db.fetchval("SELECT count(*) FROM indexer_deferred_indexes") > 0
    holder = await asyncpg.connect(str(settings.database_url))
    try:
        async with holder.transaction():
            await holder.execute("LOCK TABLE donations IN SHARE MODE")  # no row may be written
            checkpoints: list[int] = []
            failure: asyncpg.LockNotAvailableError | None = None
            while failure is None and len(checkpoints) < 100:
                try:
                    checkpoints.append((await asyncio.wait_for(indexer.step(), timeout=30)).to_block)
                except asyncpg.LockNotAvailableError as exc:
                    failure = exc
    finally:
        await holder.close()

    assert failure is not None, "no step failed"
    # Nothing of the failed step: the checkpoint is the step's before, no donation stored.
    assert await db.fetchval("SELECT block_number FROM indexer_checkpoints") == checkpoints[-1]
    assert await db.fetchval("SELECT count(*) FROM donations") == 0
    await run_to_head(indexer)
    assert len((await projected_rows(db))["donations"]) == 3


async def test_a_short_start_keeps_the_indexes(
    chain: Web3,
    manifest: DeploymentManifest,
    make_indexer: Callable[..., LogIndexer[Any]],
    db: asyncpg.Connection,
    indexes_kept: None,
) -> None:
    donate_many(chain, manifest, 2)
    indexer = make_indexer(bulk_load_blocks=10_000)
    await indexer.step()
    assert await db.fetchval("SELECT count(*) FROM indexer_deferred_indexes") == 0
    await run_to_head(indexer)
    assert await db.fetchval("SELECT count(*) FROM donations") == 2


async def sync_until_a_step_fails(
    chain: Web3, manifest: DeploymentManifest, make_indexer: Callable[..., LogIndexer[Any]]
) -> tuple[LogIndexer[Any], list[int]]:
    """Three donations 300 blocks back, an initial sync of them stepped until the injected failure
    fails a step: the indexer, and the blocks each step before it checkpointed."""
    donate_many(chain, manifest, 3)
    rpc(chain, "anvil_mine", [hex(300)])
    indexer = make_indexer(bulk_load_blocks=300)
    checkpoints: list[int] = []
    failure: asyncpg.RaiseError | None = None
    while failure is None and len(checkpoints) < 100:
        try:
            checkpoints.append((await indexer.step()).to_block)
        except asyncpg.RaiseError as exc:
            failure = exc
    assert failure is not None, "no step failed"
    assert "injected failure" in str(failure)
    return indexer, checkpoints


@pytest.fixture
async def fail_once(db: asyncpg.Connection) -> AsyncIterator[Callable[[str, str], Awaitable[None]]]:
    """Arms a trigger that fails the first write to `table` once `when` (SQL) holds (a sequence
    counts, outside any transaction, so the failure's rollback does not re-arm it); dropped afterwards."""
    armed: list[str] = []

    async def arm(table: str, when: str) -> None:
        await db.execute("CREATE SEQUENCE IF NOT EXISTS test_fail_once")
        await db.execute(
            "CREATE OR REPLACE FUNCTION test_fail_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF ({when}) AND nextval('test_fail_once') = 1 THEN RAISE EXCEPTION 'injected failure'; END IF; "
            "RETURN NEW; END $$"
        )
        await db.execute(
            f"CREATE TRIGGER test_fail_once BEFORE INSERT OR UPDATE ON {table} "  # the test's constants
            "FOR EACH ROW EXECUTE FUNCTION test_fail_once()"
        )
        armed.append(table)

    yield arm
    for table in armed:
        await db.execute(f"DROP TRIGGER test_fail_once ON {table}")
    await db.execute("DROP FUNCTION IF EXISTS test_fail_once()")
    await db.execute("DROP SEQUENCE IF EXISTS test_fail_once")


async def test_a_sync_step_that_fails_after_its_projections_committed_is_retried_exactly(
    chain: Web3,
    manifest: DeploymentManifest,
    make_indexer: Callable[..., LogIndexer[Any]],
    db: asyncpg.Connection,
    indexes_kept: None,
    fail_once: Callable[[str, str], Awaitable[None]],
) -> None:
    # An initial sync stores the projections' rows on a second connection, committed just before
    # the step's own transaction; the checkpoint of the step that stored the donations then fails.
    await fail_once("indexer_checkpoints", "EXISTS (SELECT 1 FROM donations)")
    indexer, checkpoints = await sync_until_a_step_fails(chain, manifest, make_indexer)

    assert await db.fetchval("SELECT count(*) FROM donations") == 3, "the projections' part was committed"
    stored_to = await db.fetchval("SELECT max(block_number) FROM contract_events")
    assert stored_to == await db.fetchval("SELECT block_number FROM indexer_checkpoints") == checkpoints[-1]
    assert await db.fetchval("SELECT min(block_number) FROM donations") > stored_to, "ahead of the checkpoint"
    await run_to_head(indexer)
    synced = await projected_rows(db)
    assert synced == await clean_index(db, lambda: run_to_head(make_indexer(bulk_load_blocks=0)))


async def test_a_sync_step_whose_projections_fail_commits_nothing(
    chain: Web3,
    manifest: DeploymentManifest,
    make_indexer: Callable[..., LogIndexer[Any]],
    db: asyncpg.Connection,
    indexes_kept: None,
    fail_once: Callable[[str, str], Awaitable[None]],
) -> None:
    await fail_once("donations", "true")
    indexer, checkpoints = await sync_until_a_step_fails(chain, manifest, make_indexer)

    # Nothing of the failed step: the event store and the checkpoint end where the step before left them.
    assert await db.fetchval("SELECT count(*) FROM donations") == 0
    assert await db.fetchval("SELECT max(block_number) FROM contract_events") == checkpoints[-1]
    assert await db.fetchval("SELECT block_number FROM indexer_checkpoints") == checkpoints[-1]
    await run_to_head(indexer)
    assert len((await projected_rows(db))["donations"]) == 3
