"""Thank-you jobs run by a real forking RQ worker against Redis and PostgreSQL."""

from collections.abc import Iterator

import asyncpg
import pytest
from eth_utils import to_checksum_address
from redis import Redis
from rq import Queue
from rq.job import Job, JobStatus

from impactchain.jobs import ROUND_THANK_YOU_JOB, THANK_YOU_JOB
from impactchain.settings import Settings, get_settings
from workers.main import run_worker

DONOR = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
ROUND = "0x" + "cd" * 20
# The chain identity (chain id, tx hash, log index) of the donation each insert_* helper stores.
DONATION = (31337, "0x" + "22" * 32, 0)
ROUND_DONATION = (31337, "0x" + "44" * 32, 1)
GONE = (31337, "0x" + "99" * 32, 7)


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


async def insert_round_donation(db: asyncpg.Connection, amount: int, donor_total: int) -> int:
    round_donation_id: int = await db.fetchval(
        """
        INSERT INTO round_donations (chain_id, round, donor, currency, amount, matic_equivalent, donor_total,
                                     block_number, block_hash, tx_hash, log_index)
        VALUES (31337, $1, $2, $3, $4, $4, $5, 7, $6, $7, 1) RETURNING id
        """,
        ROUND,
        DONOR,
        "0x" + "00" * 20,
        amount,
        donor_total,
        "0x" + "33" * 32,
        "0x" + "44" * 32,
    )
    return round_donation_id


def work(queue: Queue, settings: Settings, *args: object, job: str = THANK_YOU_JOB) -> Job:
    enqueued = queue.enqueue(job, *args)
    run_worker(settings, burst=True)
    enqueued.refresh()
    return enqueued


async def test_thank_you_is_recorded_once(db: asyncpg.Connection, queue: Queue, worker_env: Settings) -> None:
    donation_id = await insert_donation(db, 1_500_000_000_000_000_000)

    first = work(queue, worker_env, *DONATION)
    second = work(queue, worker_env, *DONATION)

    assert first.get_status() == JobStatus.FINISHED
    assert first.return_value() == "sent"
    assert second.return_value() == "already-sent"
    rows = await db.fetch("SELECT * FROM notifications")
    assert len(rows) == 1
    assert rows[0]["donation_id"] == donation_id
    assert (rows[0]["chain_id"], rows[0]["tx_hash"], rows[0]["log_index"]) == DONATION
    assert rows[0]["recipient"] == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    assert "1.5 MATIC" in rows[0]["message"]


async def test_job_for_a_rolled_back_donation_is_a_no_op(
    db: asyncpg.Connection, queue: Queue, worker_env: Settings
) -> None:
    job = work(queue, worker_env, *GONE)
    assert job.return_value() == "donation-gone"
    assert await db.fetchval("SELECT count(*) FROM notifications") == 0


async def test_bad_argument_fails_the_job_with_a_clear_error(
    db: asyncpg.Connection, queue: Queue, worker_env: Settings
) -> None:
    job = work(queue, worker_env, 31337, "12; DROP TABLE donations", 0)
    assert job.get_status() == JobStatus.FAILED
    result = job.latest_result()
    assert result is not None
    assert result.exc_string is not None
    assert "tx_hash must be a lowercase 0x-prefixed 32-byte hex string" in result.exc_string
    assert await db.fetchval("SELECT count(*) FROM donations") == 0


async def test_round_donors_are_thanked_once_apart_from_help_desk_donors(
    db: asyncpg.Connection, queue: Queue, worker_env: Settings
) -> None:
    donation_id = await insert_donation(db, 10**18)
    round_donation_id = await insert_round_donation(db, 25 * 10**17, donor_total=4 * 10**18)
    assert donation_id == round_donation_id  # same number, different tables: two notifications

    help_desk = work(queue, worker_env, *DONATION)
    first = work(queue, worker_env, *ROUND_DONATION, job=ROUND_THANK_YOU_JOB)
    second = work(queue, worker_env, *ROUND_DONATION, job=ROUND_THANK_YOU_JOB)

    assert [job.return_value() for job in (help_desk, first, second)] == ["sent", "sent", "already-sent"]
    rows = await db.fetch("SELECT * FROM notifications WHERE round_donation_id IS NOT NULL")
    assert len(rows) == 1
    assert (rows[0]["round_donation_id"], rows[0]["donation_id"], rows[0]["kind"]) == (
        round_donation_id,
        None,
        "round-thank-you",
    )
    assert f"2.5 MATIC to funding round {to_checksum_address(ROUND)} (transaction 0x{'44' * 32})" in rows[0]["message"]
    assert "in this round so far: 4 MATIC equivalent" in rows[0]["message"]


async def test_round_thank_you_for_a_rolled_back_donation_is_a_no_op(
    db: asyncpg.Connection, queue: Queue, worker_env: Settings
) -> None:
    job = work(queue, worker_env, *GONE, job=ROUND_THANK_YOU_JOB)
    assert job.return_value() == "donation-gone"
    bad = work(queue, worker_env, True, GONE[1], GONE[2], job=ROUND_THANK_YOU_JOB)
    assert bad.get_status() == JobStatus.FAILED
    result = bad.latest_result()
    assert result is not None and result.exc_string is not None
    assert "chain_id must be a positive int, got True" in result.exc_string
    assert await db.fetchval("SELECT count(*) FROM notifications") == 0


async def test_a_donation_derived_again_with_a_new_row_is_not_thanked_twice(
    db: asyncpg.Connection, queue: Queue, worker_env: Settings
) -> None:
    first_id = await insert_donation(db, 10**18)
    assert work(queue, worker_env, *DONATION).return_value() == "sent"
    # A reorg deeper than the window, or a rebuild: the same event's row deleted and written again.
    await db.execute("DELETE FROM donations")
    second_id = await insert_donation(db, 10**18)
    assert second_id != first_id

    again = work(queue, worker_env, *DONATION)

    assert again.return_value() == "already-sent"
    assert await db.fetchval("SELECT count(*) FROM notifications") == 1
