"""The platform indexer against anvil and a real PostgreSQL: every event of the deployed
contracts, decoded by each one's ABI, kept once, and forgotten with a lost fork."""

import json
from collections.abc import Callable
from typing import Any

import asyncpg
from eth_account import Account
from web3 import Web3

from impactchain.devstack.anvil import DEV_PRIVATE_KEYS
from impactchain.devstack.seed import send_donation
from impactchain.registry import DeploymentManifest
from indexer.service import LogIndexer
from indexer.stream import IMPLEMENTATIONS
from tests.support.chain import rpc

DONOR = Account.from_key(DEV_PRIVATE_KEYS[1]).address
NATIVE = "0x" + "00" * 20


async def run_to_head(indexer: LogIndexer[Any]) -> None:
    while (await indexer.step()).advanced:
        pass


async def events_of(db: asyncpg.Connection, tx_hash: str) -> list[tuple[str, str, dict[str, Any]]]:
    rows = await db.fetch(
        "SELECT contract_name, event, args FROM contract_events WHERE tx_hash = $1 ORDER BY log_index", tx_hash
    )
    return [(row["contract_name"], row["event"], json.loads(row["args"])) for row in rows]


async def test_a_donation_is_seen_in_every_contract_it_touches(
    chain: Web3,
    manifest: DeploymentManifest,
    make_indexer: Callable[..., LogIndexer[Any]],
    db: asyncpg.Connection,
) -> None:
    tx_hash = send_donation(chain, manifest.contract("HelpDesk").address, DEV_PRIVATE_KEYS[1], 2 * 10**18)

    await run_to_head(make_indexer(max_batch_blocks=7))

    events = await events_of(db, tx_hash)
    assert [(name, event) for name, event, _ in events] == [
        ("HelpDesk", "Donated"),
        ("GovernanceToken", "Transfer"),
        ("GovernanceToken", "DonationRecorded"),
        ("ReputationBadge", "ActivityRecorded"),
    ]
    by_event = {event: args for _, event, args in events}
    assert by_event["Transfer"] == {"from": NATIVE, "to": DONOR, "value": str(2 * 10**18)}
    assert by_event["Donated"] == {
        "requestId": "0",
        "donor": DONOR,
        "currency": NATIVE,
        "amount": str(2 * 10**18),
        "donorTotal": str(2 * 10**18),
    }
    help_desk = manifest.contract("HelpDesk").address
    assert by_event["ActivityRecorded"]["recorder"] == Web3.to_checksum_address(help_desk)
    # The deployment itself is history too: every followed contract has events from it, under its name.
    names = {row["contract_name"] for row in await db.fetch("SELECT DISTINCT contract_name FROM contract_events")}
    assert names == set(manifest.contracts) - IMPLEMENTATIONS
    contracts = {row["contract"] for row in await db.fetch("SELECT DISTINCT contract FROM contract_events")}
    assert manifest.contract("GovernanceTokenImplementation").address.lower() not in contracts
    # Every kind of event stored is listed, once (the steps of 7 blocks met most kinds more than once).
    kinds = await db.fetch("SELECT contract_name, event FROM event_kinds ORDER BY 1, 2")
    stored = await db.fetch("SELECT DISTINCT contract_name, event FROM contract_events ORDER BY 1, 2")
    assert [tuple(row) for row in kinds] == [tuple(row) for row in stored]
    assert ("HelpDesk", "Donated") in [tuple(row) for row in kinds]


async def test_a_reorg_forgets_the_events_of_the_lost_fork(
    chain: Web3,
    manifest: DeploymentManifest,
    make_indexer: Callable[..., LogIndexer[Any]],
    db: asyncpg.Connection,
) -> None:
    help_desk = manifest.contract("HelpDesk").address
    kept = send_donation(chain, help_desk, DEV_PRIVATE_KEYS[1], 10**18)
    fork_point = rpc(chain, "evm_snapshot")
    lost = send_donation(chain, help_desk, DEV_PRIVATE_KEYS[2], 10**18)
    indexer = make_indexer()
    await run_to_head(indexer)
    before = await db.fetchval("SELECT count(*) FROM contract_events")

    rpc(chain, "evm_revert", [fork_point])
    replacement = send_donation(chain, help_desk, DEV_PRIVATE_KEYS[3], 3 * 10**18)
    rpc(chain, "anvil_mine", ["0x2"])
    await run_to_head(indexer)

    assert await events_of(db, lost) == []
    assert len(await events_of(db, kept)) == len(await events_of(db, replacement)) == 4
    assert await db.fetchval("SELECT count(*) FROM contract_events") == before
