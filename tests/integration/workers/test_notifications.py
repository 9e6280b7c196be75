"""Thank-you jobs run by a real forking RQ worker against Redis and PostgreSQL."""

from collections.abc import Iterator

import asyncpg
import pytest
from redis import Redis
from rq import Queue
from rq.job import Job, JobStatus

from impactchain.jobs import THANK_YOU_JOB
from impactchain.settings import Settings, get_settings
from workers.main import run_worker

DONOR = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"


@pytest.fixture
def worker_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Jobs read settings from the environment in the forked work horse."""
    assert settings.database_url is not None
    assert settings.redis_url is not None
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


@pytest.fixture
def queue(worker_env: Settings) -> Iterator[Queue]:
    assert worker_env.redis_url is not None
    redis = Redis.from_url(worker_env.redis_url)
    yield Queue(worker_env.queue_name, connection=redis)
    redis.close()


async def insert_donation(db: asyncpg.Connection, amount: int) -> int:
    donation_id: int = await db.fetchval(
        """
        INSERT INTO donations (chain_id, contract, request_id, donor, currency, amount, donor_total,
                               block_number, block_hash, tx_hash, log_index)
        VALUES (31337, $1, 0, $2, $6, $3, $3, 5, $4, $5, 0) RETURNING id
        """,
        "0x" + "ab" * 20,
        DONOR,
        amount,
        "0x" + "11" * 32,
        "0x" + "22" * 32,
        "0x" + "00" * 20,
    )
    return donation_id


def work(queue: Queue, settings: Settings, *args: object) -> Job:
    job = queue.enqueue(THANK_YOU_JOB, *args)
    run_worker(settings, burst=True)
    job.refresh()
    return job


async def test_thank_you_is_recorded_once(db: asyncpg.Connection, queue: Queue, worker_env: Settings) -> None:
    donation_id = await insert_donation(db, 1_500_000_000_000_000_000)

    first = work(queue, worker_env, donation_id)
    second = work(queue, worker_env, donation_id)

    assert first.get_status() == JobStatus.FINISHED
    assert first.return_value() == "sent"
    assert second.return_value() == "already-sent"
    rows = await db.fetch("SELECT * FROM notifications")
    assert len(rows) == 1
    assert rows[0]["donation_id"] == donation_id
    assert rows[0]["recipient"] == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    assert "1.5 MATIC" in rows[0]["message"]


async def test_job_for_a_rolled_back_donation_is_a_no_op(
    db: asyncpg.Connection, queue: Queue, worker_env: Settings
) -> None:
    job = work(queue, worker_env, 424242)
    assert job.return_value() == "donation-gone"
    assert await db.fetchval("SELECT count(*) FROM notifications") == 0


async def test_bad_argument_fails_the_job_with_a_clear_error(
    db: asyncpg.Connection, queue: Queue, worker_env: Settings
) -> None:
    job = work(queue, worker_env, "12; DROP TABLE donations")
    assert job.get_status() == JobStatus.FAILED
    result = job.latest_result()
    assert result is not None
    assert result.exc_string is not None
    assert "donation_id must be a positive int" in result.exc_string
    assert await db.fetchval("SELECT count(*) FROM donations") == 0
