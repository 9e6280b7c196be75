"""The funding-round indexer against anvil and a real PostgreSQL: rounds are discovered from the
factory's `RoundCreated` and their `Donated` logs follow, across steps and reorgs."""

import json
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from eth_account import Account
from eth_utils import keccak
from web3 import Web3

from impactchain.devstack.anvil import DEV_PRIVATE_KEYS
from impactchain.jobs import ROUND_THANK_YOU_JOB
from impactchain.registry import DeploymentManifest, contract_at
from indexer.service import LogIndexer
from tests.support.chain import create_round, rpc, transact

CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
FOUNDER = Account.from_key(DEV_PRIVATE_KEYS[2]).address
NATIVE = "0x" + "00" * 20


def donate(w3: Web3, round_: Any, key_index: int, amount: int) -> str:
    receipt = transact(w3, round_.functions.donate(), DEV_PRIVATE_KEYS[key_index], value=amount)
    return "0x" + receipt["transactionHash"].hex().removeprefix("0x")


async def run_to_head(indexer: LogIndexer[Any]) -> None:
    while (await indexer.step()).advanced:
        pass


async def round_rows(db: asyncpg.Connection) -> list[asyncpg.Record]:
    return await db.fetch("SELECT * FROM funding_rounds ORDER BY round_index")


async def donation_rows(db: asyncpg.Connection) -> list[asyncpg.Record]:
    return await db.fetch("SELECT * FROM round_donations ORDER BY block_number, log_index")


@pytest.mark.parametrize("max_batch_blocks", [1, 2000])
async def test_rounds_and_their_donations_are_indexed(
    chain: Web3,
    manifest: DeploymentManifest,
    make_indexer: Callable[..., LogIndexer[Any]],
    db: asyncpg.Connection,
    max_batch_blocks: int,
) -> None:
    first = create_round(chain, manifest, FOUNDER, salt=keccak(text="water"), cid=CID, goal=10**19)
    sent = [donate(chain, first, 1, 10**17), donate(chain, first, 3, 2 * 10**17)]
    second = create_round(chain, manifest, FOUNDER, salt=keccak(text="schools"), cid=CID + "2", goal=2**70)
    sent += [donate(chain, second, 1, 3 * 10**17), donate(chain, first, 1, 4 * 10**17)]

    # One block per step, or everything in one step: a round's donations are found either way,
    # including those in the same step as the round's creation.
    await run_to_head(make_indexer(max_batch_blocks=max_batch_blocks))

    factory = contract_at(chain, manifest, "FundingRoundFactory")
    rounds = await round_rows(db)
    assert [r["address"] for r in rounds] == [first.address.lower(), second.address.lower()]
    assert [r["address"] for r in rounds] == [factory.functions.roundAt(i).call().lower() for i in range(2)]
    assert [(r["round_index"], r["metadata_cid"], r["goal"]) for r in rounds] == [
        (0, CID, 10**19),
        (1, CID + "2", 2**70),
    ]
    assert {r["founder"] for r in rounds} == {FOUNDER.lower()}
    assert rounds[0]["deadline"] == first.functions.deadline().call()
    assert rounds[1]["salt"] == "0x" + keccak(text="schools").hex().removeprefix("0x")
    assert {r["factory"] for r in rounds} == {factory.address.lower()}

    donations = await donation_rows(db)
    assert [d["tx_hash"] for d in donations] == sent
    assert [(d["round"], d["amount"]) for d in donations] == [
        (first.address.lower(), 10**17),
        (first.address.lower(), 2 * 10**17),
        (second.address.lower(), 3 * 10**17),
        (first.address.lower(), 4 * 10**17),
    ]
    assert all(d["currency"] == NATIVE and d["matic_equivalent"] == d["amount"] for d in donations)
    donor = Account.from_key(DEV_PRIVATE_KEYS[1]).address
    assert donations[-1]["donor_total"] == 5 * 10**17 == first.functions.contributionOf(donor, NATIVE).call()
    checkpoint = await db.fetchval("SELECT block_number FROM indexer_checkpoints")  # one for the whole stream
    assert checkpoint == chain.eth.block_number
    # Each new donation got its thank-you job, written with it.
    jobs = await db.fetch("SELECT function, args FROM job_outbox ORDER BY id")
    assert [(job["function"], json.loads(job["args"])) for job in jobs] == [
        (ROUND_THANK_YOU_JOB, [31337, donation["tx_hash"], donation["log_index"]]) for donation in donations
    ]


async def test_a_replayed_step_adds_nothing(
    chain: Web3,
    manifest: DeploymentManifest,
    make_indexer: Callable[..., LogIndexer[Any]],
    db: asyncpg.Connection,
) -> None:
    round_ = create_round(chain, manifest, FOUNDER, salt=keccak(text="replay"), cid=CID, goal=10**19)
    donate(chain, round_, 1, 10**17)
    await run_to_head(make_indexer())
    # As after a crash between the writes and a checkpoint that never committed.
    await db.execute("DELETE FROM indexer_checkpoints")
    await db.execute("DELETE FROM indexed_blocks")

    indexer = make_indexer()
    result = await indexer.step()

    assert result.events == 0
    assert len(await round_rows(db)) == 1
    assert len(await donation_rows(db)) == 1
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 1


async def test_a_reorg_forgets_rounds_and_donations_of_the_lost_fork(
    chain: Web3,
    manifest: DeploymentManifest,
    make_indexer: Callable[..., LogIndexer[Any]],
    db: asyncpg.Connection,
) -> None:
    kept = create_round(chain, manifest, FOUNDER, salt=keccak(text="kept"), cid=CID, goal=10**19)
    kept_donation = donate(chain, kept, 1, 10**17)
    fork_point = rpc(chain, "evm_snapshot")
    lost = create_round(chain, manifest, FOUNDER, salt=keccak(text="lost"), cid=CID, goal=10**19)
    donate(chain, lost, 3, 10**17)
    donate(chain, kept, 3, 2 * 10**17)
    indexer = make_indexer()
    await run_to_head(indexer)
    assert len(await round_rows(db)) == 2

    rpc(chain, "evm_revert", [fork_point])
    replacement = donate(chain, kept, 4, 5 * 10**17)
    rpc(chain, "anvil_mine", ["0x3"])  # the new fork outgrows the old one
    await run_to_head(indexer)

    assert [r["address"] for r in await round_rows(db)] == [kept.address.lower()]
    assert [d["tx_hash"] for d in await donation_rows(db)] == [kept_donation, replacement]


async def test_a_rounds_other_events_are_kept_with_their_arguments(
    chain: Web3,
    manifest: DeploymentManifest,
    make_indexer: Callable[..., LogIndexer[Any]],
    db: asyncpg.Connection,
) -> None:
    round_ = create_round(chain, manifest, FOUNDER, salt=keccak(text="lifecycle"), cid=CID, goal=10**17)
    donate(chain, round_, 1, 10**17)
    rpc(chain, "evm_increaseTime", [31 * 24 * 3600])
    rpc(chain, "anvil_mine", ["0x1"])
    transact(chain, round_.functions.finalize(), DEV_PRIVATE_KEYS[3])  # anyone may finalize
    # Anyone choosing a string argument can put NUL in it, which PostgreSQL cannot store.
    transact(chain, round_.functions.submitEvidence(0, "bafy\x00evidence"), DEV_PRIVATE_KEYS[2])

    await run_to_head(make_indexer())

    rows = await db.fetch("SELECT event, args FROM round_events ORDER BY block_number, log_index")
    events = {row["event"]: json.loads(row["args"]) for row in rows}
    # A donation alone rewards nothing (rewards are claimed for what a milestone releases).
    assert [row["event"] for row in rows if row["event"] != "Initialized"] == [
        "MilestoneDefined",
        "RoundInitialized",
        "RoundFinalized",
        "EvidenceSubmitted",
    ]
    assert events["RoundInitialized"] == {
        "founder": FOUNDER,
        "metadataCid": CID,
        "goal": str(10**17),
        "deadline": str(round_.functions.deadline().call()),
        "tokens": [],
        "milestones": "1",
    }
    assert events["RoundFinalized"] == {"status": "1", "raisedEquivalent": str(10**17), "goal": str(10**17)}
    assert events["EvidenceSubmitted"] == {"milestoneId": "0", "founder": FOUNDER, "evidenceCid": "bafy\ufffdevidence"}
    assert {row["round"] for row in await db.fetch("SELECT round FROM round_events")} == {round_.address.lower()}
