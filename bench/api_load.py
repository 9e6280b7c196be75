"""The API's read path against the same SQL through asyncpg, side by side in one run, and
transaction building at concurrency 1 and 8.

    python -m bench.api_load [--rows 200000] [--clients 64] [--seconds 5] [--rounds 5] [--workers 1] [--pool 10]
                             [--generator c|python] [--loop uvloop|asyncio] [--read NAME ...]

Loads `--rows` HelpDesk donations, round donations (one round of 20,000, one of 10, the rest
spread over 100 more; the rounds' figures summed as the indexer keeps them) and platform events
into a scratch database, starts `impactchain api` (uvicorn, `--workers` processes, rate limits
off, `--pool` connections each) against it and an anvil with the contracts deployed, then for
each hot read runs `--clients` closed-loop keep-alive HTTP/1.1 clients for `--seconds`, and the
same SQL the API runs through as many asyncpg connections as the API's pool holds, with as many
tasks taking them in turn (as the API's read path does: api/kit/database.py; `--raw-client pool`
goes through an asyncpg pool instead, whose acquire and release cost the raw side ~30 us of CPU
per query that the API does not pay). The API side's load comes from bench/httpload.c (compiled
into .bench-cache with `cc`), an epoll client in C as wrk is: real clients are on other machines,
and the asyncio client (`--generator python`) took 35-53 us of CPU per request from the two cores
the API and PostgreSQL share, against 14-23 us. The raw side's client is asyncpg in this process,
on uvloop as the API is (`--loop`). The two sides take `--rounds` turns each (1 s apiece by
default), so that other work on a shared machine weighs on both alike.
Prints requests (queries) per second, median and p99 latency, the API/raw ratio, and the CPU
each request costs on each side (API processes, PostgreSQL backends, this load-generating
process: what bounds throughput on a machine with few cores); then p50 and p99 of each read at
a fixed offered rate (`--rate-share` of the API's closed-loop rate, from the same generator,
latency counted from each request's scheduled time), and p50/p95 of `POST /v1/tx/donate` at
concurrency 1 and 8.
Needs PostgreSQL at DATABASE_URL (default 127.0.0.1:5432, used to create a scratch database).
"""

import argparse
import array
import asyncio
import gc
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
import uvloop
from eth_account import Account
from eth_utils import to_checksum_address

from api.kit.cursor import LogPosition, encode_cursor
from api.rounds.repository import ROUND_DETAIL
from bench._proc import cpu_seconds
from impactchain.devstack.anvil import DEV_PRIVATE_KEYS, Anvil
from impactchain.devstack.deploy import deploy
from impactchain.devstack.ports import free_port
from impactchain.devstack.scratch_db import scratch_database
from impactchain.event_store import ARGS_KEY, LIST_EVENT_KINDS

ADMIN_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DONORS = 5000
BIG_ROUND_DONATIONS = 20_000
ZERO = "0x" + "00" * 20
LOOPS = {"asyncio": asyncio.new_event_loop, "uvloop": uvloop.new_event_loop}
READ_NAMES = (
    "donations", "donations?donor", "donations page 50", "events", "events?arg", "round detail (10)",
    "round detail (20k)",
)  # fmt: skip
# What the indexer keeps with the donations it writes (indexer/projections/funding_rounds.py):
# here summed once over the rows loaded by COPY.
ROUND_FIGURES = (
    "INSERT INTO round_totals (chain_id, round, currency, amount, matic_equivalent, donations)"
    " SELECT chain_id, round, currency, sum(amount), sum(matic_equivalent), count(*) FROM round_donations"
    " GROUP BY chain_id, round, currency",
    "INSERT INTO round_donors (chain_id, round, donor) SELECT DISTINCT chain_id, round, donor FROM round_donations",
    "UPDATE funding_rounds f SET donors = d.n FROM (SELECT chain_id, round, count(*) AS n FROM round_donors"
    " GROUP BY chain_id, round) d WHERE f.chain_id = d.chain_id AND f.address = d.round",
)


def _address(n: int) -> str:
    return "0x" + f"{n:040x}"


def _hash(*parts: int) -> str:
    return "0x" + "".join(f"{part:016x}" for part in parts).rjust(64, "0")


async def load(database_url: str, rows: int) -> dict[str, Any]:
    """The rows, ANALYZEd; returns what the reads filter on."""
    rng = random.Random(7)
    connection = await asyncpg.connect(database_url)
    help_desk, factory = _address(0xDE5C), _address(0xFAC7)
    donations = [
        (
            31337,
            help_desk,
            i % 40,
            _address(1 + rng.randrange(DONORS)),
            ZERO,
            Decimal(10**15 + i),
            Decimal(10**18 + i),
            1 + i // 4,
            _hash(1 + i // 4),
            _hash(1 + i // 4, i % 4),
            i % 4,
        )
        for i in range(rows)
    ]
    await connection.copy_records_to_table(
        "donations",
        records=donations,
        columns=[
            "chain_id",
            "contract",
            "request_id",
            "donor",
            "currency",
            "amount",
            "donor_total",
            "block_number",
            "block_hash",
            "tx_hash",
            "log_index",
        ],
    )
    rounds = [_address(0x40000 + r) for r in range(102)]
    big, small = rounds[0], rounds[1]
    await connection.copy_records_to_table(
        "funding_rounds",
        records=[
            (
                31337,
                factory,
                address,
                r,
                _address(0xF00 + r % 7),
                _hash(r),
                "bafkreiexample",
                Decimal(10**21),
                2_000_000_000,
                3,
                _address(0x1111),
                1,
                _hash(1),
                _hash(1, r),
                r,
            )
            for r, address in enumerate(rounds)
        ],
        columns=[
            "chain_id",
            "factory",
            "address",
            "round_index",
            "founder",
            "salt",
            "metadata_cid",
            "goal",
            "deadline",
            "milestones",
            "implementation",
            "block_number",
            "block_hash",
            "tx_hash",
            "log_index",
        ],
    )

    def round_of(i: int) -> str:
        if i < BIG_ROUND_DONATIONS:
            return big
        if i < BIG_ROUND_DONATIONS + 10:
            return small
        return rounds[2 + i % 100]

    await connection.copy_records_to_table(
        "round_donations",
        records=[
            (
                31337,
                round_of(i),
                _address(1 + rng.randrange(DONORS)),
                ZERO if i % 5 else _address(0xE2C0),
                Decimal(10**15 + i),
                Decimal(10**15 + i),
                Decimal(10**17 + i),
                1 + i // 4,
                _hash(2, i // 4),
                _hash(2, i),
                i % 4,
            )
            for i in range(rows)
        ],
        columns=[
            "chain_id",
            "round",
            "donor",
            "currency",
            "amount",
            "matic_equivalent",
            "donor_total",
            "block_number",
            "block_hash",
            "tx_hash",
            "log_index",
        ],
    )
    for statement in ROUND_FIGURES:
        await connection.execute(statement)
    voters = [to_checksum_address(_address(1 + n)) for n in range(DONORS)]
    await connection.copy_records_to_table(
        "contract_events",
        records=[
            (
                31337,
                _address(0xDA0),
                "DAOCore",
                "VoteCast",
                orjson.dumps(
                    {
                        "voter": voters[rng.randrange(DONORS)],
                        "proposalId": str(i % 300),
                        "support": "1",
                        "weight": str(10**18 + i),
                        "reason": "",
                    }
                ).decode(),
                1 + i // 4,
                _hash(3, i // 4),
                _hash(3, i),
                i % 4,
            )
            for i in range(rows)
        ],
        columns=[
            "chain_id",
            "contract",
            "contract_name",
            "event",
            "args",
            "block_number",
            "block_hash",
            "tx_hash",
            "log_index",
        ],
    )
    await connection.execute(LIST_EVENT_KINDS)
    await connection.execute("ANALYZE")
    deep = await connection.fetchrow(
        "SELECT block_number, log_index FROM donations ORDER BY block_number DESC, log_index DESC OFFSET 2449 LIMIT 1"
    )
    donor = await connection.fetchval("SELECT donor FROM donations GROUP BY donor ORDER BY count(*) DESC LIMIT 1")
    await connection.close()
    assert deep is not None
    return {
        "donor": donor,
        "voter": voters[0],
        "page50": encode_cursor(LogPosition(deep["block_number"], deep["log_index"])),
        "page50_position": (deep["block_number"], deep["log_index"]),
        "big": big,
        "small": small,
    }


@dataclass(frozen=True)
class Read:
    """One hot read: its API path, and the SQL (with arguments) the API runs for it."""

    name: str
    path: str
    sql: str
    args: tuple[Any, ...]


DONATION_SQL = (
    "SELECT request_id, donor, currency, amount::text AS amount, donor_total::text AS donor_total, contract,"
    " block_number, block_hash, tx_hash, log_index FROM donations"
)
EVENT_SQL = (
    "SELECT contract, contract_name, event, args::text AS args, block_number, block_hash, tx_hash, log_index"
    " FROM contract_events"
)
ORDER = " ORDER BY block_number DESC, log_index DESC LIMIT "


def reads(keys: dict[str, Any]) -> list[Read]:
    donor, voter, (block, log) = keys["donor"], keys["voter"], keys["page50_position"]
    arg = orjson.dumps({"voter": voter}).decode()
    listed = [
        Read("donations", "/v1/donations", DONATION_SQL + ORDER + "$1", (51,)),
        Read(
            "donations?donor",
            f"/v1/donations?donor={donor}",
            DONATION_SQL + " WHERE donor = $1" + ORDER + "$2",
            (donor, 51),
        ),
        Read(
            "donations page 50",
            f"/v1/donations?cursor={keys['page50']}",
            DONATION_SQL + " WHERE (block_number, log_index) < ($1, $2)" + ORDER + "$3",
            (block, log, 51),
        ),
        Read("events", "/v1/events", EVENT_SQL + ORDER + "$1", (51,)),
        Read(
            "events?arg",
            f"/v1/events?arg=voter:{voter}",
            EVENT_SQL + f" WHERE {ARGS_KEY} @> $1::jsonb" + ORDER + "$2",
            (arg, 51),
        ),
        Read("round detail (10)", f"/v1/rounds/{keys['small']}", ROUND_DETAIL, (keys["small"],)),
        Read("round detail (20k)", f"/v1/rounds/{keys['big']}", ROUND_DETAIL, (keys["big"],)),
    ]
    assert tuple(read.name for read in listed) == READ_NAMES, "READ_NAMES lists the reads (for --read)"
    return listed


@dataclass(frozen=True)
class Figures:
    per_second: float
    median_ms: float
    p99_ms: float
    errors: int


def figures(latencies: list[float], seconds: float, errors: int) -> Figures:
    ordered = sorted(latencies) or [0.0]
    return Figures(
        per_second=len(latencies) / seconds,
        median_ms=statistics.median(ordered) * 1000,
        p99_ms=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        errors=errors,
    )


async def _http_get_loop(port: int, path: str, stop: float, latencies: list[float], encoding: str) -> int:
    """One keep-alive client sending GET `path` until `stop`; returns the non-200 count."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {path} HTTP/1.1\r\nhost: bench\r\naccept-encoding: {encoding}\r\n\r\n".encode()
    errors = 0
    try:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            errors += not head.startswith(b"HTTP/1.1 200")
    finally:
        writer.close()
    return errors


async def run_api_at_rate(
    port: int, path: str, rate: float, seconds: float, connections: int, encoding: str = "identity"
) -> Figures:
    """Open loop: a request every 1/`rate` s on whichever of `connections` keep-alive connections is
    idle, each latency counted from when the request was due (waiting for a connection included)."""
    request = f"GET {path} HTTP/1.1\r\nhost: bench\r\naccept-encoding: {encoding}\r\n\r\n".encode()
    idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    latencies: list[float] = []
    errors = 0

    async def one(due: float) -> None:
        nonlocal errors
        reader, writer = await idle.get()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next((int(line[15:]) for line in head.split(b"\r\n") if line[:15].lower() == b"content-length:"), 0)
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - due)
        errors += not head.startswith(b"HTTP/1.1 200")
        idle.put_nowait((reader, writer))

    started = time.perf_counter()
    tasks = []
    for i in range(int(rate * seconds)):
        due = started + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.ensure_future(one(due)))
    await asyncio.gather(*tasks)
    while not idle.empty():
        idle.get_nowait()[1].close()
    return figures(latencies, seconds, errors)


@dataclass
class Tally:
    """One side's requests over the rounds of a read: latencies, seconds run, non-200 answers,
    and the CPU seconds spent meanwhile by the API, PostgreSQL's backends and this process."""

    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0
    api_cpu: float = 0.0
    postgres_cpu: float = 0.0
    own_cpu: float = 0.0

    def figures(self) -> Figures:
        return figures(self.latencies, self.seconds, self.errors)

    def cpu(self) -> "CpuPerRequest":
        per = 1e6 / max(1, len(self.latencies))
        return CpuPerRequest(per * self.api_cpu, per * self.postgres_cpu, per * self.own_cpu)


HTTPLOAD_SOURCE = Path(__file__).with_name("httpload.c")
HTTPLOAD = Path(__file__).resolve().parent.parent / ".bench-cache" / "httpload"


def build_httpload() -> Path:
    """bench/httpload.c compiled into .bench-cache (again whenever the source is newer)."""
    if not HTTPLOAD.exists() or HTTPLOAD.stat().st_mtime < HTTPLOAD_SOURCE.stat().st_mtime:
        HTTPLOAD.parent.mkdir(parents=True, exist_ok=True)
        compiler = os.environ.get("CC", "cc")
        built = HTTPLOAD.with_name(f"httpload.{os.getpid()}")  # then renamed: a concurrent build never runs half a file
        subprocess.run([compiler, "-O2", "-Wall", "-Werror", "-o", str(built), str(HTTPLOAD_SOURCE)], check=True)
        built.replace(HTTPLOAD)
    return HTTPLOAD


async def run_api(
    port: int, path: str, clients: int, seconds: float, encoding: str, tally: Tally, generator: str = "c"
) -> None:
    if generator == "c":
        await _run_httpload(port, path, clients, seconds, encoding, tally)
    else:
        stop = time.perf_counter() + seconds
        loops = (_http_get_loop(port, path, stop, tally.latencies, encoding) for _ in range(clients))
        tally.errors += sum(await asyncio.gather(*loops))
    tally.seconds += seconds


async def _run_httpload(
    port: int, path: str, clients: int, seconds: float, encoding: str, tally: Tally, *, rate: float | None = None
) -> None:
    """One run of bench/httpload.c, a closed loop or at a fixed `rate`: its latencies and non-200
    count join `tally`."""
    with tempfile.NamedTemporaryFile(prefix="httpload-") as latencies:
        command = [str(HTTPLOAD), str(port), path, str(clients), repr(seconds), encoding, latencies.name]
        command += [repr(rate)] if rate is not None else []
        process = await asyncio.create_subprocess_exec(*command, stdout=subprocess.PIPE)
        out, _ = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"httpload exited with {process.returncode} on {path}")
        requests, errors = (int(part) for part in out.split())
        nanoseconds = array.array("Q", latencies.read())  # the file httpload wrote, same inode
    if len(nanoseconds) != requests:
        raise RuntimeError(f"httpload wrote {len(nanoseconds)} latencies for {requests} requests")
    tally.latencies.extend(ns / 1e9 for ns in nanoseconds)
    tally.errors += errors


class RawConnections:
    """`size` asyncpg connections kept open between queries, which queries take in turn: the raw
    side's client, doing what the API's read path does (api/kit/database.py). The turns are
    first come, first served (asyncio.Semaphore): with an asyncio.Queue of connections a task
    that puts one back takes it again at once while woken waiters find the queue empty, so a few
    tasks starve for a whole turn (raw p99 ~1 s) while the rest run with less contention."""

    def __init__(self, connections: list[asyncpg.Connection]) -> None:
        self._connections = connections
        self._idle = list(connections)
        self._turns = asyncio.Semaphore(len(connections))

    @classmethod
    async def open(cls, database_url: str, size: int) -> "RawConnections":
        return cls([await asyncpg.connect(database_url) for _ in range(size)])

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        async with self._turns:
            connection = self._idle.pop()
            try:
                return await connection.fetch(sql, *args)
            finally:
                self._idle.append(connection)

    async def close(self) -> None:
        for connection in self._connections:
            await connection.close()


RawClient = RawConnections | asyncpg.Pool


async def open_raw_client(database_url: str, size: int, kind: str) -> RawClient:
    if kind == "pool":
        # As the API's pool (api/kit/database.py): no reset statement when a connection is released.
        # asyncpg's default runs one (advisory unlocks, CLOSE ALL, UNLISTEN, RESET ALL), a second round
        # trip per query that the API does not make (the raw side ran ~30% slower for it).
        return await asyncpg.create_pool(database_url, min_size=size, max_size=size, reset=_keep_session)
    return await RawConnections.open(database_url, size)


async def run_raw(pool: RawClient, read: Read, clients: int, seconds: float, tally: Tally) -> None:
    latencies = tally.latencies
    stop = time.perf_counter() + seconds

    async def client() -> None:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            await pool.fetch(read.sql, *read.args)
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(client() for _ in range(clients)))
    tally.seconds += seconds


async def tx_builds(port: int, concurrency: int, builds: int) -> tuple[float, float, int]:
    """p50 and p95 (ms) of `builds` donation builds, `concurrency` at a time, and the non-200 count."""
    body = {"from": Account.from_key(DEV_PRIVATE_KEYS[1]).address, "amount": "1000"}
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        await client.post("/v1/tx/donate", json=body)  # warm: manifest, chain id, fees

        async def worker(count: int) -> None:
            nonlocal errors
            for _ in range(count):
                started = time.perf_counter()
                response = await client.post("/v1/tx/donate", json=body)
                latencies.append(time.perf_counter() - started)
                errors += response.status_code != 200

        await asyncio.gather(*(worker(builds // concurrency) for _ in range(concurrency)))
    ordered = sorted(latencies)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95)] * 1000, errors


def start_api(
    database_url: str,
    rpc_url: str,
    deployments_dir: Path,
    workers: int,
    checkout: Path,
    pool: int,
    redis_url: str | None,
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "IMPACTCHAIN_RPC_URL": rpc_url,
        "IMPACTCHAIN_DEPLOYMENTS_DIR": str(deployments_dir),
        "IMPACTCHAIN_API_PORT": str(port),
        # With a Redis, every request is counted there, at limits no client reaches.
        "IMPACTCHAIN_API_RATE_LIMIT_PER_MINUTE": "1000000000" if redis_url else "0",
        "IMPACTCHAIN_API_TX_RATE_LIMIT_PER_MINUTE": "1000000000" if redis_url else "0",
        "IMPACTCHAIN_API_MAX_CONNECTIONS": "4096",
        "IMPACTCHAIN_API_DB_POOL_MIN": str(pool),
        "IMPACTCHAIN_API_DB_POOL_MAX": str(pool),
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    command = [sys.executable, "-m", "impactchain", "api"] + (["--workers", str(workers)] if workers > 1 else [])
    process = subprocess.Popen(
        command,
        cwd=checkout,
        env={**env, "PYTHONPATH": str(checkout)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # Its own session, as a service runs: with the kernel's autogroup scheduling, a process in
        # the load generator's session would share that session's CPU share with it.
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return process, port
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("the API did not become healthy within 60 s")


def process_cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children (the API's workers), from /proc."""
    total = 0.0
    for task in [pid, *_children(pid)]:
        try:
            total += cpu_seconds(task)
        except FileNotFoundError:
            continue
    return total


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(child) for child in (task / "children").read_text().split()]
    except FileNotFoundError:  # it exited meanwhile (a parallel query's worker, say)
        return []
    return found + [grandchild for child in found for grandchild in _children(child)]


def own_cpu_seconds() -> float:
    """This process's CPU and its finished children's: bench/httpload.c's runs, each waited for
    before a turn ends (the API and anvil are children too, but are only reaped at the end)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


@dataclass(frozen=True)
class CpuPerRequest:
    """Microseconds of CPU per request (query): the API's processes, the PostgreSQL backends of
    the scratch database, and this process (the load generator; the asyncpg client on the raw side)."""

    api: float
    postgres: float
    generator: float

    @property
    def total(self) -> float:
        return self.api + self.postgres + self.generator


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Nothing to reset on release: the raw side's statements change no session state."""


async def _backend_pids(pool: RawClient) -> list[int]:
    rows = await pool.fetch("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
    return [row["pid"] for row in rows]


async def _measured(pool: RawClient, api_pid: int | None, run: Any, tally: Tally) -> None:
    backends = await _backend_pids(pool)
    api_before = process_cpu_seconds(api_pid) if api_pid else 0.0
    pg_before = {pid: process_cpu_seconds(pid) for pid in backends}
    own_before = own_cpu_seconds()
    await run
    tally.api_cpu += (process_cpu_seconds(api_pid) - api_before) if api_pid else 0.0
    # Per backend, and never below zero: one that exited meanwhile (a recycled pool connection)
    # reads as 0 now; what it spent during the run is lost, not subtracted.
    tally.postgres_cpu += sum(max(0.0, process_cpu_seconds(pid) - before) for pid, before in pg_before.items())
    tally.own_cpu += own_cpu_seconds() - own_before


async def compare(
    database_url: str,
    api_pid: int,
    port: int,
    keys: dict[str, Any],
    clients: int,
    seconds: float,
    pool_size: int,
    encoding: str,
    rounds: int,
    raw_client: str,
    generator: str,
    only: Sequence[str] = (),
) -> list[tuple[Read, Figures]]:
    pool = await open_raw_client(database_url, pool_size, raw_client)
    print(f"machine before: {machine_load()}")
    print(
        f"{'read':<20} {'API req/s':>10} {'raw q/s':>9} {'ratio':>6} {'API p50':>8} {'API p99':>8} "
        f"{'raw p50':>8} {'raw p99':>8}   CPU us per request: API side (API+PG+gen) | raw side (PG+gen)"
        f"  (ms; {clients} clients, {seconds:g} s each in {rounds} turns; raw client: {raw_client};"
        f" HTTP load: {generator})"
    )
    results = []
    for read in reads(keys):
        if only and read.name not in only:
            continue
        await run_api(port, read.path, clients, 1.0, encoding, Tally(), generator)  # warm the workers' statement caches
        api_side, raw_side = Tally(), Tally()
        # Taking turns, so that what else runs on the machine weighs on both sides alike.
        for _ in range(rounds):
            api_run = run_api(port, read.path, clients, seconds / rounds, encoding, api_side, generator)
            await _measured(pool, api_pid, api_run, api_side)
            await _measured(pool, None, run_raw(pool, read, clients, seconds / rounds, raw_side), raw_side)
        api, api_cpu, raw, raw_cpu = api_side.figures(), api_side.cpu(), raw_side.figures(), raw_side.cpu()
        flag = f"  ({api.errors} non-200)" if api.errors else ""
        print(
            f"{read.name:<20} {api.per_second:>10.0f} {raw.per_second:>9.0f} {api.per_second / raw.per_second:>6.2f} "
            f"{api.median_ms:>8.1f} {api.p99_ms:>8.1f} {raw.median_ms:>8.1f} {raw.p99_ms:>8.1f}   "
            f"{api_cpu.total:>4.0f} ({api_cpu.api:.0f}+{api_cpu.postgres:.0f}+{api_cpu.generator:.0f}) | "
            f"{raw_cpu.total:>4.0f} ({raw_cpu.postgres:.0f}+{raw_cpu.generator:.0f}){flag}"
        )
        results.append((read, api))
    print(f"machine after: {machine_load()}")
    await pool.close()
    return results


def machine_load() -> str:
    """What else the machine was doing: its load average, and the share of time some task waited
    for a CPU (Linux's pressure stall information), the last minute."""
    load = f"load average {os.getloadavg()[0]:.2f}"
    try:
        some = Path("/proc/pressure/cpu").read_text().split("\n")[0]
    except OSError:
        return load
    return f"{load}, CPU pressure {dict(field.split('=') for field in some.split()[1:])['avg60']}% (60 s)"


async def at_fixed_rate(
    port: int, results: list[tuple[Read, Figures]], share: float, seconds: float, encoding: str, generator: str
) -> None:
    print(
        f"at a fixed offered rate ({share:.0%} of each read's closed-loop API rate, 64 connections;"
        f" HTTP load: {generator}):"
    )
    for read, closed_loop in results:
        rate = max(1.0, closed_loop.per_second * share)
        if generator == "c":
            tally = Tally()
            await _run_httpload(port, read.path, 64, seconds, encoding, tally, rate=rate)
            fixed = figures(tally.latencies, seconds, tally.errors)
        else:
            fixed = await run_api_at_rate(port, read.path, rate, seconds, 64, encoding)
        flag = f"  ({fixed.errors} non-200)" if fixed.errors else ""
        measured = f"p50 {fixed.median_ms:.1f} ms, p99 {fixed.p99_ms:.1f} ms"
        print(f"  {read.name:<20} {rate:>7.0f} req/s offered: {measured}{flag}")


async def measure_tx(port: int, builds: int) -> None:
    for concurrency in (1, 8):
        p50, p95, errors = await tx_builds(port, concurrency, builds)
        flag = f"  ({errors} non-200)" if errors else ""
        print(f"tx build at concurrency {concurrency}: p50 {p50:.1f} ms, p95 {p95:.1f} ms over {builds} builds{flag}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000, help="rows per table")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=5.0, help="per read and side")
    parser.add_argument("--rounds", type=int, default=5, help="turns the two sides take within --seconds")
    parser.add_argument("--workers", type=int, default=1, help="API processes")
    parser.add_argument("--builds", type=int, default=200, help="tx builds per concurrency level")
    parser.add_argument("--pool", type=int, default=10, help="PostgreSQL connections per API worker (and raw side)")
    parser.add_argument("--tx-only", action="store_true", help="only the transaction builds")
    parser.add_argument(
        "--raw-client",
        choices=("connections", "pool"),
        default="connections",
        help="the raw side's asyncpg client: connections taken in turn, as the API does, or a pool",
    )
    parser.add_argument(
        "--loop",
        choices=tuple(LOOPS),
        default="uvloop",
        help="the event loop of this process while it compares (the raw side's asyncpg client runs on it)",
    )
    parser.add_argument(
        "--generator",
        choices=("c", "python"),
        default="c",
        help="the API side's load generator: bench/httpload.c (epoll, a few us of CPU per request) or"
        " the asyncio client (~50 us per request, taken from the cores the API and PostgreSQL share)",
    )
    parser.add_argument(
        "--read",
        action="append",
        default=[],
        help=f"only this read (one of: {', '.join(READ_NAMES)}); may be given more than once",
    )
    parser.add_argument("--encoding", default="identity", help="Accept-Encoding of the API's clients, e.g. br")
    parser.add_argument("--redis-url", help="rate limits on, counted in this Redis (default: off)")
    parser.add_argument("--rate-share", type=float, default=0.5, help="fixed offered rate, share of closed-loop")
    parser.add_argument(
        "--api-checkout",
        type=Path,
        default=Path.cwd(),
        help="serve the API from this source tree (e.g. an older commit's, for a before/after)",
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.read) - set(READ_NAMES))
    if unknown:
        parser.error(f"--read: no read named {', '.join(map(repr, unknown))}; the reads are {', '.join(READ_NAMES)}")
    if args.generator == "c":
        build_httpload()

    with (
        scratch_database(ADMIN_URL, prefix="impactchain_bench_api") as database_url,
        tempfile.TemporaryDirectory() as deployments,
    ):
        started = time.perf_counter()
        keys = asyncio.run(load(database_url, args.rows))
        print(
            f"loaded {args.rows:,} donations, round donations and events each in {time.perf_counter() - started:.1f} s"
        )
        # The load generator's own full garbage collections (web3 and friends make a large heap)
        # would stall every client at once and show up as the server's tail latency.
        gc.collect()
        gc.freeze()
        anvil = Anvil(free_port()).start()
        try:
            deploy(anvil.url, deployments_dir=Path(deployments))
            api, port = start_api(
                database_url, anvil.url, Path(deployments), args.workers, args.api_checkout, args.pool, args.redis_url
            )
            try:
                limits = "rate limits counted in Redis" if args.redis_url else "rate limits off"
                shape = f"--workers {args.workers} (pool {args.pool}, {limits}, accept-encoding {args.encoding})"
                print(f"API: impactchain api {shape} from {args.api_checkout}; this process on {args.loop}")
                if not args.tx_only:
                    with asyncio.Runner(loop_factory=LOOPS[args.loop]) as runner:
                        results = runner.run(
                            compare(
                                database_url,
                                api.pid,
                                port,
                                keys,
                                args.clients,
                                args.seconds,
                                args.pool,
                                args.encoding,
                                args.rounds,
                                args.raw_client,
                                args.generator,
                                args.read,
                            )
                        )
                    asyncio.run(
                        at_fixed_rate(port, results, args.rate_share, args.seconds, args.encoding, args.generator)
                    )
                asyncio.run(measure_tx(port, args.builds))
            finally:
                api.terminate()
                api.wait(timeout=30)
        finally:
            anvil.stop()


if __name__ == "__main__":
    main()
