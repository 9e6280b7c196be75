"""The API's read path against real PostgreSQL: it reads where DATABASE_READ_URL points (a read
replica; here a second database on the same server holding different rows), falls back to
DATABASE_URL, and its sessions cannot write."""

from collections.abc import Iterator

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.kit.database import Database, PoolOptions
from impactchain.devstack.scratch_db import scratch_database
from impactchain.settings import Settings
from tests.integration.api.test_donations import DONOR_A, DONOR_B, _insert


@pytest.fixture(scope="module")
def replica_url(database_url: str) -> Iterator[str]:
    admin_url = database_url.rpartition("/")[0] + "/postgres"
    with scratch_database(admin_url, prefix="impactchain_replica") as url:
        yield url


async def _donors(settings: Settings) -> list[str]:
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.get("/v1/donations")
    assert response.status_code == 200, response.text
    return [item["donor"].lower() for item in response.json()["items"]]


async def test_reads_go_to_the_read_url_when_one_is_set(
    db: asyncpg.Connection, settings: Settings, replica_url: str
) -> None:
    await _insert(db, block_number=1, log_index=0, donor=DONOR_A)  # on the primary only
    replica = await asyncpg.connect(replica_url)
    try:
        await replica.execute("TRUNCATE donations")
        await _insert(replica, block_number=2, log_index=0, donor=DONOR_B)  # on the replica only
    finally:
        await replica.close()

    assert await _donors(settings.model_copy(update={"database_read_url": replica_url})) == [DONOR_B]
    assert await _donors(settings) == [DONOR_A]  # unset: the primary


def test_the_read_url_comes_from_the_environment_and_defaults_to_the_primary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://primary/db")
    monkeypatch.delenv("IMPACTCHAIN_DATABASE_READ_URL", raising=False)
    monkeypatch.delenv("DATABASE_READ_URL", raising=False)
    assert Settings().api_read_url == "postgresql://primary/db"
    monkeypatch.setenv("DATABASE_READ_URL", "postgres://replica/db")
    assert Settings().api_read_url == "postgresql://replica/db"


async def test_a_read_session_cannot_write(db: asyncpg.Connection, database_url: str) -> None:
    database = Database(database_url, PoolOptions(min_size=1, max_size=1, statement_timeout_ms=1000))
    try:
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await database.fetch("DELETE FROM donations")
    finally:
        await database.close()
