from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import asyncpg
import pytest
from web3 import Web3

from impactchain.registry import DeploymentManifest
from impactchain.settings import Settings
from indexer.main import indexer_config
from indexer.rpc import JsonRpcClient
from indexer.service import DonationIndexer


@pytest.fixture
async def pool(settings: Settings, db: asyncpg.Connection) -> AsyncIterator[asyncpg.Pool]:
    assert settings.database_url is not None
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=4)
    yield pool
    await pool.close()


@pytest.fixture
async def rpc(settings: Settings) -> AsyncIterator[JsonRpcClient]:
    client = JsonRpcClient(settings.chain_rpc_url)
    yield client
    await client.close()


@pytest.fixture
def make_indexer(
    rpc: JsonRpcClient, pool: asyncpg.Pool, settings: Settings, manifest: DeploymentManifest, chain: Web3
) -> Callable[..., DonationIndexer]:
    def build(**overrides: Any) -> DonationIndexer:
        config = replace(indexer_config(settings), **overrides)
        return DonationIndexer(rpc, pool, chain_id=31337, contract=manifest.contract("HelpDesk"), config=config)

    return build
