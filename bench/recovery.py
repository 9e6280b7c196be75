"""Disaster-recovery timings on a small chain, for docs/OPERATIONS.md (RTO).

    python -m bench.recovery [--events 20000]

On anvil, `--events` HelpDesk-shaped `Donated` events (MockDonationBurst); on PostgreSQL, a scratch
database. Measures, in one run:
  re-index   drop the projections and index the chain again from the deployment block (the
             disaster path for everything chain-derived): HelpDesk indexer over the platform stream
  rebuild    `impactchain indexer rebuild donations`: the projection again from contract_events
  backup     `impactchain db backup` (pg_dump, custom format) of the resulting database
  restore    `impactchain db restore --into` a fresh database (pg_restore, one transaction)
Needs PostgreSQL at DATABASE_URL (default 127.0.0.1:5432, used to create scratch databases).
"""

import argparse
import asyncio
import os
import tempfile
from pathlib import Path

import asyncpg
from web3 import Web3

from bench.indexer_throughput import deploy_burst, emit_events, index_once
from impactchain.db.backup import backup, restore
from impactchain.devstack.anvil import Anvil
from impactchain.devstack.deploy import compiled_contract_type
from impactchain.devstack.ports import free_port
from impactchain.devstack.scratch_db import empty_database, scratch_database
from impactchain.observability import configure_logging
from impactchain.registry import DeployedContract
from indexer.projections.donations import HelpDeskDonations
from indexer.rebuild import rebuild
from indexer.rpc import JsonRpcClient
from indexer.stream import PlatformStream


async def reindex_and_rebuild(
    anvil_url: str, database_url: str, contract: DeployedContract, *, jobs_pending: bool = False
) -> tuple[float, float]:
    with_abi = contract.model_copy(update={"abi": compiled_contract_type("HelpDesk")["abi"]})
    stream = PlatformStream({"HelpDesk": with_abi}, [HelpDeskDonations(contract.address)])
    rpc = JsonRpcClient(anvil_url)
    try:
        reindex = await index_once(database_url, rpc, stream)
    finally:
        await rpc.close()
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        if not jobs_pending:  # what the outbox relay does within seconds of each step
            await pool.execute("UPDATE job_outbox SET enqueued_at = now() WHERE enqueued_at IS NULL")
        rebuilt = await rebuild(pool, stream, 31337, "donations")
    finally:
        await pool.close()
    return reindex, rebuilt.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument(
        "--jobs-pending", action="store_true", help="rebuild before the outbox relay enqueued the thank-you jobs"
    )
    args = parser.parse_args()
    configure_logging("WARNING")
    admin_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    anvil = Anvil(free_port()).start()
    try:
        w3 = Web3(Web3.HTTPProvider(anvil.url))
        address, block = deploy_burst(w3)
        emit_events(w3, address, args.events)
        blocks = w3.eth.block_number - block
        contract = DeployedContract(address=address, block=block)
        with scratch_database(admin_url, prefix="impactchain_bench") as database_url:
            reindex, rebuilt = asyncio.run(
                reindex_and_rebuild(anvil.url, database_url, contract, jobs_pending=args.jobs_pending)
            )
            with tempfile.TemporaryDirectory() as folder:
                archive = Path(folder) / "bench.dump"
                dumped = backup(database_url, archive)
                with empty_database(admin_url, prefix="impactchain_bench_restore") as restore_url:
                    restored = restore(archive, restore_url)
    finally:
        anvil.stop()
    n = args.events
    print(f"\nRecovery on a small chain: {n:,} Donated events over {blocks:,} blocks, same run:")
    print(f"  re-index from the chain   {reindex:6.2f}s  {n / reindex:>9,.0f} events/s")
    pending = " (their jobs still pending)" if args.jobs_pending else ""
    print(f"  rebuild from the store    {rebuilt:6.2f}s  {n / rebuilt:>9,.0f} events/s{pending}")
    print(f"  backup (pg_dump -Fc)      {dumped.seconds:6.2f}s  {dumped.bytes / 1e6:.1f} MB archive")
    print(f"  restore (pg_restore)      {restored.seconds:6.2f}s  into a fresh database")


if __name__ == "__main__":
    main()
