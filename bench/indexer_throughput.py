"""Indexer throughput on anvil + PostgreSQL, measured side by side in one run.

    python -m bench.indexer_throughput [--events 100000] [--repeats 3]

Emits `--events` HelpDesk-shaped `Donated` events from MockDonationBurst (many per
transaction), and as many funding-round events from `--rounds` rounds that MockRoundBurst
announces with `RoundCreated` (nine in ten FundingRound `Donated`, one in ten
`MilestoneApproved`), then reports medians over `--repeats` runs of:
  fetch      raw eth_getLogs over HTTP, ranges in flight (the ceiling for the indexer)
  decode     hand-sliced decoding (what the indexer does) vs eth_abi.decode + checksums
  indexer    the real HelpDesk indexer: fetch, decode, COPY, insert, outbox, checkpoint
  rounds     the real funding-round indexer over the same number of events: round discovery,
             one eth_getLogs per range for all rounds, hand-sliced donations and ABI-decoded
             other events, COPY, insert, checkpoint
  platform   the real platform-events indexer over the HelpDesk-shaped events, every one decoded
             from HelpDesk's ABI into JSON arguments (what it does for every platform contract)
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
import msgspec
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
from indexer.projections.donations import HelpDeskDonations
from indexer.projections.funding_rounds import FundingRounds
from indexer.rpc import JsonRpcClient
from indexer.service import IndexerConfig, LogIndexer, Projection
from indexer.stream import PlatformStream

EVENTS_PER_TX = 1000
ROUNDS_PER_TX = 20


def deploy_burst(w3: Web3, name: str = "MockDonationBurst") -> tuple[str, int]:
    bytecode = compiled_contract_type(name)["deploymentBytecode"]["bytecode"]
    sender = w3.eth.accounts[0]
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({"from": sender, "data": bytecode}))
    return str(receipt["contractAddress"]), int(receipt["blockNumber"])


def send(w3: Web3, to: str, signature: str, *words: int) -> None:
    selector = Web3.keccak(text=signature)[:4].hex().removeprefix("0x")
    data = HexStr("0x" + selector + "".join(f"{word:064x}" for word in words))
    tx = w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": to, "data": data, "gas": 15_000_000})
    if w3.eth.wait_for_transaction_receipt(tx)["status"] != 1:
        raise RuntimeError(f"{signature} reverted")


def emit_events(w3: Web3, burst: str, events: int, signature: str = "emitDonations(uint256,uint256)") -> None:
    for first in range(0, events, EVENTS_PER_TX):
        send(w3, burst, signature, min(EVENTS_PER_TX, events - first), 10**15 + first)


def emit_round_events(w3: Web3, factory: str, rounds: int, events: int) -> None:
    """`rounds` rounds announced by MockRoundBurst, then `events` events spread evenly over them."""
    for first in range(0, rounds, ROUNDS_PER_TX):
        send(w3, factory, "createRounds(uint256)", min(ROUNDS_PER_TX, rounds - first))
    burst = w3.eth.contract(
        address=Web3.to_checksum_address(factory), abi=compiled_contract_type("MockRoundBurst")["abi"]
    )
    for index in range(rounds):
        share = events // rounds + (1 if index < events % rounds else 0)
        emit_events(w3, burst.functions.rounds(index).call(), share, "emitEvents(uint256,uint256)")


async def fetch_all(rpc: JsonRpcClient, address: str, start: int, end: int, step: int = 10) -> list[dict[str, Any]]:
    ranges = [(lo, min(end, lo + step - 1)) for lo in range(start, end + 1, step)]
    logs: list[dict[str, Any]] = []
    for i in range(0, len(ranges), 4):
        chunks = await asyncio.gather(*(rpc.logs(address, DONATED_TOPIC, lo, hi) for lo, hi in ranges[i : i + 4]))
        logs.extend(msgspec.to_builtins(log) for chunk in chunks for log in chunk)
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


async def index_once(database_url: str, rpc: JsonRpcClient, projection: Projection[Any]) -> float:
    connection = await asyncpg.connect(database_url)
    await connection.execute(
        "TRUNCATE donations, funding_rounds, round_donations, round_events, indexer_checkpoints, indexed_blocks, "
        "job_outbox, contract_events"
    )
    await connection.close()
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    indexer = LogIndexer(rpc, pool, projection, chain_id=31337, config=IndexerConfig())

    async def to_head() -> None:
        while (await indexer.step()).advanced:
            pass

    elapsed = await timed_async(to_head)
    await pool.close()
    return elapsed


async def measure(
    anvil_url: str, database_url: str, contract: DeployedContract, factory: DeployedContract, events: int, repeats: int
) -> None:
    rpc = JsonRpcClient(anvil_url)
    head = await rpc.block_number()
    # The platform's stream over one contract each, with one projection or none.
    with_abi = contract.model_copy(update={"abi": compiled_contract_type("HelpDesk")["abi"]})
    helpdesk = PlatformStream({"HelpDesk": with_abi}, [HelpDeskDonations(contract.address)])
    rounds = PlatformStream(
        {
            "FundingRoundFactory": factory.model_copy(
                update={"abi": compiled_contract_type("FundingRoundFactory")["abi"]}
            )
        },
        [FundingRounds(factory.address)],
        compiled_contract_type("FundingRound")["abi"],
    )
    platform = PlatformStream({"HelpDesk": with_abi}, [])
    fetch_s, slice_s, generic_s, index_s, rounds_s, platform_s = [], [], [], [], [], []
    for _ in range(repeats):
        started = time.perf_counter()
        logs = await fetch_all(rpc, contract.address, contract.block, head)
        fetch_s.append(time.perf_counter() - started)
        assert len(logs) == events, f"fetched {len(logs)} logs, expected {events}"
        slice_s.append(timed(partial(decode_all, decode_donated, logs)))
        generic_s.append(timed(partial(decode_all, generic_decode, logs)))
        index_s.append(await index_once(database_url, rpc, helpdesk))
        rounds_s.append(await index_once(database_url, rpc, rounds))
        await check_stored(
            database_url, "SELECT (SELECT count(*) FROM round_donations) + (SELECT count(*) FROM round_events)", events
        )
        platform_s.append(await index_once(database_url, rpc, platform))
        await check_stored(database_url, "SELECT count(*) FROM contract_events", events)
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
    print(f"  rounds  funding-round indexer end to end            {rate(rounds_s)}")
    print(f"  events  platform-events indexer (ABI-decoded)       {rate(platform_s)}")
    speedup = statistics.median(generic_s) / statistics.median(slice_s)
    share = statistics.median(fetch_s) / statistics.median(index_s)
    print(f"  ratios  hand-sliced decode is {speedup:.1f}x the generic decoder; fetch is {share:.0%} of index time")
    relative = statistics.median(index_s) / statistics.median(rounds_s)
    print(f"          the funding-round indexer runs at {relative:.0%} of the HelpDesk indexer's rate")
    generic = statistics.median(index_s) / statistics.median(platform_s)
    print(f"          the platform-events indexer runs at {generic:.0%} of the HelpDesk indexer's rate")


async def check_stored(database_url: str, count_query: str, events: int) -> None:
    """The run stored every event once: a fast wrong indexer must not pass for a fast one."""
    connection = await asyncpg.connect(database_url)
    try:
        stored = await connection.fetchval(count_query)
    finally:
        await connection.close()
    assert stored == events, f"{count_query!r} counted {stored} events, expected {events}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    configure_logging("WARNING")
    if args.events < EVENTS_PER_TX or args.repeats < 1 or not 1 <= args.rounds <= args.events:
        parser.error(f"--events must be at least {EVENTS_PER_TX}, --repeats at least 1, --rounds 1 to --events")
    admin_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    anvil = Anvil(free_port()).start()
    try:
        w3 = Web3(Web3.HTTPProvider(anvil.url))
        address, block = deploy_burst(w3)
        started = time.perf_counter()
        emit_events(w3, address, args.events)
        factory, factory_block = deploy_burst(w3, "MockRoundBurst")
        emit_round_events(w3, factory, args.rounds, args.events)
        print(f"emitted {args.events:,} events twice in {time.perf_counter() - started:.1f}s")
        contract = DeployedContract(address=address, block=block)
        rounds = DeployedContract(address=factory, block=factory_block)
        with scratch_database(admin_url, prefix="impactchain_bench") as database_url:
            asyncio.run(measure(anvil.url, database_url, contract, rounds, args.events, args.repeats))
    finally:
        anvil.stop()


if __name__ == "__main__":
    main()
