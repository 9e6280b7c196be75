"""Real parts for integration tests: PostgreSQL, Redis and an anvil chain with contracts deployed.

PostgreSQL: a fresh database next to `DATABASE_URL` (default the machine's server on
127.0.0.1:5432), migrated to head and dropped at the end. Redis: `REDIS_URL` (default
127.0.0.1:6379) on database 15, flushed around each test. anvil: on a free port, with the
contracts deployed once by the real ape deploy script; each test runs in an EVM snapshot.
"""

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
import redis
from web3 import Web3

from impactchain.devstack.anvil import Anvil
from impactchain.devstack.deploy import deploy
from impactchain.devstack.ports import free_port
from impactchain.devstack.scratch_db import scratch_database
from impactchain.registry import DeploymentManifest, load_manifest
from impactchain.settings import Settings
from tests.support.chain import rpc

ADMIN_DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PROJECTED_TABLES = (
    "donations",
    "contract_events",
    "event_kinds",
    "funding_rounds",
    "round_donations",
    "round_events",
    "round_totals",
    "round_donors",
    "indexer_checkpoints",
    "indexed_blocks",
    "indexer_projections",
    "indexer_deferred_indexes",
    "job_outbox",
    "notifications",
)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with scratch_database(ADMIN_DATABASE_URL, prefix="impactchain_test") as url:
        yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the test database, emptied before each test."""
    connection = await asyncpg.connect(database_url)
    await connection.execute(f"TRUNCATE {', '.join(PROJECTED_TABLES)} RESTART IDENTITY")
    yield connection
    await connection.close()


@pytest.fixture
def redis_url() -> Iterator[str]:
    client = redis.Redis.from_url(TEST_REDIS_URL)
    client.flushdb()
    yield TEST_REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture(scope="session")
def anvil() -> Iterator[Anvil]:
    node = Anvil(free_port()).start()
    yield node
    node.stop()


@pytest.fixture(scope="session")
def deployments_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("deployments")


@pytest.fixture(scope="session")
def manifest(anvil: Anvil, deployments_dir: Path) -> DeploymentManifest:
    deploy(anvil.url, deployments_dir=deployments_dir)
    return load_manifest(deployments_dir, 31337)


@pytest.fixture(scope="session")
def w3(anvil: Anvil) -> Web3:
    return Web3(Web3.HTTPProvider(anvil.url))


@pytest.fixture
def chain(w3: Web3, manifest: DeploymentManifest) -> Iterator[Web3]:
    """The deployed chain, reverted to its post-deploy state after the test."""
    snapshot = rpc(w3, "evm_snapshot")
    yield w3
    rpc(w3, "evm_revert", [snapshot])


@pytest.fixture
def settings(database_url: str, redis_url: str, anvil: Anvil, deployments_dir: Path) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        rpc_url=anvil.url,
        deployments_dir=deployments_dir,
        indexer_poll_seconds=0.1,
    )
