"""Indexer throughput on anvil + PostgreSQL, measured side by side in one run.

    python -m bench.indexer_throughput [--events 100000] [--repeats 3]

Emits `--events` HelpDesk-shaped `Donated` events from MockDonationBurst (many per
transaction), then reports medians over `--repeats` runs of:
  fetch      raw eth_getLogs over HTTP, ranges in flight (the ceiling for the indexer)
  decode     hand-sliced decoding (what the indexer does) vs eth_abi.decode + checksums
  indexer    the real HelpDesk indexer: fetch, decode, COPY, insert, outbox, checkpoint
Needs PostgreSQL at DATABASE_URL (default 127.0.0.1:5432, used to create a scratch database).
"""

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import asyncpg
from eth_abi import decode as abi_decode
from eth_typing import HexStr
from web3 import Web3

from impactchain.devstack.anvil import Anvil
from impactchain.devstack.deploy import compiled_contract_type
from impactchain.devstack.ports import free_port
from impactchain.devstack.scratch_db import scratch_database
from impactchain.helpdesk import DONATED_TOPIC, decode_donated
from impactchain.observability import configure_logging
from impactchain.registry import DeployedContract
from indexer.helpdesk import HelpDeskDonations
from indexer.rpc import JsonRpcClient
from indexer.service import IndexerConfig, LogIndexer

EVENTS_PER_TX = 1000


def deploy_burst(w3: Web3) -> tuple[str, int]:
    bytecode = compiled_contract_type("MockDonationBurst")["deploymentBytecode"]["bytecode"]
    sender = w3.eth.accounts[0]
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({"from": sender, "data": bytecode}))
    return str(receipt["contractAddress"]), int(receipt["blockNumber"])


def emit_events(w3: Web3, burst: str, events: int) -> None:
    selector = Web3.keccak(text="emitDonations(uint256,uint256)")[:4].hex()
    sender = w3.eth.accounts[0]
    for first in range(0, events, EVENTS_PER_TX):
        count = min(EVENTS_PER_TX, events - first)
        data = HexStr("0x" + selector.removeprefix("0x") + f"{count:064x}" + f"{10**15 + first:064x}")
        tx = w3.eth.send_transaction({"from": sender, "to": burst, "data": data, "gas": 15_000_000})
        if w3.eth.wait_for_transaction_receipt(tx)["status"] != 1:
            raise RuntimeError("emitDonations reverted")


async def fetch_all(rpc: JsonRpcClient, address: str, start: int, end: int, step: int = 10) -> list[dict[str, Any]]:
    ranges = [(lo, min(end, lo + step - 1)) for lo in range(start, end + 1, step)]
    logs: list[dict[str, Any]] = []
    for i in range(0, len(ranges), 4):
        chunks = await asyncio.gather(*(rpc.logs(address, DONATED_TOPIC, lo, hi) for lo, hi in ranges[i : i + 4]))
        logs.extend(log for chunk in chunks for log in chunk)
    return logs


def generic_decode(log: dict[str, Any]) -> tuple[int, str, str, int, int]:
    """What a generic ABI decoder does for the same event (it returns checksummed addresses)."""
    amount, total = abi_decode(["uint256", "uint256"], bytes.fromhex(log["data"][2:]))
    indexed = b"".join(bytes.fromhex(topic[2:]) for topic in log["topics"][1:])
    request_id, donor, currency = abi_decode(["uint256", "address", "address"], indexed)
    return request_id, donor, currency, amount, total


def decode_all(decode: Callable[[dict[str, Any]], object], logs: list[dict[str, Any]]) -> None:
    for log in logs:
        decode(log)


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


async def timed_async(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    await fn()
    return time.perf_counter() - started


async def index_once(database_url: str, rpc: JsonRpcClient, contract: DeployedContract) -> float:
    connection = await asyncpg.connect(database_url)
    await connection.execute("TRUNCATE donations, indexer_checkpoints, indexed_blocks, job_outbox")
    await connection.close()
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    indexer = LogIndexer(rpc, pool, HelpDeskDonations(contract), chain_id=31337, config=IndexerConfig())

    async def to_head() -> None:
        while (await indexer.step()).advanced:
            pass

    elapsed = await timed_async(to_head)
    await pool.close()
    return elapsed


async def measure(anvil_url: str, database_url: str, contract: DeployedContract, events: int, repeats: int) -> None:
    rpc = JsonRpcClient(anvil_url)
    head = await rpc.block_number()
    fetch_s, slice_s, generic_s, index_s = [], [], [], []
    for _ in range(repeats):
        started = time.perf_counter()
        logs = await fetch_all(rpc, contract.address, contract.block, head)
        fetch_s.append(time.perf_counter() - started)
        assert len(logs) == events, f"fetched {len(logs)} logs, expected {events}"
        slice_s.append(timed(partial(decode_all, decode_donated, logs)))
        generic_s.append(timed(partial(decode_all, generic_decode, logs)))
        index_s.append(await index_once(database_url, rpc, contract))
    await rpc.close()

    def rate(samples: list[float]) -> str:
        return (
            f"{events / statistics.median(samples):>10,.0f} ev/s  (median of {len(samples)}: "
            + ", ".join(f"{s:.2f}s" for s in samples)
            + ")"
        )

    print(f"\nIndexer throughput, {events:,} Donated events, {repeats} runs each, same run:")
    print(f"  fetch   eth_getLogs, 10-block ranges, 4 in flight  {rate(fetch_s)}")
    print(f"  decode  hand-sliced (indexer)                      {rate(slice_s)}")
    print(f"  decode  eth_abi.decode + checksum (generic)        {rate(generic_s)}")
    print(f"  index   HelpDesk indexer end to end (to PostgreSQL) {rate(index_s)}")
    speedup = statistics.median(generic_s) / statistics.median(slice_s)
    share = statistics.median(fetch_s) / statistics.median(index_s)
    print(f"  ratios  hand-sliced decode is {speedup:.1f}x the generic decoder; fetch is {share:.0%} of index time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    configure_logging("WARNING")
    if args.events < EVENTS_PER_TX or args.repeats < 1:
        parser.error(f"--events must be at least {EVENTS_PER_TX} and --repeats at least 1")
    admin_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    anvil = Anvil(free_port()).start()
    try:
        w3 = Web3(Web3.HTTPProvider(anvil.url))
        address, block = deploy_burst(w3)
        started = time.perf_counter()
        emit_events(w3, address, args.events)
        print(f"emitted {args.events:,} events in {time.perf_counter() - started:.1f}s")
        contract = DeployedContract(address=address, block=block)
        with scratch_database(admin_url, prefix="impactchain_bench") as database_url:
            asyncio.run(measure(anvil.url, database_url, contract, args.events, args.repeats))
    finally:
        anvil.stop()


if __name__ == "__main__":
    main()
