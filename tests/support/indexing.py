"""Run a real indexer over the test chain, for tests that read what it projects."""

from typing import Any

import asyncpg

from impactchain.registry import DeploymentManifest
from impactchain.settings import Settings
from indexer.events import PlatformEvents
from indexer.funding import FundingRounds
from indexer.main import indexer_config
from indexer.rpc import JsonRpcClient
from indexer.service import LogIndexer, Projection


async def index_to_head(settings: Settings, manifest: DeploymentManifest, projection: Projection[Any]) -> None:
    assert settings.database_url is not None
    rpc = JsonRpcClient(settings.chain_rpc_url)
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        indexer = LogIndexer(rpc, pool, projection, chain_id=manifest.chain_id, config=indexer_config(settings))
        while (await indexer.step()).advanced:
            pass
    finally:
        await pool.close()
        await rpc.close()


async def index_rounds_to_head(settings: Settings, manifest: DeploymentManifest) -> None:
    """Index the deployed factory's rounds and their events up to the chain's head."""
    await index_to_head(settings, manifest, FundingRounds.from_manifest(manifest))


async def index_platform_to_head(settings: Settings, manifest: DeploymentManifest) -> None:
    """Index every event of the deployed platform contracts up to the chain's head."""
    await index_to_head(settings, manifest, PlatformEvents.from_manifest(manifest))
