"""The indexer on a million-log chain of mixed shape, measured side by side in one run.

    python -m bench.indexer_chain [--events 1000000] [--rebuild-chain]

The chain (bench/indexer_chain_build.py) is the platform deployed by the real deploy script and
driven by BenchDriver: HelpDesk and round donations, governance token transfers, auction bids,
votes, round lifecycles; dense blocks of thousands of events, sparse blocks of one, stretches of
empty blocks. Built once (10-15 minutes), then loaded from the anvil state dump in
.bench-cache/indexer_chain/. One run reports:
  (a) raw      eth_getLogs of every platform log (the indexer's address list), over aiohttp and
               decoded by msgspec into the indexer's RawLog structs (its own transport and parse),
               ranges of about 5,000 logs planned from the chain's shape, 4 requests in flight: the
               ceiling. Once to warm the node up (just loaded, it serves the first pass at about
               half speed), then the median of three passes
  (b) indexer  a full backfill by the real entry point (`python -m impactchain indexer`, a child
               process): every projection, the event store, the outbox and its relay to Redis,
               from the deployment block to the head; events/s end to end and the process's
               peak RSS; then every table checked against the chain
  (c) replay   `impactchain indexer rebuild NAME` of each projection from contract_events
  (d) floor    PostgreSQL alone: (b)'s rows, exported as binary COPY files, loaded into a fresh
               database as the initial sync writes them (its secondary indexes dropped by the
               indexer's own begin_bulk_load; the event store on one connection, the projections'
               tables on another, each in one COPY: no node, no decoding, no steps), then the
               indexes built by its own end_bulk_load. What the database's part of (b) costs when
               nothing else runs, against the time the 25% target allows (four times (a)'s)
and (b)/(a). With PostgreSQL on this machine, also the bounds (b)'s CPU sets: all of it spread
over every CPU with none idle, and how busy its head phase would have to keep them to reach the
target in the time the index builds leave. Needs PostgreSQL (DATABASE_URL, default 127.0.0.1:5432) and Redis
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/12; the database is flushed).
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import orjson
import redis

from bench._proc import cpu_seconds, postgres_cpu_seconds
from bench.indexer_chain_build import CHAIN_ID, IMPLEMENTATIONS, AnvilNode, ChainShape, build_chain, cached_chain
from impactchain.devstack.scratch_db import scratch_database
from impactchain.observability import configure_logging
from impactchain.registry import DeploymentManifest, load_manifest
from impactchain.settings import PROJECT_ROOT, Settings
from indexer.main import rebuild_from_store
from indexer.rpc import LOGS_ANSWER
from indexer.stream import EVENT_STORE, INDEX_BUILDERS, PlatformStream

LOGS_PER_REQUEST = 5_000
IN_FLIGHT = 4
RAW_PASSES = 3
POLL_SECONDS = 0.05
TARGET = 0.25  # (b)/(a)


def plan_ranges(shape: ChainShape, first: int, last: int, per_request: int = LOGS_PER_REQUEST) -> list[tuple[int, int]]:
    """Block ranges of about `per_request` logs each (a dense block alone may exceed it)."""
    ranges, start, logs = [], first, 0
    for block, count in shape.block_events:
        if block < first or block > last:
            continue
        if logs and logs + count > per_request:
            ranges.append((start, block - 1))
            start, logs = block, 0
        logs += count
    ranges.append((start, last))
    return ranges


async def raw_fetch(url: str, addresses: list[str], ranges: list[tuple[int, int]]) -> tuple[int, float]:
    """Every log of `ranges`, `IN_FLIGHT` requests at a time, decoded as the indexer's client
    decodes them: (logs, seconds)."""
    gate = asyncio.Semaphore(IN_FLIGHT)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=IN_FLIGHT)) as http:

        async def one(start: int, end: int) -> int:
            log_filter = {"address": addresses, "fromBlock": hex(start), "toBlock": hex(end)}
            body = orjson.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_getLogs", "params": [log_filter]})
            async with gate, http.post(url, data=body, headers={"content-type": "application/json"}) as response:
                content = await response.read()
            return len(LOGS_ANSWER.decode(content).result or [])

        started = time.perf_counter()
        counts = await asyncio.gather(*(one(start, end) for start, end in ranges))
        return sum(counts), time.perf_counter() - started


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def progress(connection: asyncpg.Connection) -> tuple[int, int]:
    """The checkpoint's block and how many deferred indexes are still to build."""
    block = await connection.fetchval("SELECT coalesce(max(block_number), -1) FROM indexer_checkpoints")
    deferred = await connection.fetchval("SELECT count(*) FROM indexer_deferred_indexes")
    return int(block), int(deferred)


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds used so far by the indexer, PostgreSQL (None: not on this machine) and anvil."""

    indexer: float
    postgres: float | None
    anvil: float

    @classmethod
    def now(cls, indexer_pid: int, anvil_pid: int) -> "CpuUse":
        return cls(cpu_seconds(indexer_pid), postgres_cpu_seconds(), cpu_seconds(anvil_pid))

    def since(self, start: "CpuUse") -> "CpuUse":
        postgres = None if self.postgres is None or start.postgres is None else self.postgres - start.postgres
        return CpuUse(self.indexer - start.indexer, postgres, self.anvil - start.anvil)

    @property
    def used(self) -> float:
        return self.indexer + self.anvil + (self.postgres or 0.0)

    def describe(self, seconds: float) -> str:
        postgres = "n/a (not on this machine)" if self.postgres is None else f"{self.postgres:.1f}s"
        busy = self.used / (max(seconds, 0.001) * (os.cpu_count() or 1))
        return (
            f"indexer {self.indexer:.1f}s, PostgreSQL {postgres}, anvil {self.anvil:.1f}s: "
            f"{busy:.0%} of {os.cpu_count()} CPUs over {seconds:.1f}s"
        )


@dataclass(frozen=True)
class Backfill:
    to_head: float  # seconds until the checkpoint reached the head
    seconds: float  # in all: the deferred indexes built too
    cpu: float  # the indexer process's CPU seconds
    rss: float  # its peak RSS, MiB
    to_head_cpu: CpuUse
    builds_cpu: CpuUse


def backfill(env: dict[str, str], database_url: str, head: int, anvil_pid: int) -> Backfill:
    """Run `python -m impactchain indexer` until its checkpoint is `head` and every index it
    deferred is built, with the CPU each part of the machine used to the head and after it."""
    return asyncio.run(_backfill(env, database_url, head, anvil_pid))


async def _backfill(env: dict[str, str], database_url: str, head: int, anvil_pid: int) -> Backfill:
    # Watched through one connection every POLL_SECONDS: the times are exact to that, and the
    # watching costs the two CPUs ~1% (a connection opened for each look, every 0.25 s, cost
    # PostgreSQL a backend's start each time and put up to 0.25 s on the end-to-end time).
    watch = await asyncpg.connect(database_url)
    started = time.perf_counter()
    at_head = None
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "impactchain", "indexer", env=env, cwd=PROJECT_ROOT
    )
    start = head_cpu = CpuUse.now(process.pid, anvil_pid)
    try:
        while True:
            block, deferred = await progress(watch)
            if block >= head and at_head is None:
                at_head, head_cpu = time.perf_counter() - started, CpuUse.now(process.pid, anvil_pid)
            if block >= head and deferred == 0:
                break
            if process.returncode is not None:
                raise RuntimeError(f"the indexer exited with {process.returncode}")
            await asyncio.sleep(POLL_SECONDS)
        elapsed = time.perf_counter() - started
        end = CpuUse.now(process.pid, anvil_pid)
        rss = peak_rss_mib(process.pid)
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), 60)
        await watch.close()
    at_head = at_head or elapsed
    return Backfill(at_head, elapsed, end.indexer, rss, head_cpu.since(start), end.since(head_cpu))


async def verify(database_url: str, shape: ChainShape) -> dict[str, int]:
    """The tables agree with the chain: every platform event stored once, each projection's rows."""
    connection = await asyncpg.connect(database_url)
    try:
        counts = {
            table: int(await connection.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608
            for table in ("contract_events", "donations", "funding_rounds", "round_donations", "round_events",
                          "job_outbox")
        }  # fmt: skip
        duplicates = await connection.fetchval(
            "SELECT count(*) - count(DISTINCT (tx_hash, log_index)) FROM contract_events"
        )
    finally:
        await connection.close()
    helpdesk_donations = shape.by_event.get("Donated", 0) - counts["round_donations"]
    assert counts["contract_events"] == shape.platform_events, f"{counts} vs {shape.platform_events} events"
    assert duplicates == 0
    assert counts["donations"] == helpdesk_donations, counts
    assert counts["funding_rounds"] == len(shape.rounds), counts
    round_events = counts["round_donations"] + counts["round_events"]
    assert round_events + counts["funding_rounds"] + counts["donations"] <= counts["contract_events"]
    return counts


@dataclass(frozen=True)
class Floor:
    """PostgreSQL alone on (b)'s rows: the writes, then the index builds (seconds; CPU seconds,
    None when the server is not on this machine)."""

    writes: float
    writes_cpu: float | None
    builds: float
    builds_cpu: float | None

    @property
    def seconds(self) -> float:
        return self.writes + self.builds


def database_floor(admin_url: str, source_url: str, manifest: DeploymentManifest) -> Floor:
    """(d): the rows `source_url` holds after the backfill, loaded into a fresh database the way
    the initial sync writes them and indexed by its own code, with nothing else running."""
    stream = PlatformStream.from_manifest(manifest)
    tables = [EVENT_STORE, *(table for projection in stream.projections for table in projection.tables)]
    with tempfile.TemporaryDirectory(prefix="indexer-floor-") as folder:
        columns = asyncio.run(_export(source_url, tables, Path(folder)))
        with scratch_database(admin_url, prefix="impactchain_floor") as url:
            return asyncio.run(_load(url, stream, columns, Path(folder)))


async def _export(url: str, tables: list[str], folder: Path) -> dict[str, list[str]]:
    """Each table's rows in its heap's order (the backfill's: the chain's) as a binary COPY file,
    without the `id` its sequence gives; the columns written, by table."""
    connection = await asyncpg.connect(url)
    try:
        columns = {}
        for table in tables:
            names = await connection.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = $1 AND column_name <> 'id' ORDER BY ordinal_position",
                table,
            )
            columns[table] = [row["column_name"] for row in names]
            query = f"SELECT {', '.join(columns[table])} FROM {table}"  # noqa: S608 - the schema's own names
            await connection.copy_from_query(query, output=folder / f"{table}.copy", format="binary")
        return columns
    finally:
        await connection.close()


async def _load(url: str, stream: PlatformStream, columns: dict[str, list[str]], folder: Path) -> Floor:
    pool = await asyncpg.create_pool(url, min_size=2, max_size=INDEX_BUILDERS + 1)
    try:
        async with pool.acquire() as connection:
            await stream.begin_bulk_load(connection)

        async def copy(tables: list[str]) -> None:
            async with pool.acquire() as connection, connection.transaction():
                for table in tables:
                    await connection.copy_to_table(
                        table, source=folder / f"{table}.copy", columns=columns[table], format="binary"
                    )

        started, cpu = time.perf_counter(), postgres_cpu_seconds()
        await asyncio.gather(copy([EVENT_STORE]), copy([table for table in columns if table != EVENT_STORE]))
        written, written_cpu = time.perf_counter(), postgres_cpu_seconds()
        await stream.end_bulk_load(pool, None)
        built, built_cpu = time.perf_counter(), postgres_cpu_seconds()
    finally:
        await pool.close()
    return Floor(
        written - started,
        None if cpu is None or written_cpu is None else written_cpu - cpu,
        built - written,
        None if written_cpu is None or built_cpu is None else built_cpu - written_cpu,
    )


def print_shape(shape: ChainShape) -> None:
    top = ", ".join(f"{name} {count:,}" for name, count in list(shape.by_event.items())[:10])
    print(
        f"chain: {shape.platform_events:,} platform events in blocks {shape.deploy_block}..{shape.head}: "
        f"{shape.dense_blocks} dense blocks (up to {shape.max_events_per_block:,} events), "
        f"{shape.sparse_blocks:,} one-event blocks, {shape.empty_blocks:,} empty blocks, "
        f"{len(shape.rounds)} rounds; generated in {shape.generation_seconds:.0f}s"
    )
    print(f"  events: {top}, ...")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000, help="platform events to generate (once)")
    parser.add_argument("--rebuild-chain", action="store_true", help="generate the chain again")
    args = parser.parse_args()
    configure_logging("WARNING")
    cached = None if args.rebuild_chain else cached_chain(args.events)
    state, deployments, shape = cached or build_chain(args.events)
    print_shape(shape)
    admin_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
    started = time.perf_counter()
    node = AnvilNode(load=state)
    print(f"anvil loaded the chain in {time.perf_counter() - started:.1f}s")
    try:
        with scratch_database(admin_url, prefix="impactchain_bench") as database_url:
            measure(node, admin_url, database_url, redis_url, deployments, shape)
    finally:
        node.stop()


def measure(
    node: AnvilNode, admin_url: str, database_url: str, redis_url: str, deployments: Path, shape: ChainShape
) -> None:
    manifest = load_manifest(deployments, CHAIN_ID)
    addresses = sorted(
        {d.address.lower() for n, d in manifest.contracts.items() if n not in IMPLEMENTATIONS} | set(shape.rounds)
    )
    ranges = plan_ranges(shape, shape.deploy_block, shape.head)
    passes = []
    for _ in range(1 + RAW_PASSES):  # the first warms the node up
        fetched, raw_s = asyncio.run(raw_fetch(node.url, addresses, ranges))
        assert fetched == shape.platform_events, (
            f"raw fetch read {fetched:,} logs, the chain has {shape.platform_events:,}"
        )
        passes.append(raw_s)
    raw_s = statistics.median(passes[1:])
    raw_rate = fetched / raw_s
    print(
        f"(a) raw eth_getLogs: {fetched:,} logs in {raw_s:.1f}s = {raw_rate:,.0f} ev/s ({len(ranges):,} requests; "
        f"median of {', '.join(f'{s:.1f}s' for s in passes[1:])} after a warm-up pass in {passes[0]:.1f}s)"
    )

    redis.Redis.from_url(redis_url).flushdb()
    env: dict[str, Any] = {
        **os.environ,
        "IMPACTCHAIN_DATABASE_URL": database_url,
        "IMPACTCHAIN_REDIS_URL": redis_url,
        "IMPACTCHAIN_RPC_URL": node.url,
        "IMPACTCHAIN_DEPLOYMENTS_DIR": str(deployments),
    }
    run = backfill(env, database_url, shape.head, node.pid)
    to_head, seconds, cpu, rss = run.to_head, run.seconds, run.cpu, run.rss
    rate = shape.platform_events / seconds
    counts = asyncio.run(verify(database_url, shape))
    jobs = redis.Redis.from_url(redis_url)
    print(
        f"(b) indexer backfill, every projection + outbox: {shape.platform_events:,} events in {seconds:.1f}s = "
        f"{rate:,.0f} ev/s (checkpoint at the head after {to_head:.1f}s, then the deferred indexes built); "
        f"peak RSS {rss:,.0f} MiB; the indexer process used {cpu:.1f}s of CPU"
    )
    print(f"    CPU to the head: {run.to_head_cpu.describe(to_head)}")
    print(f"    CPU building the indexes: {run.builds_cpu.describe(seconds - to_head)}")
    print(f"    rows {counts}; RQ keys {jobs.dbsize()}")
    budget = shape.platform_events / (TARGET * raw_rate)  # the seconds (b) may take for the target
    if run.to_head_cpu.postgres is not None and run.builds_cpu.postgres is not None:
        # The fewest seconds (b)'s CPU could take: all of it spread over every CPU, none ever idle.
        cpus = os.cpu_count() or 1
        least = (run.to_head_cpu.used + run.builds_cpu.used) / cpus
        print(
            f"    at best, its {least * cpus:.1f} CPU-seconds over {cpus} CPUs and none idle: {least:.1f}s = "
            f"{shape.platform_events / least / raw_rate:.1%} of (a)"
        )
        # The builds need every row: they come after the head phase, which has the rest of the budget.
        head_budget = budget - (seconds - to_head)
        needed = run.to_head_cpu.used / (cpus * head_budget) if head_budget > 0 else float("inf")
        print(
            f"    for {TARGET:.0%}: the head phase in the {head_budget:.1f}s the builds leave of {budget:.1f}s, "
            f"its {run.to_head_cpu.used:.1f} CPU-seconds keeping the {cpus} CPUs {needed:.0%} busy "
            f"(this run: {run.to_head_cpu.used / (cpus * to_head):.0%})"
        )
    settings = Settings(database_url=database_url, deployments_dir=deployments, rpc_url=node.url)
    for name in ("donations", "funding-rounds"):
        rebuilt = asyncio.run(rebuild_from_store(settings, name))
        print(
            f"(c) replay {name} from contract_events: {rebuilt.events:,} events, {rebuilt.rows:,} rows in "
            f"{rebuilt.seconds:.1f}s = {rebuilt.events_per_second:,.0f} ev/s"
        )
    floor = database_floor(admin_url, database_url, manifest)
    cpu_used = (
        ""
        if floor.writes_cpu is None or floor.builds_cpu is None
        else f" (CPU {floor.writes_cpu:.1f}s, {floor.builds_cpu:.1f}s)"
    )
    print(
        f"(d) PostgreSQL alone, (b)'s rows written as the initial sync writes them, then indexed: "
        f"{floor.writes:.1f}s + {floor.builds:.1f}s{cpu_used} = {floor.seconds:.1f}s, "
        f"{floor.seconds / budget:.0%} of the {budget:.1f}s that {TARGET:.0%} of (a) allows"
    )
    print(f"(b)/(a) = {rate / raw_rate:.1%} (target >= {TARGET:.0%}); peak RSS {rss:,.0f} MiB (target <= 500 MiB)")


if __name__ == "__main__":
    main()
