"""A round's kept figures (raised per currency, who donated, distinct donors) always equal
a recomputation over its donations: after new donations, a replayed step, rollbacks to any block
(a reorg) and a rebuild from the event store. On the real chain through the indexer, and on many
generated donations in several currencies through the projection's own write and rollback."""

import random
from collections.abc import Callable
from typing import Any

import asyncpg
from eth_utils import keccak
from web3 import Web3

from impactchain.events import EventLog, LogRef
from impactchain.registry import DeploymentManifest
from indexer.projections.funding_rounds import FundingRounds
from indexer.rebuild import rebuild
from indexer.service import LogIndexer
from indexer.stream import PlatformStream
from tests.integration.indexer.test_round_indexer import CID, FOUNDER, donate, run_to_head
from tests.support.chain import create_round, rpc

CHAIN_ID = 31337
FACTORY = "0x" + "fa" * 20
NATIVE = "0x" + "00" * 20
TOKENS = [NATIVE, "0x" + "e2" * 20, "0x" + "e3" * 20]

KEPT = """
SELECT 'total' AS kind, chain_id, round, currency AS key, amount, matic_equivalent, donations FROM round_totals
UNION ALL SELECT 'donor', chain_id, round, donor, NULL, NULL, NULL FROM round_donors
UNION ALL SELECT 'donors', chain_id, address, NULL, NULL, NULL, donors FROM funding_rounds
"""
RECOMPUTED = """
SELECT 'total' AS kind, chain_id, round, currency AS key, sum(amount), sum(matic_equivalent), count(*)
FROM round_donations GROUP BY chain_id, round, currency
UNION ALL SELECT DISTINCT 'donor', chain_id, round, donor, NULL::numeric, NULL::numeric, NULL::bigint
FROM round_donations
UNION ALL SELECT 'donors', f.chain_id, f.address, NULL, NULL, NULL,
    (SELECT count(DISTINCT donor) FROM round_donations d WHERE d.chain_id = f.chain_id AND d.round = f.address)
FROM funding_rounds f
"""


async def kept(db: asyncpg.Connection) -> list[tuple[object, ...]]:
    return sorted(tuple(row) for row in await db.fetch(KEPT))


async def recomputed(db: asyncpg.Connection) -> list[tuple[object, ...]]:
    return sorted(tuple(row) for row in await db.fetch(RECOMPUTED))


async def assert_kept_equals_recomputed(db: asyncpg.Connection) -> None:
    figures = await kept(db)
    assert figures == await recomputed(db)


def _ref(block: int, index: int) -> LogRef:
    return LogRef(block, f"0x{block:064x}", f"0x{block:032x}{index:032x}", index)


def round_created(block: int, round_: str, index: int) -> EventLog:
    args = {
        "round": round_,
        "roundIndex": str(index),
        "founder": FOUNDER,
        "salt": "0x" + "00" * 32,
        "metadataCid": CID,
        "goal": str(10**21),
        "deadline": "2000000000",
        "milestones": "1",
        "implementation": "0x" + "11" * 20,
    }
    return EventLog(FACTORY, "RoundCreated", args, _ref(block, 0))


def donated(block: int, index: int, round_: str, donor: str, currency: str, amount: int) -> EventLog:
    args = {
        "donor": donor,
        "currency": currency,
        "amount": str(amount),
        "maticEquivalent": str(amount * 2),
        "donorTotal": str(amount),  # not what the aggregates read
    }
    return EventLog(round_, "Donated", args, _ref(block, index))


async def test_generated_donations_and_rollbacks_keep_figures_equal_to_a_recomputation(
    db: asyncpg.Connection,
) -> None:
    rng = random.Random(12)
    projection = FundingRounds(FACTORY)
    rounds = [f"0x{0x40000 + r:040x}" for r in range(4)]
    donors = [f"0x{0xD000 + d:040x}" for d in range(12)]
    blocks: list[list[EventLog]] = [[round_created(1, r, i) for i, r in enumerate(rounds)]]
    for block in range(2, 60):
        count = rng.randrange(0, 6)
        picks = [(rng.choice(rounds), rng.choice(donors), rng.choice(TOKENS)) for _ in range(count)]
        blocks.append([donated(block, i + 1, *pick, rng.randrange(1, 10**20)) for i, pick in enumerate(picks)])

    async def write(upto: int, start: int = 0) -> None:
        async with db.transaction():
            for events in blocks[start:upto]:
                await projection.stage(CHAIN_ID, events).store(db, 2**62)

    await write(40)
    await assert_kept_equals_recomputed(db)
    figures_at_40 = await kept(db)
    await write(40)  # replayed: nothing stored twice, nothing counted twice
    assert await kept(db) == figures_at_40
    # One write of stored and new donations alike (all new ones are counted from the records;
    # a mix by what the INSERT actually added): only the new ones count.
    async with db.transaction():
        await projection.stage(CHAIN_ID, [e for events in blocks[35:45] for e in events]).store(db, 2**62)
    await assert_kept_equals_recomputed(db)
    async with db.transaction():
        await projection.forget_after(db, CHAIN_ID, 40)  # blocks[i] is block i + 1
    assert await kept(db) == figures_at_40

    # Rollbacks of one block, of many, to just above the rounds' creation, then forward again:
    # each time the figures are what a recomputation over the remaining donations gives.
    for fork, then in ((39, 45), (20, 50), (44, 58), (1, 30), (29, 60)):
        async with db.transaction():
            await projection.forget_after(db, CHAIN_ID, fork)
        await assert_kept_equals_recomputed(db)
        await write(then, start=fork)
        await assert_kept_equals_recomputed(db)
    assert {row[0] for row in await kept(db)} == {"total", "donor", "donors"}
    assert len({row[3] for row in await kept(db) if row[0] == "total"}) == len(TOKENS)

    async with db.transaction():
        await projection.forget_after(db, CHAIN_ID, 0)  # the rounds themselves go
    assert await kept(db) == []


async def round_figures(db: asyncpg.Connection, address: str) -> tuple[object, ...]:
    row = await db.fetchrow(
        "SELECT f.donors, t.amount, t.donations FROM funding_rounds f"
        " JOIN round_totals t ON t.chain_id = f.chain_id AND t.round = f.address WHERE f.address = $1",
        address.lower(),
    )
    assert row is not None
    return tuple(row)


async def test_on_the_chain_figures_follow_donations_a_reorg_and_a_rebuild(
    chain: Web3,
    manifest: DeploymentManifest,
    make_indexer: Callable[..., LogIndexer[Any]],
    pool: asyncpg.Pool,
    db: asyncpg.Connection,
) -> None:
    round_ = create_round(chain, manifest, FOUNDER, salt=keccak(text="figures"), cid=CID, goal=10**19)
    donate(chain, round_, 1, 10**17)
    donate(chain, round_, 3, 2 * 10**17)
    donate(chain, round_, 1, 3 * 10**17)
    indexer = make_indexer(max_batch_blocks=1)
    await run_to_head(indexer)
    assert await round_figures(db, round_.address) == (2, 6 * 10**17, 3)
    await assert_kept_equals_recomputed(db)

    fork_point = rpc(chain, "evm_snapshot")
    donate(chain, round_, 4, 4 * 10**17)  # a new donor, lost in the reorg
    donate(chain, round_, 3, 5 * 10**17)  # a repeat donor, lost too
    await run_to_head(indexer)
    assert await round_figures(db, round_.address) == (3, 15 * 10**17, 5)

    rpc(chain, "evm_revert", [fork_point])
    donate(chain, round_, 2, 7 * 10**17)
    rpc(chain, "anvil_mine", ["0x3"])  # the new fork outgrows the old one
    await run_to_head(indexer)
    assert await round_figures(db, round_.address) == (3, 13 * 10**17, 4)
    await assert_kept_equals_recomputed(db)

    before = await kept(db)
    await rebuild(pool, PlatformStream.from_manifest(manifest), CHAIN_ID, "funding-rounds")
    assert await kept(db) == before
    await assert_kept_equals_recomputed(db)
