"""Finality: the indexer records the chain's finalized block with each checkpoint (anvil serves
the `finalized` tag 64 blocks behind the head), and /v1/status shows how many indexed blocks are
not final yet."""

from collections.abc import Callable
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient
from web3 import Web3

from api.app import create_app
from impactchain.registry import DeploymentManifest
from impactchain.settings import Settings
from indexer.service import LogIndexer
from tests.integration.indexer.test_indexer import donate_many, run_to_head
from tests.support.chain import rpc


async def test_status_shows_the_finalized_block_and_what_is_unconfirmed(
    chain: Web3,
    manifest: DeploymentManifest,
    make_indexer: Callable[..., LogIndexer[Any]],
    db: asyncpg.Connection,
    settings: Settings,
) -> None:
    donate_many(chain, manifest, 2)
    rpc(chain, "anvil_mine", ["0x50"])  # well past anvil's 64 unfinalized blocks
    await run_to_head(make_indexer())
    finalized = chain.eth.get_block("finalized")["number"]
    checkpoint = await db.fetchrow("SELECT block_number, finalized_block FROM indexer_checkpoints")
    assert checkpoint is not None
    assert checkpoint["finalized_block"] == finalized > 0
    assert checkpoint["block_number"] == chain.eth.block_number

    async with AsyncTestClient(app=create_app(settings)) as client:
        body = (await client.get("/v1/status")).json()

    (indexer,) = body["indexers"]
    assert indexer["finalizedBlock"] == finalized
    assert indexer["unconfirmedBlocks"] == checkpoint["block_number"] - finalized == 64


async def test_status_without_finality_says_nothing_is_known(db: asyncpg.Connection, settings: Settings) -> None:
    await db.execute(
        "INSERT INTO indexer_checkpoints (name, chain_id, block_number, block_hash) "
        "VALUES ('platform:x', 31337, 3, '0x')"
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        (indexer,) = (await client.get("/v1/status")).json()["indexers"]
    assert (indexer["finalizedBlock"], indexer["unconfirmedBlocks"]) == (None, None)
