"""One log stream, many projections: each projection gets exactly the events it declared, decoded
once, in chain order; a projection is derived again from the event store (contract_events)
without the node, equal to what the live stream wrote, and a rebuild sends nothing twice."""

import asyncio
import contextlib
import os
import sys
from asyncio.subprocess import PIPE
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from eth_utils import keccak
from redis import Redis
from rq import Queue
from web3 import Web3

from impactchain.devstack.ports import free_port
from impactchain.events import EventLog
from impactchain.registry import DeploymentManifest
from impactchain.settings import Settings
from indexer.main import indexer_config
from indexer.outbox import OutboxRelay
from indexer.projections import projections_for
from indexer.rebuild import rebuild
from indexer.repository import Connection
from indexer.rpc import JsonRpcClient
from indexer.service import LogIndexer
from indexer.stream import PlatformStream
from tests.integration.indexer.test_indexer import donate_many, run_to_head
from tests.integration.indexer.test_round_indexer import CID, FOUNDER, donate
from tests.support.chain import create_round
from tests.support.indexing import projected_rows
from workers.main import run_worker


class Recording:
    """A projection added later: it keeps the token's transfers it is handed (in memory)."""

    name = "token-transfers"
    tables = ()

    def __init__(self) -> None:
        self.events: dict[str, frozenset[str] | None] = {"GovernanceToken": frozenset({"Transfer"})}
        self.seen: list[EventLog] = []

    def stage(self, chain_id: int, events: Sequence[EventLog]) -> "Kept":
        return Kept(self.seen, list(events))

    async def forget_after(self, connection: Connection, chain_id: int, block_number: int) -> int:
        kept = [e for e in self.seen if e.ref.block_number <= block_number]
        removed, self.seen = len(self.seen) - len(kept), kept
        return removed


@dataclass(frozen=True)
class Kept:
    """Events for a `Recording`, kept when stored."""

    into: list[EventLog]
    events: list[EventLog]

    async def store(self, connection: Connection, notify_from: int) -> int:
        self.into.extend(self.events)
        return len(self.events)


async def relay_and_work(pool: asyncpg.Pool, settings: Settings) -> int:
    with contextlib.closing(Redis.from_url(str(settings.redis_url))) as redis:
        queued = await OutboxRelay(pool, Queue(settings.queue_name, connection=redis)).flush()
    run_worker(settings, burst=True)
    return queued


async def test_each_projection_gets_the_events_it_declared_and_replays_them_from_the_store(
    chain: Web3,
    manifest: DeploymentManifest,
    rpc: JsonRpcClient,
    pool: asyncpg.Pool,
    settings: Settings,
    db: asyncpg.Connection,
) -> None:
    donate_many(chain, manifest, 3)
    round_ = create_round(chain, manifest, FOUNDER, salt=keccak(text="stream"), cid=CID, goal=10**19)
    donate(chain, round_, 1, 10**17)
    live = Recording()
    stream = PlatformStream.from_manifest(manifest, [*projections_for(manifest), live])
    await run_to_head(LogIndexer(rpc, pool, stream, chain_id=31337, config=indexer_config(settings)))

    transfers = await db.fetch(
        "SELECT tx_hash, log_index FROM contract_events WHERE contract_name = 'GovernanceToken' AND event = 'Transfer' "
        "ORDER BY block_number, log_index"
    )
    # The general-fund donations' reward mints at least (a round donation mints nothing until released).
    assert len(transfers) >= 3
    assert [(e.ref.tx_hash, e.ref.log_index) for e in live.seen] == [tuple(t) for t in transfers]
    # A round's events are in the event store too, under the round's name.
    names = {r["contract_name"] for r in await db.fetch("SELECT contract_name FROM contract_events")}
    assert "FundingRound" in names

    replayed = Recording()
    result = await rebuild(pool, PlatformStream.from_manifest(manifest, [replayed]), 31337, "token-transfers")

    assert result.events == len(transfers)
    assert replayed.seen == live.seen  # the same events, decoded the same, from PostgreSQL alone


async def test_a_rebuild_from_the_store_derives_the_same_rows_and_sends_nothing_twice(
    chain: Web3,
    manifest: DeploymentManifest,
    make_indexer: Callable[..., LogIndexer[Any]],
    pool: asyncpg.Pool,
    db: asyncpg.Connection,
    worker_env: Settings,
) -> None:
    donate_many(chain, manifest, 3)
    round_ = create_round(chain, manifest, FOUNDER, salt=keccak(text="rebuild"), cid=CID, goal=10**19)
    donate(chain, round_, 1, 10**17)
    donate(chain, round_, 2, 2 * 10**17)
    await run_to_head(make_indexer())
    assert await relay_and_work(pool, worker_env) == 5
    before = await projected_rows(db)
    ids_before = await db.fetch("SELECT id FROM donations ORDER BY id")

    # Through the CLI, with no node to reach: the event store is enough.
    env = {
        **os.environ,
        "DATABASE_URL": str(worker_env.database_url),
        "IMPACTCHAIN_RPC_URL": f"http://127.0.0.1:{free_port()}",
        "IMPACTCHAIN_DEPLOYMENTS_DIR": str(worker_env.deployments_dir),
    }
    for name in ("donations", "funding-rounds"):
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "impactchain", "indexer", "rebuild", name, env=env, stdout=PIPE, stderr=PIPE
        )
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        assert "events replayed into" in out.decode()

    assert await projected_rows(db) == before  # the same rows (and no new jobs)
    assert await db.fetch("SELECT id FROM donations ORDER BY id") != ids_before  # derived again
    assert await relay_and_work(pool, worker_env) == 0
    assert await db.fetchval("SELECT count(*) FROM notifications") == 5


async def test_an_unknown_projection_is_named_with_the_known_ones(
    manifest: DeploymentManifest, pool: asyncpg.Pool, db: asyncpg.Connection
) -> None:
    with pytest.raises(LookupError, match="donations, funding-rounds"):
        await rebuild(pool, PlatformStream.from_manifest(manifest), 31337, "no-such-thing")


async def test_a_projection_added_later_is_replayed_from_the_store_before_the_stream_moves_on(
    chain: Web3,
    manifest: DeploymentManifest,
    rpc: JsonRpcClient,
    pool: asyncpg.Pool,
    settings: Settings,
    db: asyncpg.Connection,
) -> None:
    config = indexer_config(settings)
    await db.execute("DELETE FROM indexer_projections")  # what earlier tests' streams listed
    donate_many(chain, manifest, 3)  # general-fund gifts: each mints governance tokens (a Transfer)
    await run_to_head(LogIndexer(rpc, pool, PlatformStream.from_manifest(manifest), chain_id=31337, config=config))
    listed = await db.fetch("SELECT projection, replayed_to FROM indexer_projections ORDER BY projection")
    assert [tuple(row) for row in listed] == [("donations", None), ("funding-rounds", None)]
    indexed_to = await db.fetchval("SELECT block_number FROM indexer_checkpoints")
    donate_many(chain, manifest, 2, base=5 * 10**15)

    # A new projection module appears (a deploy of new code): the process starts as usual.
    added = Recording()
    stream = PlatformStream.from_manifest(manifest, [*projections_for(manifest), added])
    await run_to_head(LogIndexer(rpc, pool, stream, chain_id=31337, config=config))

    transfers = await db.fetch(
        "SELECT tx_hash, log_index, block_number FROM contract_events "
        "WHERE contract_name = 'GovernanceToken' AND event = 'Transfer' ORDER BY block_number, log_index"
    )
    assert sum(1 for t in transfers if t["block_number"] <= indexed_to) >= 3  # history, from PostgreSQL
    assert sum(1 for t in transfers if t["block_number"] > indexed_to) >= 2  # then live, from the node
    assert [(e.ref.tx_hash, e.ref.log_index) for e in added.seen] == [(t[0], t[1]) for t in transfers]
    assert (
        await db.fetchval("SELECT replayed_to FROM indexer_projections WHERE projection = 'token-transfers'")
        == indexed_to
    )

    # Listed now: the next start replays nothing.
    again = Recording()
    restarted = PlatformStream.from_manifest(manifest, [*projections_for(manifest), again])
    await run_to_head(LogIndexer(rpc, pool, restarted, chain_id=31337, config=config))
    assert again.seen == []
