"""The slice end to end: API builds the tx, a wallet signs and sends it, the indexer stores it,
the API serves it, and a real RQ worker runs the thank-you job — each a real process started
through the `impactchain` CLI, against anvil, PostgreSQL and Redis."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
from eth_account import Account
from redis import Redis
from rq import Queue
from rq.job import Job, JobStatus
from web3 import Web3

from impactchain.devstack.anvil import DEV_PRIVATE_KEYS
from impactchain.devstack.ports import free_port
from impactchain.registry import DeploymentManifest
from impactchain.settings import Settings

pytestmark = pytest.mark.e2e
T = TypeVar("T")
HEX_FIELDS = ("chainId", "value", "gas", "maxFeePerGas", "maxPriorityFeePerGas", "nonce", "type")


def eventually(probe: Callable[[], T | None], timeout: float = 30.0, what: str = "condition") -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value is not None:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


@pytest.fixture
def platform(settings: Settings, manifest: DeploymentManifest, chain: Web3, db: asyncpg.Connection) -> Iterator[str]:
    """Indexer, API and worker as child processes; yields the API's base URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": str(settings.database_url),
        "REDIS_URL": str(settings.redis_url),
        "IMPACTCHAIN_RPC_URL": settings.chain_rpc_url,
        "IMPACTCHAIN_DEPLOYMENTS_DIR": str(settings.deployments_dir),
        "IMPACTCHAIN_API_PORT": str(port),
        "IMPACTCHAIN_INDEXER_POLL_SECONDS": "0.1",
    }
    processes = {
        name: subprocess.Popen([sys.executable, "-m", "impactchain", name], env=env, stdin=subprocess.DEVNULL)
        for name in ("indexer", "api", "worker")
    }
    base_url = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: _healthy(base_url, processes), what="the API to become healthy")
        yield base_url
    finally:
        for process in processes.values():
            process.send_signal(signal.SIGTERM)
        codes = {name: process.wait(timeout=20) for name, process in processes.items()}
    assert all(code in (0, -signal.SIGTERM) for code in codes.values()), f"unclean exits: {codes}"


def _healthy(base_url: str, processes: dict[str, subprocess.Popen[bytes]]) -> bool | None:
    for name, process in processes.items():
        if process.poll() is not None:
            raise AssertionError(f"{name} exited early with code {process.returncode}")
    try:
        return httpx.get(f"{base_url}/health", timeout=1).status_code == 200 or None
    except httpx.TransportError:
        return None


def sign(unsigned: dict[str, Any], private_key: str) -> bytes:
    tx = {key: int(value, 16) if key in HEX_FIELDS else value for key, value in unsigned.items()}
    tx.pop("from")
    return bytes(Account.sign_transaction(tx, private_key).raw_transaction)


def test_wallet_donation_flows_through_every_layer(
    platform: str, chain: Web3, manifest: DeploymentManifest, settings: Settings
) -> None:
    donor = Account.from_key(DEV_PRIVATE_KEYS[2]).address
    amount = 1_250_000_000_000_000_001

    built = httpx.post(f"{platform}/v1/tx/donate", json={"from": donor, "amount": str(amount)}, timeout=10)
    assert built.status_code == 201 or built.status_code == 200, built.text
    unsigned = built.json()
    assert unsigned["to"].lower() == manifest.contract("HelpDesk").address.lower()
    assert int(unsigned["value"], 16) == amount

    tx_hash = chain.eth.send_raw_transaction(sign(unsigned, DEV_PRIVATE_KEYS[2]))
    assert chain.eth.wait_for_transaction_receipt(tx_hash, timeout=30)["status"] == 1

    def served() -> dict[str, Any] | None:
        items = httpx.get(f"{platform}/v1/donations", params={"donor": donor}, timeout=5).json()["items"]
        return items[0] if items else None

    donation = eventually(served, what="the donation to be indexed and served")
    assert donation["donor"] == donor
    assert donation["amount"] == str(amount)
    assert donation["txHash"] == "0x" + tx_hash.hex().removeprefix("0x")

    assert settings.redis_url is not None
    with Redis.from_url(settings.redis_url) as redis:
        queue = Queue(settings.queue_name, connection=redis)
        job = eventually(lambda: _finished(queue, "outbox-1"), what="the worker to finish the thank-you job")
        assert job.return_value() == "sent"


def _finished(queue: Queue, job_id: str) -> Job | None:
    job = Job.fetch(job_id, connection=queue.connection) if queue.connection.exists(f"rq:job:{job_id}") else None
    return job if job is not None and job.get_status() == JobStatus.FINISHED else None
