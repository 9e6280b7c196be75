"""Jobs follow the chain identity of their events: a reorg deeper than the window (rebuilt on a
dev chain) sends no thank-you twice, a rolled-back donation leaves no pending job, a backfill
notifies nobody, and on real networks a deep reorg halts with an alert instead."""

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import asyncpg
import pytest
from asyncpg.connection import LoggedQuery
from prometheus_client import REGISTRY
from redis import Redis
from rq import Queue
from web3 import Web3

from impactchain.registry import DeploymentManifest
from impactchain.settings import Settings
from indexer.main import indexer_config
from indexer.outbox import OutboxRelay
from indexer.rpc import JsonRpcClient
from indexer.service import DeepReorgError, LogIndexer
from indexer.stream import PlatformStream
from tests.integration.indexer.test_indexer import donate_many, run_to_head
from tests.support.chain import rpc
from workers.main import run_worker


async def relay_and_work(pool: asyncpg.Pool, settings: Settings) -> list[str]:
    """Move pending jobs onto RQ and run them all with a real worker; the jobs' outcomes."""
    with contextlib.closing(Redis.from_url(str(settings.redis_url))) as redis:
        queue = Queue(settings.queue_name, connection=redis)
        await OutboxRelay(pool, queue).flush()
        jobs = list(queue.jobs)
        run_worker(settings, burst=True)  # the main thread: RQ sets signal handlers
        for job in jobs:
            job.refresh()
        return sorted(str(job.return_value()) for job in jobs)


def mine(w3: Web3, blocks: int, later: int = 60) -> None:
    """Mine empty blocks `later` seconds on: after a revert, empty blocks at the same times as the
    lost ones would have the same hashes (no fork at all), so each fork takes its own `later`."""
    rpc(w3, "evm_increaseTime", [later])
    rpc(w3, "anvil_mine", [hex(blocks)])


async def test_a_reorg_deeper_than_the_window_thanks_no_donor_twice(
    chain: Web3,
    manifest: DeploymentManifest,
    make_indexer: Callable[..., LogIndexer[Any]],
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    worker_env: Settings,
) -> None:
    sent = donate_many(chain, manifest, 3)
    fork = rpc(chain, "evm_snapshot")
    mine(chain, 3)
    indexer = make_indexer(reorg_window=1, max_batch_blocks=1)  # keeps 2 block hashes only
    await run_to_head(indexer)
    assert await relay_and_work(pool, worker_env) == ["sent"] * 3
    ids_before = await db.fetch("SELECT id FROM donations ORDER BY id")

    rpc(chain, "evm_revert", [fork])
    mine(chain, 4, later=600)  # forks below every hash kept: rebuilt from the deployment (a dev chain)
    await run_to_head(indexer)

    assert await db.fetch("SELECT id FROM donations ORDER BY id") != ids_before  # rows derived again
    assert await relay_and_work(pool, worker_env) == ["already-sent"] * 3
    notes = await db.fetch("SELECT tx_hash, donation_id FROM notifications ORDER BY tx_hash")
    assert sorted(n["tx_hash"] for n in notes) == sorted(tx for tx, _ in sent)


async def test_a_rolled_back_donation_leaves_no_pending_job(
    chain: Web3, manifest: DeploymentManifest, make_indexer: Callable[..., LogIndexer[Any]], db: asyncpg.Connection
) -> None:
    kept = donate_many(chain, manifest, 1)
    fork = rpc(chain, "evm_snapshot")
    donate_many(chain, manifest, 2, base=5 * 10**15)
    indexer = make_indexer()
    await run_to_head(indexer)
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 3
    rpc(chain, "evm_revert", [fork])
    mine(chain, 3)

    await run_to_head(indexer)

    jobs = await db.fetch("SELECT args->>1 AS tx_hash FROM job_outbox")
    assert [job["tx_hash"] for job in jobs] == [kept[0][0]]


async def test_a_backfill_notifies_only_within_the_horizon_of_the_head(
    chain: Web3, manifest: DeploymentManifest, make_indexer: Callable[..., LogIndexer[Any]], db: asyncpg.Connection
) -> None:
    sent = donate_many(chain, manifest, 5)  # one block each

    await run_to_head(make_indexer(notify_horizon=1))

    assert await db.fetchval("SELECT count(*) FROM donations") == 5
    jobs = await db.fetch("SELECT args->>1 AS tx_hash FROM job_outbox ORDER BY id")
    assert [job["tx_hash"] for job in jobs] == [tx for tx, _ in sent[-2:]]  # the head and the block before


async def test_history_steps_commit_without_waiting_for_the_wal_to_reach_the_disk(
    chain: Web3, manifest: DeploymentManifest, settings: Settings, db: asyncpg.Connection
) -> None:
    # Every statement the indexer's connections run, in order (asyncpg's query logger).
    statements: list[LoggedQuery] = []

    async def log_queries(connection: asyncpg.Connection) -> None:
        connection.add_query_logger(statements.append)

    donate_many(chain, manifest, 6)  # one block each
    latest = chain.eth.block_number
    assert settings.database_url is not None
    client = JsonRpcClient(settings.chain_rpc_url)
    async with asyncpg.create_pool(settings.database_url, min_size=1, max_size=4, init=log_queries) as pool:
        config = replace(indexer_config(settings), notify_horizon=2, max_batch_blocks=1, bulk_load_blocks=0)
        stream = PlatformStream.from_manifest(manifest)
        await run_to_head(LogIndexer(client, pool, stream, chain_id=31337, config=config))
    await client.close()

    # Per step (its checkpoint), whether its transaction turned synchronous_commit off before it.
    relaxed, steps = False, {}
    for logged in statements:
        if logged.query == "SET LOCAL synchronous_commit = off":
            relaxed = True
        elif logged.query.lstrip().startswith("INSERT INTO indexer_checkpoints"):
            steps[logged.args[2]] = relaxed
            relaxed = False
    notify_from = latest - 2
    assert len(steps) > 6 and max(steps) == latest
    assert steps == {block: block < notify_from for block in steps}
    # Synchronous where it made jobs: the donations of the horizon's blocks have theirs.
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 3


async def test_on_a_real_network_a_deep_reorg_halts_with_an_alert(
    chain: Web3, manifest: DeploymentManifest, make_indexer: Callable[..., LogIndexer[Any]], db: asyncpg.Connection
) -> None:
    fork = rpc(chain, "evm_snapshot")
    donate_many(chain, manifest, 3)
    indexer = make_indexer(reorg_window=1, max_batch_blocks=1, deep_reorg="halt")
    await run_to_head(indexer)
    before = await db.fetch("SELECT * FROM donations ORDER BY id")
    rpc(chain, "evm_revert", [fork])
    mine(chain, 5)

    with pytest.raises(DeepReorgError, match="forked below block"):
        await indexer.step()
    assert await db.fetch("SELECT * FROM donations ORDER BY id") == before  # nothing changed

    stop = asyncio.Event()
    halted = asyncio.create_task(indexer.run(stop))
    for _ in range(100):
        if REGISTRY.get_sample_value("impactchain_indexer_halted", {"indexer": indexer.name}) == 1:
            break
        await asyncio.sleep(0.02)
    assert REGISTRY.get_sample_value("impactchain_indexer_halted", {"indexer": indexer.name}) == 1
    assert not halted.done()  # halted, not exited: the process stays up for its metrics and alerts
    stop.set()
    await asyncio.wait_for(halted, timeout=5)
    assert await db.fetch("SELECT * FROM donations ORDER BY id") == before
