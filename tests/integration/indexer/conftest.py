from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from typing import Any

import asyncpg
import pytest
from web3 import Web3

from impactchain.registry import DeploymentManifest
from impactchain.settings import Settings, get_settings
from indexer.main import indexer_config, projections
from indexer.rpc import JsonRpcClient, RetryPolicy
from indexer.service import LogIndexer
from indexer.stream import PlatformStream
from tests.support.rpc_proxy import RpcProxy


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
) -> Callable[..., LogIndexer[Any]]:
    """The platform's stream indexer (every contract, every round, every projection), as
    `impactchain indexer` runs it, with `IndexerConfig` fields overridden by keyword."""

    def build(**overrides: Any) -> LogIndexer[Any]:
        config = replace(indexer_config(settings), **overrides)
        return LogIndexer(rpc, pool, PlatformStream.from_manifest(manifest), chain_id=31337, config=config)

    return build


@pytest.fixture
async def proxy(settings: Settings, chain: Web3) -> AsyncIterator[RpcProxy]:
    """A JSON-RPC proxy in front of anvil; a test sets its `hook` to reorg or to fail requests."""
    running = await RpcProxy(settings.chain_rpc_url).start()
    yield running
    await running.stop()


# Quick retries for tests: faults cost milliseconds, not seconds.
FAST_RETRY = RetryPolicy(attempts=8, base_seconds=0.01, cap_seconds=0.05)


@pytest.fixture
async def proxied_rpc(proxy: RpcProxy) -> AsyncIterator[JsonRpcClient]:
    client = JsonRpcClient(proxy.url, timeout=1.0, retry=FAST_RETRY)
    yield client
    await client.close()


@pytest.fixture
def make_indexers(
    pool: asyncpg.Pool, settings: Settings, manifest: DeploymentManifest, chain: Web3
) -> Callable[..., list[LogIndexer[Any]]]:
    """What `impactchain indexer` runs, over `rpc`, with `IndexerConfig` overrides."""

    def build(rpc: JsonRpcClient, **overrides: Any) -> list[LogIndexer[Any]]:
        config = replace(indexer_config(settings), **overrides)
        return [LogIndexer(rpc, pool, p, chain_id=31337, config=config) for p in projections(manifest)]

    return build


@pytest.fixture
def worker_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Jobs read settings from the environment in the forked work horse."""
    monkeypatch.setenv("DATABASE_URL", str(settings.database_url))
    monkeypatch.setenv("REDIS_URL", str(settings.redis_url))
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()
