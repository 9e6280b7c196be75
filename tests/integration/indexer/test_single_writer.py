"""Exactly one writer: two `impactchain indexer` processes against one database; one holds the
writer lock and indexes, the other stands by, and takes over within seconds when the first is
killed."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from asyncio.subprocess import PIPE
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from prometheus_client import REGISTRY
from web3 import Web3

from impactchain.registry import DeploymentManifest
from impactchain.settings import Settings
from indexer.service import LogIndexer
from indexer.writer import LOCK_NAMESPACE, WriterLock, WriterLostError
from tests.integration.indexer.test_indexer import donate_many

HOLDER = """
SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.classid = $1::int::oid AND l.objid = $2::int::oid AND l.granted
"""


StartIndexer = Callable[[str], tuple[subprocess.Popen[bytes], Path]]


@pytest.fixture
def indexer_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": str(settings.database_url),
        "REDIS_URL": str(settings.redis_url),
        "IMPACTCHAIN_RPC_URL": settings.chain_rpc_url,
        "IMPACTCHAIN_DEPLOYMENTS_DIR": str(settings.deployments_dir),
        "IMPACTCHAIN_INDEXER_POLL_SECONDS": "0.1",
        "IMPACTCHAIN_INDEXER_STANDBY_POLL_SECONDS": "0.2",
    }


@pytest.fixture
def start_indexer(indexer_env: dict[str, str], tmp_path: Path) -> Iterator[StartIndexer]:
    """Start `impactchain indexer` processes (output in a file each); SIGTERM the living at the end."""
    processes: list[subprocess.Popen[bytes]] = []
    env = indexer_env

    def start(name: str) -> tuple[subprocess.Popen[bytes], Path]:
        output = tmp_path / f"{name}.log"
        with output.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "impactchain", "indexer"], env=env, stdout=sink, stderr=subprocess.STDOUT
            )
        processes.append(process)
        return process, output

    yield start
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)


async def holders(db: asyncpg.Connection) -> list[str]:
    key = WriterLock("unused").key
    return [row["application_name"] for row in await db.fetch(HOLDER, LOCK_NAMESPACE, key)]


async def wait_for(probe: Callable[[], Awaitable[bool]], within: float, what: str) -> float:
    """Seconds until `probe` is true."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        if await probe():
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {within:.0f}s waiting for {what}")


async def test_one_writes_the_other_stands_by_and_takes_over_when_it_dies(
    chain: Web3,
    manifest: DeploymentManifest,
    db: asyncpg.Connection,
    start_indexer: StartIndexer,
    indexer_env: dict[str, str],
) -> None:
    first, _ = start_indexer("first")
    first_name = f"impactchain-indexer-writer pid={first.pid}"

    async def first_holds() -> bool:
        return await holders(db) == [first_name]

    await wait_for(first_holds, 60, "the first indexer to take the writer lock")
    second, second_log = start_indexer("second")
    second_name = f"impactchain-indexer-writer pid={second.pid}"

    async def second_stands_by() -> bool:
        return "standing by" in second_log.read_text()

    await wait_for(second_stands_by, 60, "the second indexer to stand by")
    sent = donate_many(chain, manifest, 3)

    def indexed(count: int) -> Callable[[], Awaitable[bool]]:
        async def probe() -> bool:
            return bool(await db.fetchval("SELECT count(*) FROM donations") == count)

        return probe

    await wait_for(indexed(3), 30, "the writer to index the donations")
    assert await holders(db) == [first_name]  # still one writer
    status = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "impactchain", "indexer", "status", env=indexer_env, stdout=PIPE, stderr=PIPE
    )
    out, err = await status.communicate()
    assert status.returncode == 0, err.decode()
    assert f"writer: {first_name}" in out.decode()
    assert "platform:" in out.decode() and "(chain 31337): block" in out.decode()
    assert second.poll() is None and first.poll() is None

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)

    async def second_holds() -> bool:
        return await holders(db) == [second_name]

    takeover = await wait_for(second_holds, 30, "the standby to take over")
    assert takeover < 5, f"the standby took {takeover:.1f}s to take over"
    more = donate_many(chain, manifest, 2, base=4 * 10**15)
    await wait_for(indexed(5), 30, "the new writer to index new donations")
    rows = await db.fetch("SELECT tx_hash FROM donations ORDER BY block_number, log_index")
    assert [r["tx_hash"] for r in rows] == [tx for tx, _ in sent + more]


async def test_a_writer_whose_lock_session_died_commits_nothing(
    settings: Settings,
    chain: Web3,
    manifest: DeploymentManifest,
    db: asyncpg.Connection,
    make_indexer: Callable[..., LogIndexer[Any]],
) -> None:
    assert settings.database_url is not None
    writer = WriterLock(settings.database_url, poll_seconds=0.05)
    lost = REGISTRY.get_sample_value("impactchain_indexer_writer_lost_total") or 0.0
    assert await writer.acquire(asyncio.Event())
    assert REGISTRY.get_sample_value("impactchain_indexer_writer") == 1
    indexer = make_indexer()
    indexer.writer = writer
    try:
        donate_many(chain, manifest, 1)
        while (await indexer.step()).advanced:
            pass
        assert await db.fetchval("SELECT count(*) FROM donations") == 1
        # The lock's session ends (a network cut, a restarted server): another process may write now.
        await db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
            f"impactchain-indexer-writer pid={os.getpid()}",
        )
        donate_many(chain, manifest, 1, base=2 * 10**15)
        with pytest.raises(WriterLostError):
            await indexer.step()
        assert await db.fetchval("SELECT count(*) FROM donations") == 1
        # The lock state is visible: not a writer any more, one loss counted by the step.
        assert REGISTRY.get_sample_value("impactchain_indexer_writer") == 0
        assert REGISTRY.get_sample_value("impactchain_indexer_writer_lost_total") == lost + 1
        # The watcher notices the dead session too, and counts it.
        await asyncio.wait_for(writer.watch(asyncio.Event()), timeout=10)
        assert REGISTRY.get_sample_value("impactchain_indexer_writer_lost_total") == lost + 2
    finally:
        await writer.release()
