"""The donation indexer against anvil and a real PostgreSQL."""

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from eth_typing import HexStr
from prometheus_client import REGISTRY
from redis import Redis
from rq import Queue
from web3 import Web3

from impactchain.devstack.anvil import DEV_PRIVATE_KEYS
from impactchain.devstack.seed import send_donation
from impactchain.helpdesk import NATIVE_CURRENCY
from impactchain.jobs import THANK_YOU_JOB
from impactchain.registry import DeploymentManifest, contract_at
from indexer.outbox import OutboxRelay
from indexer.service import LogIndexer
from tests.support.chain import open_help_request, rpc


def donate_many(w3: Web3, manifest: DeploymentManifest, count: int, base: int = 10**15) -> list[tuple[str, int]]:
    """Send `count` donations of distinct amounts from rotating dev accounts; returns (tx hash, amount)."""
    help_desk = manifest.contract("HelpDesk").address
    sent = []
    for i in range(count):
        amount = base + i
        sent.append((send_donation(w3, help_desk, DEV_PRIVATE_KEYS[i % len(DEV_PRIVATE_KEYS)], amount), amount))
    return sent


async def run_to_head(indexer: LogIndexer[Any]) -> int:
    steps = 0
    while (await indexer.step()).advanced:
        steps += 1
    return steps


async def donation_rows(db: asyncpg.Connection) -> list[asyncpg.Record]:
    return await db.fetch("SELECT * FROM donations ORDER BY block_number, log_index")


async def checkpoint_of(db: asyncpg.Connection) -> asyncpg.Record:
    row = await db.fetchrow("SELECT block_number, block_hash FROM indexer_checkpoints")
    assert row is not None, "the indexer saved no checkpoint"
    return row


async def test_backfill_stores_every_donation_exactly(
    chain: Web3, manifest: DeploymentManifest, make_indexer: Callable[..., LogIndexer[Any]], db: asyncpg.Connection
) -> None:
    sent = donate_many(chain, manifest, 7)
    big = 2**64 + 12_345  # above 2**64: must survive NUMERIC(78,0) exactly
    sent.append((send_donation(chain, manifest.contract("HelpDesk").address, DEV_PRIVATE_KEYS[0], big), big))

    await run_to_head(make_indexer(max_batch_blocks=3))

    rows = await donation_rows(db)
    assert [(r["tx_hash"], r["amount"]) for r in rows] == sent
    assert all(isinstance(r["amount"], type(rows[0]["amount"])) for r in rows)
    receipt = chain.eth.get_transaction_receipt(HexStr(sent[-1][0]))
    assert rows[-1]["block_number"] == receipt["blockNumber"]
    assert rows[-1]["block_hash"] == "0x" + receipt["blockHash"].hex().removeprefix("0x")
    assert rows[-1]["donor"] == chain.eth.account.from_key(DEV_PRIVATE_KEYS[0]).address.lower()
    checkpoint = await checkpoint_of(db)
    assert checkpoint["block_number"] == chain.eth.block_number
    jobs = await db.fetch("SELECT function, args FROM job_outbox ORDER BY id")
    assert len(jobs) == len(sent)
    assert {j["function"] for j in jobs} == {THANK_YOU_JOB}


async def test_donor_total_matches_the_contract(
    chain: Web3, manifest: DeploymentManifest, make_indexer: Callable[..., LogIndexer[Any]], db: asyncpg.Connection
) -> None:
    donate_many(chain, manifest, 10)
    await run_to_head(make_indexer())
    help_desk = contract_at(chain, manifest, "HelpDesk")
    rows = await db.fetch(
        "SELECT donor, max(donor_total) AS total, sum(amount) AS summed FROM donations GROUP BY donor"
    )
    assert len(rows) == len(DEV_PRIVATE_KEYS)
    for row in rows:
        on_chain = help_desk.functions.contributionOf(0, NATIVE_CURRENCY, Web3.to_checksum_address(row["donor"])).call()
        assert int(row["total"]) == int(row["summed"]) == on_chain


async def test_donations_keep_their_request_and_currency(
    chain: Web3, manifest: DeploymentManifest, make_indexer: Callable[..., LogIndexer[Any]], db: asyncpg.Connection
) -> None:
    help_desk = manifest.contract("HelpDesk").address
    request_id = open_help_request(chain, manifest, DEV_PRIVATE_KEYS[3])
    to_request = send_donation(chain, help_desk, DEV_PRIVATE_KEYS[1], 7 * 10**15, request_id=request_id)
    to_fund = send_donation(chain, help_desk, DEV_PRIVATE_KEYS[1], 3 * 10**15)
    again = send_donation(chain, help_desk, DEV_PRIVATE_KEYS[1], 5 * 10**15, request_id=request_id)
    await run_to_head(make_indexer())
    rows = {r["tx_hash"]: r for r in await donation_rows(db)}
    assert (rows[to_request]["request_id"], rows[to_request]["donor_total"]) == (request_id, 7 * 10**15)
    assert (rows[to_fund]["request_id"], rows[to_fund]["donor_total"]) == (0, 3 * 10**15)
    assert (rows[again]["request_id"], rows[again]["donor_total"]) == (request_id, 12 * 10**15)
    assert {r["currency"] for r in rows.values()} == {NATIVE_CURRENCY}


async def test_restart_resumes_without_duplicates(
    chain: Web3, manifest: DeploymentManifest, make_indexer: Callable[..., LogIndexer[Any]], db: asyncpg.Connection
) -> None:
    first = donate_many(chain, manifest, 3)
    await run_to_head(make_indexer())
    second = donate_many(chain, manifest, 4, base=2 * 10**15)
    await run_to_head(make_indexer())  # a new process: only the checkpoint carries over
    await run_to_head(make_indexer())
    rows = await donation_rows(db)
    assert [r["tx_hash"] for r in rows] == [tx for tx, _ in first + second]
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == len(first) + len(second)


async def test_failed_step_writes_nothing_and_the_retry_writes_everything_once(
    chain: Web3, manifest: DeploymentManifest, make_indexer: Callable[..., LogIndexer[Any]], db: asyncpg.Connection
) -> None:
    sent = donate_many(chain, manifest, 5)
    # A real database failure at the very end of the step's transaction: the checkpoint write.
    await db.execute(
        """
        CREATE FUNCTION fail_checkpoint() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'disk full (simulated)'; END $$;
        CREATE TRIGGER fail_checkpoint BEFORE INSERT OR UPDATE ON indexer_checkpoints
        FOR EACH ROW EXECUTE FUNCTION fail_checkpoint();
        """
    )
    try:
        with pytest.raises(asyncpg.RaiseError, match="simulated"):
            await make_indexer().step()
        assert await db.fetchval("SELECT count(*) FROM donations") == 0
        assert await db.fetchval("SELECT count(*) FROM job_outbox") == 0
    finally:
        await db.execute("DROP TRIGGER fail_checkpoint ON indexer_checkpoints; DROP FUNCTION fail_checkpoint()")
    await run_to_head(make_indexer())
    assert [r["tx_hash"] for r in await donation_rows(db)] == [tx for tx, _ in sent]


def sample(metric: str, indexer: LogIndexer[Any]) -> float:
    return REGISTRY.get_sample_value(metric, {"indexer": indexer.name}) or 0.0


async def test_metrics_follow_the_indexer(
    chain: Web3, manifest: DeploymentManifest, make_indexer: Callable[..., LogIndexer[Any]], db: asyncpg.Connection
) -> None:
    indexer = make_indexer(max_batch_blocks=2)
    events_before = sample("impactchain_indexer_events_total", indexer)
    donate_many(chain, manifest, 4)

    await run_to_head(indexer)

    assert sample("impactchain_indexer_block", indexer) == chain.eth.block_number
    assert sample("impactchain_indexer_lag_blocks", indexer) == 0
    # Every event of the stream (the deployment's history, the donations' own and those they caused).
    stored = await db.fetchval("SELECT count(*) FROM contract_events")
    assert stored > 4
    assert sample("impactchain_indexer_events_total", indexer) - events_before == stored
    assert sample("impactchain_indexer_step_seconds_count", indexer) >= 2


async def test_reorg_replaces_orphaned_donations(
    chain: Web3, manifest: DeploymentManifest, make_indexer: Callable[..., LogIndexer[Any]], db: asyncpg.Connection
) -> None:
    kept = donate_many(chain, manifest, 2)
    fork_point, fork_block = rpc(chain, "evm_snapshot"), chain.eth.block_number
    orphaned = donate_many(chain, manifest, 3, base=5 * 10**15)
    orphaned_head = chain.eth.block_number
    indexer = make_indexer()
    await run_to_head(indexer)
    assert len(await donation_rows(db)) == 5
    reorgs_before = sample("impactchain_indexer_reorgs_total", indexer)
    depths_before = sample("impactchain_indexer_reorg_depth_blocks_count", indexer)
    depth_sum_before = sample("impactchain_indexer_reorg_depth_blocks_sum", indexer)

    rpc(chain, "evm_revert", [fork_point])
    replacement = donate_many(chain, manifest, 4, base=7 * 10**15)  # a longer, different fork
    await run_to_head(indexer)

    rows = await donation_rows(db)
    assert [r["tx_hash"] for r in rows] == [tx for tx, _ in kept + replacement]
    assert not {tx for tx, _ in orphaned} & {r["tx_hash"] for r in rows}
    assert sample("impactchain_indexer_reorgs_total", indexer) == reorgs_before + 1
    assert sample("impactchain_indexer_reorg_depth_blocks_count", indexer) == depths_before + 1
    depth = sample("impactchain_indexer_reorg_depth_blocks_sum", indexer) - depth_sum_before
    assert depth == orphaned_head - fork_block == 3  # one block per orphaned donation
    head = chain.eth.get_block("latest")
    checkpoint = await checkpoint_of(db)
    assert checkpoint["block_number"] == head["number"]
    assert checkpoint["block_hash"] == "0x" + head["hash"].hex().removeprefix("0x")


async def test_reorg_above_the_checkpoint_is_indexed_from_the_new_fork(
    chain: Web3, manifest: DeploymentManifest, make_indexer: Callable[..., LogIndexer[Any]], db: asyncpg.Connection
) -> None:
    kept = donate_many(chain, manifest, 1)
    fork_point = rpc(chain, "evm_snapshot")
    donate_many(chain, manifest, 2, base=5 * 10**15)
    indexer = make_indexer(max_batch_blocks=1)
    while (await indexer.step()).to_block < chain.eth.block_number - 2:
        pass  # up to the block of `kept`: the checkpoint block itself survives the reorg
    rpc(chain, "evm_revert", [fork_point])
    replacement = donate_many(chain, manifest, 2, base=7 * 10**15)

    await run_to_head(indexer)

    assert [r["tx_hash"] for r in await donation_rows(db)] == [tx for tx, _ in kept + replacement]


async def test_reorg_deeper_than_the_window_rebuilds_from_the_deployment(
    chain: Web3, manifest: DeploymentManifest, make_indexer: Callable[..., LogIndexer[Any]], db: asyncpg.Connection
) -> None:
    fork_point = rpc(chain, "evm_snapshot")
    donate_many(chain, manifest, 4)
    indexer = make_indexer(reorg_window=1, max_batch_blocks=1)
    await run_to_head(indexer)
    rpc(chain, "evm_revert", [fork_point])
    replacement = donate_many(chain, manifest, 5, base=9 * 10**15)
    await run_to_head(indexer)
    assert [r["tx_hash"] for r in await donation_rows(db)] == [tx for tx, _ in replacement]


async def test_confirmations_hold_back_the_newest_blocks(
    chain: Web3, manifest: DeploymentManifest, make_indexer: Callable[..., LogIndexer[Any]], db: asyncpg.Connection
) -> None:
    sent = donate_many(chain, manifest, 3)
    await run_to_head(make_indexer(confirmations=1))
    assert [r["tx_hash"] for r in await donation_rows(db)] == [tx for tx, _ in sent[:2]]


async def test_live_tail_picks_up_new_donations(
    chain: Web3, manifest: DeploymentManifest, make_indexer: Callable[..., LogIndexer[Any]], db: asyncpg.Connection
) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(make_indexer(poll_seconds=0.05).run(stop))
    try:
        await asyncio.sleep(0.2)
        sent = await asyncio.to_thread(donate_many, chain, manifest, 2)
        for _ in range(200):
            if await db.fetchval("SELECT count(*) FROM donations") == 2:
                break
            await asyncio.sleep(0.05)
        assert [r["tx_hash"] for r in await donation_rows(db)] == [tx for tx, _ in sent]
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=5)


async def test_outbox_relay_enqueues_each_job_once(
    chain: Web3,
    manifest: DeploymentManifest,
    make_indexer: Callable[..., LogIndexer[Any]],
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    redis_url: str,
) -> None:
    donate_many(chain, manifest, 3)
    await run_to_head(make_indexer())
    with contextlib.closing(Redis.from_url(redis_url)) as redis:
        queue = Queue("default", connection=redis)
        relay = OutboxRelay(pool, queue, batch=2)
        assert await relay.flush() == 3
        assert await relay.flush() == 0
        assert queue.count == 3
        events = sorted(tuple(job.args) for job in queue.jobs)
        assert events == sorted((31337, r["tx_hash"], r["log_index"]) for r in await donation_rows(db))
        assert {job.func_name for job in queue.jobs} == {THANK_YOU_JOB}
    assert await db.fetchval("SELECT count(*) FROM job_outbox WHERE enqueued_at IS NULL") == 0


async def test_each_stored_donation_draws_one_id(
    chain: Web3, manifest: DeploymentManifest, make_indexer: Callable[..., LogIndexer[Any]], db: asyncpg.Connection
) -> None:
    donate_many(chain, manifest, 3)
    await run_to_head(make_indexer())

    assert [row["id"] for row in await donation_rows(db)] == [1, 2, 3]  # staging draws no ids
