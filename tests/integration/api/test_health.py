"""The probes on the real test database and chain: /health/live and /health/ready (indexer lag)."""

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from web3 import Web3

from api.app import create_app
from impactchain.devstack.ports import free_port
from impactchain.settings import Settings
from tests.integration.conftest import ADMIN_DATABASE_URL

Client = AsyncTestClient[Litestar]


async def _checkpoint(db: asyncpg.Connection, name: str, block: int, chain_id: int = 31337) -> None:
    await db.execute(
        "INSERT INTO indexer_checkpoints (name, chain_id, block_number, block_hash) VALUES ($1, $2, $3, $4)",
        name,
        chain_id,
        block,
        "0x" + "cd" * 32,
    )


async def _ready(settings: Settings, **update: object) -> tuple[int, dict[str, object]]:
    async with AsyncTestClient(app=create_app(settings.model_copy(update=update))) as client:
        response = await client.get("/health/ready")
    return response.status_code, response.json()


async def test_ready_while_every_indexer_is_within_the_limit(
    chain: Web3, db: asyncpg.Connection, settings: Settings
) -> None:
    head = chain.eth.block_number
    await _checkpoint(db, "donations", head)
    await _checkpoint(db, "rounds", head - 5)

    status, body = await _ready(settings, api_ready_max_lag_blocks=5)

    assert status == 200
    assert body == {
        "status": "ok",
        "database": "ok",
        "chain": "ok",
        "head": head,
        "allowedLagBlocks": 5,
        "indexers": [{"name": "donations", "lagBlocks": 0}, {"name": "rounds", "lagBlocks": 5}],
        "reasons": [],
    }


async def test_not_ready_when_one_indexer_lags_past_the_limit(
    chain: Web3, db: asyncpg.Connection, settings: Settings
) -> None:
    head = chain.eth.block_number
    await _checkpoint(db, "donations", head)
    await _checkpoint(db, "rounds", head - 6)

    status, body = await _ready(settings, api_ready_max_lag_blocks=5)

    assert status == 503
    assert body["status"] == "unavailable"
    assert (body["database"], body["chain"]) == ("ok", "ok")
    assert body["reasons"] == ["indexer rounds trails the head by 6 blocks (allowed 5)"]


async def test_confirmations_held_back_on_purpose_do_not_count_as_lag(
    chain: Web3, db: asyncpg.Connection, settings: Settings
) -> None:
    head = chain.eth.block_number
    await _checkpoint(db, "donations", head - 8)

    held_back, body = await _ready(settings, api_ready_max_lag_blocks=5, indexer_confirmations=3)
    plain, _ = await _ready(settings, api_ready_max_lag_blocks=5, indexer_confirmations=0)

    assert (held_back, body["allowedLagBlocks"]) == (200, 8)
    assert plain == 503


async def test_not_ready_before_any_indexer_checkpointed_on_this_chain(
    chain: Web3, db: asyncpg.Connection, settings: Settings
) -> None:
    await _checkpoint(db, "polygon", 5, chain_id=137)  # another chain's checkpoint does not count

    status, body = await _ready(settings)

    assert status == 503
    assert body["indexers"] == []
    assert body["reasons"] == ["no indexer has checkpointed on this chain yet"]


async def test_not_ready_when_the_database_is_down(chain: Web3, settings: Settings) -> None:
    status, body = await _ready(settings, database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/impactchain")

    assert status == 503
    assert (body["database"], body["chain"]) == ("unavailable", "ok")
    assert body["reasons"] == ["database unavailable (or not migrated)"]


async def test_not_ready_when_the_chain_is_down(db: asyncpg.Connection, settings: Settings) -> None:
    status, body = await _ready(settings, rpc_url=f"http://127.0.0.1:{free_port()}")

    assert status == 503
    assert (body["database"], body["chain"], body["head"]) == ("ok", "unavailable", None)
    assert body["reasons"] == ["chain node unavailable"]


@pytest.fixture
async def unmigrated_database_url() -> AsyncIterator[str]:
    """An empty database on the test server: no tables, as before `impactchain migrate`."""
    name = f"impactchain_unmigrated_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(ADMIN_DATABASE_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_DATABASE_URL.partition("?")[0].rpartition("/")[0] + f"/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_not_ready_before_the_migrations_ran(
    chain: Web3, settings: Settings, unmigrated_database_url: str
) -> None:
    status, body = await _ready(settings, database_url=unmigrated_database_url)

    assert status == 503
    assert body["database"] == "unavailable"


async def test_live_answers_even_with_every_dependency_down(settings: Settings) -> None:
    offline = settings.model_copy(
        update={
            "database_url": f"postgresql://postgres@127.0.0.1:{free_port()}/impactchain",
            "rpc_url": f"http://127.0.0.1:{free_port()}",
        }
    )
    async with AsyncTestClient(app=create_app(offline)) as client:
        live = await client.get("/health/live")
        health = await client.get("/health")

    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert health.status_code == 503


async def test_openapi_documents_the_probes_and_readiness_503(client: Client) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]

    ready = paths["/health/ready"]["get"]
    assert {"200", "503"} <= set(ready["responses"])
    assert "IMPACTCHAIN_API_READY_MAX_LAG_BLOCKS" in ready["responses"]["503"]["description"]
    assert ready["summary"] or ready["description"]
    assert "200" in paths["/health/live"]["get"]["responses"]
