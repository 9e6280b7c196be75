"""The API's read path against real PostgreSQL: it reads where DATABASE_READ_URL points (a read
replica; here a second database on the same server holding different rows), falls back to
DATABASE_URL, and its sessions cannot write; it keeps its connections between reads, replaces
one the server dropped, and gets over statement timeouts and cancelled reads."""

import asyncio
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.kit.database import Database, DatabaseUnavailableError, PoolOptions
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


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, PoolOptions(min_size=1, max_size=2, statement_timeout_ms=300))
    yield database
    await database.close()


async def _backends(database: Database) -> set[int]:
    answers = await asyncio.gather(*(database.fetch("SELECT pg_backend_pid()") for _ in range(8)))
    return {rows[0][0] for rows in answers}


async def test_reads_reuse_their_connections(db: asyncpg.Connection, database: Database) -> None:
    first = await _backends(database)
    again = await _backends(database)

    assert len(first) <= 2
    assert again == first


async def test_a_connection_the_server_dropped_is_replaced_and_the_read_retried(
    db: asyncpg.Connection, database: Database
) -> None:
    pid = (await database.fetch("SELECT pg_backend_pid()"))[0][0]
    await db.execute("SELECT pg_terminate_backend($1)", pid)

    rows = await database.fetch("SELECT pg_backend_pid()")

    assert rows[0][0] != pid


async def test_a_read_past_its_statement_timeout_is_a_503_and_the_connection_serves_on(
    db: asyncpg.Connection, database: Database
) -> None:
    pid = (await database.fetch("SELECT pg_backend_pid()"))[0][0]

    with pytest.raises(DatabaseUnavailableError):
        await database.fetch("SELECT pg_sleep(5)")

    assert (await database.fetch("SELECT pg_backend_pid()"))[0][0] == pid


async def test_a_read_cancelled_mid_statement_leaves_no_connection_busy(
    db: asyncpg.Connection, database: Database
) -> None:
    for _ in range(3):  # more cancellations than the pool has connections
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await database.fetch("SELECT pg_sleep(0.2)")

    answers = await asyncio.gather(*(database.fetch("SELECT 1") for _ in range(4)))
    assert [rows[0][0] for rows in answers] == [1] * 4
