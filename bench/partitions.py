"""The event tables before and after partitioning by block range, side by side in one run.

    python -m bench.partitions [--events 10000000] [--span 1000000] [--batches 40] [--seconds 3]

Fills a scratch database (migrated to head) with `--events` platform events of the mixed shape
a deployment emits, in bursts of four logs every eighth block (a quarter HelpDesk donations, a
quarter donations to one of 100 funding rounds, a fifth token transfers, 15% vote-weight moves,
10% auction bids, 5% other round events), with the projections the indexer derives from them
(donations, round donations, round events, rounds and their kept figures), all by SQL
generate_series with the secondary indexes built afterwards, then ANALYZEd. Then, on the
unpartitioned tables:
  write   `--batches` steps of 5,000 new events through the indexer's write path
          (`PlatformStream.write`: COPY into the event store, the projections' COPY and
          INSERT … RETURNING with the round figures), one transaction each; then 10 steps whose
          events are half stored already (the ON CONFLICT path)
  read    the API's hot reads, through its own repositories over an asyncpg pool of 8, 16 tasks
          at once for `--seconds` each: queries/s, p50, p99
then converts every event table (`maintain`, IMPACTCHAIN_PARTITION_SPAN_BLOCKS = `--span`) while
one task reads the newest events every 10 ms (the longest read during it is what the API saw of
the lock), and measures the same writes (at blocks past the first partition, as the chain moves
on) and reads again. Takes 10-15 minutes for 10 M events on two cores.
Needs PostgreSQL at DATABASE_URL (default 127.0.0.1:5432, used to create a scratch database).
"""

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

import asyncpg

from api.donations.repository import DonationRepository
from api.events.repository import EventRepository
from api.kit.cursor import LogPosition
from api.kit.database import Database
from api.rounds.repository import RoundRepository
from impactchain.db.partitions import EVENT_TABLES, PartitionPolicy, PartitionRepository, maintain
from impactchain.devstack.scratch_db import scratch_database
from impactchain.event_store import LIST_EVENT_KINDS
from impactchain.events import EventLog, LogRef
from impactchain.registry import DeployedContract
from indexer.projections.donations import HelpDeskDonations
from indexer.projections.funding_rounds import FundingRounds
from indexer.stream import NEVER, PlatformStream

ADMIN_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CHAIN = 31337
STEP_EVENTS = 5_000
ROUNDS = 100
DONORS = 50_000
ZERO = "0x" + "00" * 20
HELP_DESK, TOKEN, AUCTIONS, FACTORY = (f"0x{n:040x}" for n in (0xDE5C, 0x70CE, 0xA0C7, 0xFAC7))
ROUND_BASE = 0x40000

# Event i sits at block (i / 4) * 8, log index i % 4; its kind is (i * 37) % 20 (5% a bucket), its
# round (i / 20) % 100 (every round has every kind), its donor (sender, voter, bidder) the same for
# three events in a row, spread over 50,000. Addresses as the columns and the JSON arguments hold
# them (lowercase here, for brevity). `step_events` makes the same in Python.
_ADDRESS = "'0x' || lpad(to_hex({}), 40, '0')"
_ROUND = _ADDRESS.format(f"{ROUND_BASE} + (i / 20) % {ROUNDS}")
FILL_EVENTS = f"""
INSERT INTO contract_events (chain_id, contract, contract_name, event, args, block_number, block_hash, tx_hash,
                             log_index)
SELECT {CHAIN},
       CASE WHEN k < 5 THEN '{HELP_DESK}' WHEN k < 10 OR k = 19 THEN {_ROUND}
            WHEN k < 17 THEN '{TOKEN}' ELSE '{AUCTIONS}' END,
       CASE WHEN k < 5 THEN 'HelpDesk' WHEN k < 10 OR k = 19 THEN 'FundingRound' WHEN k < 17 THEN 'GovernanceToken'
            ELSE 'AuctionHouse' END,
       CASE WHEN k < 10 THEN 'Donated' WHEN k < 14 THEN 'Transfer' WHEN k < 17 THEN 'DelegateVotesChanged'
            WHEN k < 19 THEN 'BidPlaced' ELSE 'MilestoneApproved' END,
       CASE WHEN k < 5 THEN jsonb_build_object('requestId', (i % 40)::text, 'donor', donor, 'currency', '{ZERO}',
                                               'amount', (1000000000000000 + i)::text,
                                               'donorTotal', (1000000000000000000 + i)::text)
            WHEN k < 10 THEN jsonb_build_object('donor', donor, 'currency', '{ZERO}',
                                                'amount', (1000000000000000 + i)::text,
                                                'maticEquivalent', (1000000000000000 + i)::text,
                                                'donorTotal', (1000000000000000000 + i)::text)
            WHEN k < 14 THEN jsonb_build_object('from', donor, 'to', {_ADDRESS.format(f"1 + (i * 17) % {DONORS}")},
                                                'value', (i * 1000)::text)
            WHEN k < 17 THEN jsonb_build_object('delegate', donor, 'previousVotes', (i * 3)::text,
                                                'newVotes', (i * 3 + 7)::text)
            WHEN k < 19 THEN jsonb_build_object('auctionId', (i % 500)::text, 'bidder', donor,
                                                'amount', (i * 11)::text)
            ELSE jsonb_build_object('milestone', (i % 3)::text, 'status', '2') END,
       (i / 4) * 8, '0xb' || lpad(to_hex((i / 4) * 8), 63, '0'), '0xc' || lpad(to_hex(i), 63, '0'), i % 4
FROM (SELECT i, (i * 37) % 20 AS k, {_ADDRESS.format(f"1 + (i / 3 * 7919) % {DONORS}")} AS donor
      FROM generate_series($1::bigint, $2::bigint) i) g
"""  # noqa: S608 (the bench's own constants)
# The projections of those events, as the indexer derives them.
FILL_PROJECTIONS = (
    f"""
    INSERT INTO donations (chain_id, contract, request_id, donor, currency, amount, donor_total, block_number,
                           block_hash, tx_hash, log_index)
    SELECT chain_id, contract, (args->>'requestId')::bigint, args->>'donor', args->>'currency',
           (args->>'amount')::numeric, (args->>'donorTotal')::numeric, block_number, block_hash, tx_hash, log_index
    FROM contract_events WHERE contract = '{HELP_DESK}'
    """,  # noqa: S608
    """
    INSERT INTO round_donations (chain_id, round, donor, currency, amount, matic_equivalent, donor_total,
                                 block_number, block_hash, tx_hash, log_index)
    SELECT chain_id, contract, args->>'donor', args->>'currency', (args->>'amount')::numeric,
           (args->>'maticEquivalent')::numeric, (args->>'donorTotal')::numeric, block_number, block_hash, tx_hash,
           log_index
    FROM contract_events WHERE contract_name = 'FundingRound' AND event = 'Donated'
    """,
    """
    INSERT INTO round_events (chain_id, round, event, args, block_number, block_hash, tx_hash, log_index)
    SELECT chain_id, contract, event, args, block_number, block_hash, tx_hash, log_index
    FROM contract_events WHERE contract_name = 'FundingRound' AND event <> 'Donated'
    """,
    f"""
    INSERT INTO funding_rounds (chain_id, factory, address, round_index, founder, salt, metadata_cid, goal, deadline,
                                milestones, implementation, block_number, block_hash, tx_hash, log_index)
    SELECT {CHAIN}, '{FACTORY}', {_ADDRESS.format(f"{ROUND_BASE} + r")}, r, {_ADDRESS.format("3840 + r % 7")},
           '0x' || lpad(to_hex(r), 64, '0'), 'bafkreiexample', 1000000000000000000000, 2000000000, 3,
           '{"0x" + "11" * 20}', 0, '0x' || lpad('0', 64, 'b'), '0x' || lpad(to_hex(r), 64, 'f'), r
    FROM generate_series(0, {ROUNDS - 1}) r
    """,  # noqa: S608
    LIST_EVENT_KINDS,
    """
    INSERT INTO round_totals (chain_id, round, currency, amount, matic_equivalent, donations)
    SELECT chain_id, round, currency, sum(amount), sum(matic_equivalent), count(*) FROM round_donations
    GROUP BY chain_id, round, currency
    """,
    "INSERT INTO round_donors (chain_id, round, donor) SELECT DISTINCT chain_id, round, donor FROM round_donations",
    """
    UPDATE funding_rounds f SET donors = d.n FROM (SELECT chain_id, round, count(*) AS n FROM round_donors
    GROUP BY chain_id, round) d WHERE f.chain_id = d.chain_id AND f.address = d.round
    """,
)
SECONDARY_INDEXES = """
SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
WHERE t.relname = ANY($1::text[]) AND NOT x.indisprimary AND NOT x.indisunique
"""


def _address(n: int) -> str:
    return f"0x{n:040x}"


def _donor(i: int) -> str:
    return _address(1 + (i // 3 * 7919) % DONORS)


async def fill(database_url: str, events: int) -> dict[str, float]:
    """The rows and their indexes (built after the rows, as an initial sync does); seconds per part."""
    tables = [*EVENT_TABLES, "funding_rounds"]
    seconds: dict[str, float] = {}
    connection = await asyncpg.connect(database_url)
    try:
        indexes = await connection.fetch(SECONDARY_INDEXES, tables)
        for index in indexes:
            await connection.execute(f'DROP INDEX "{index["name"]}"')
        started = time.perf_counter()
        # Two sessions at once (two cores), each in its own transaction.
        half = events // 2

        async def part(first: int, last: int) -> None:
            session = await asyncpg.connect(database_url)
            try:
                await session.execute("SET synchronous_commit = off")
                await session.execute(FILL_EVENTS, first, last)
            finally:
                await session.close()

        await asyncio.gather(part(0, half - 1), part(half, events - 1))
        seconds["events"] = time.perf_counter() - started
        started = time.perf_counter()
        for statement in FILL_PROJECTIONS:
            await connection.execute(statement)
        seconds["projections"] = time.perf_counter() - started
        started = time.perf_counter()
        gate = asyncio.Semaphore(2)

        async def build(definition: str) -> None:
            async with gate:
                session = await asyncpg.connect(database_url)
                try:
                    await session.execute("SET maintenance_work_mem = '512MB'")
                    await session.execute(definition)
                finally:
                    await session.close()

        await asyncio.gather(*(build(index["definition"]) for index in indexes))
        seconds["indexes"] = time.perf_counter() - started
        started = time.perf_counter()
        await connection.execute("VACUUM ANALYZE")
        seconds["vacuum analyze"] = time.perf_counter() - started
    finally:
        await connection.close()
    return seconds


def stream() -> PlatformStream:
    """The platform stream the indexer runs, over this bench's contracts and both projections."""
    contracts = {
        name: DeployedContract(address=address, block=0)
        for name, address in (("HelpDesk", HELP_DESK), ("GovernanceToken", TOKEN), ("AuctionHouse", AUCTIONS))
    }
    contracts["FundingRoundFactory"] = DeployedContract(address=FACTORY, block=0)
    return PlatformStream(contracts, [HelpDeskDonations(HELP_DESK), FundingRounds(FACTORY)])


def step_events(first: int, count: int) -> list[EventLog]:
    """`count` decoded events as a step of the indexer hands them over, event numbers from
    `first` on, in the fill's shape (the same mix, positions and arguments)."""
    out = []
    for i in range(first, first + count):
        kind, donor, round_ = (i * 37) % 20, _donor(i), _address(ROUND_BASE + (i // 20) % ROUNDS)
        block = (i // 4) * 8
        ref = LogRef(block, "0xb" + f"{block:x}".rjust(63, "0"), "0xc" + f"{i:x}".rjust(63, "0"), i % 4)
        amount, total = str(10**15 + i), str(10**18 + i)
        if kind < 5:
            contract, event = HELP_DESK, "Donated"
            args: dict[str, Any] = {
                "requestId": str(i % 40), "donor": donor, "currency": ZERO, "amount": amount, "donorTotal": total,
            }  # fmt: skip
        elif kind < 10:
            contract, event = round_, "Donated"
            args = {"donor": donor, "currency": ZERO, "amount": amount, "maticEquivalent": amount, "donorTotal": total}
        elif kind < 14:
            contract, event = TOKEN, "Transfer"
            args = {"from": donor, "to": _address(1 + (i * 17) % DONORS), "value": str(i * 1000)}
        elif kind < 17:
            contract, event = TOKEN, "DelegateVotesChanged"
            args = {"delegate": donor, "previousVotes": str(i * 3), "newVotes": str(i * 3 + 7)}
        elif kind < 19:
            contract, event = AUCTIONS, "BidPlaced"
            args = {"auctionId": str(i % 500), "bidder": donor, "amount": str(i * 11)}
        else:
            contract, event = round_, "MilestoneApproved"
            args = {"milestone": str(i % 3), "status": "2"}
        out.append(EventLog(contract=contract, event=event, args=args, ref=ref))
    return out


@dataclass(frozen=True)
class Writes:
    new_per_second: float
    half_stored_per_second: float
    steps: int


async def writes(database_url: str, first_event: int, steps: int) -> Writes:
    """`steps` steps of new events from event `first_event` on, then 10 half stored already."""
    platform = stream()
    connection = await asyncpg.connect(database_url)
    try:
        batches = [step_events(first_event + n * STEP_EVENTS, STEP_EVENTS) for n in range(steps)]
        started = time.perf_counter()
        for batch in batches:
            async with connection.transaction():
                await platform.stage(CHAIN, batch).store(connection, NEVER)
        new = steps * STEP_EVENTS / (time.perf_counter() - started)
        after = first_event + steps * STEP_EVENTS
        half = STEP_EVENTS // 2
        again = [step_events(after - half + n * half, STEP_EVENTS) for n in range(10)]
        started = time.perf_counter()
        for batch in again:  # each step's first half is the previous step's second
            async with connection.transaction():
                await platform.stage(CHAIN, batch).store(connection, NEVER)
        stored = 10 * STEP_EVENTS / (time.perf_counter() - started)
    finally:
        await connection.close()
    return Writes(new, stored, steps)


class _PoolReads:
    """The API's `Database` read path (one pooled statement per read) over an asyncpg pool."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        return await self.pool.fetch(sql, *args)

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        return await self.pool.fetchrow(sql, *args)


def hot_reads(pool: asyncpg.Pool, events: int) -> dict[str, Callable[[], Awaitable[object]]]:
    """The API's hot reads with the values a client sends, through the API's repositories."""
    database = cast(Database, _PoolReads(pool))
    ev, don, rounds = EventRepository(database), DonationRepository(database), RoundRepository(database)
    middle = LogPosition((events // 2 // 4) * 8, 2)  # a keyset page halfway down
    donor = _donor(events // 3)
    big_round = _address(ROUND_BASE)
    arg = f'{{"donor": "{donor}"}}'

    def events_read(**filters: Any) -> Callable[[], Awaitable[object]]:
        given = {"contract_name": None, "contract": None, "event": None, "args": None, "before": None, **filters}
        return lambda: ev.list_newest_first(limit=51, **given)

    return {
        "events": events_read(),
        "events (halfway page)": events_read(before=middle),
        "events?contract=AuctionHouse": events_read(contract_name="AuctionHouse"),
        "events?contract=<round>": events_read(contract=big_round),
        "events?event=DelegateVotesChanged": events_read(event="DelegateVotesChanged"),
        "events?arg=donor:<a donor>": events_read(args=arg),
        "donations": lambda: don.list_newest_first(donor=None, before=None, limit=51),
        "donations (halfway page)": lambda: don.list_newest_first(donor=None, before=middle, limit=51),
        "donations?donor": lambda: don.list_newest_first(donor=donor, before=None, limit=51),
        "donations?requestId=7": lambda: don.list_newest_first(donor=None, request_id=7, before=None, limit=51),
        "round detail": lambda: rounds.detail(big_round),
        "round donations": lambda: rounds.donations_newest_first(
            round_address=big_round, donor=None, before=None, limit=51
        ),
        "round events": lambda: rounds.events_newest_first(round_address=big_round, event=None, before=None, limit=51),
    }


@dataclass(frozen=True)
class ReadFigures:
    per_second: float
    p50_ms: float
    p99_ms: float


async def measure_read(read: Callable[[], Awaitable[object]], tasks: int, seconds: float) -> ReadFigures:
    for _ in range(20):  # warm: plans cached on each connection, pages in memory
        await read()
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def loop() -> None:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            await read()
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(tasks)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return ReadFigures(
        len(ordered) / elapsed,
        statistics.median(ordered) * 1000,
        ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    )


async def reads(database_url: str, events: int, tasks: int, seconds: float) -> dict[str, ReadFigures]:
    pool = await asyncpg.create_pool(database_url, min_size=8, max_size=8)
    try:
        return {name: await measure_read(read, tasks, seconds) for name, read in hot_reads(pool, events).items()}
    finally:
        await pool.close()


async def convert(database_url: str, policy: PartitionPolicy) -> tuple[dict[str, float], float, int]:
    """Each table converted (seconds each), with one task reading the newest events every 10 ms
    meanwhile: the longest of those reads (ms) and the first partition's end (the event store's)."""
    connection = await asyncpg.connect(database_url)
    reader = await asyncpg.connect(database_url)
    done = asyncio.Event()
    longest = 0.0

    async def read_meanwhile() -> None:
        nonlocal longest
        while not done.is_set():
            started = time.perf_counter()
            await reader.fetch("SELECT * FROM contract_events ORDER BY block_number DESC, log_index DESC LIMIT 51")
            longest = max(longest, time.perf_counter() - started)
            await asyncio.sleep(0.01)

    watcher = asyncio.create_task(read_meanwhile())
    seconds: dict[str, float] = {}
    try:
        for table in EVENT_TABLES:
            started = time.perf_counter()
            result = await maintain(connection, policy, tables=[table])
            seconds[table] = time.perf_counter() - started
            assert len(result.applied) == 1, result
            assert not result.busy, result
        done.set()
        await watcher
        state = await PartitionRepository(connection).state("contract_events")
        first_end = state.partitions[0].upper
        assert first_end is not None
    finally:
        done.set()
        await connection.close()
        await reader.close()
    return seconds, longest * 1000, first_end


def print_reads(before: dict[str, ReadFigures], after: dict[str, ReadFigures]) -> None:
    print(f"{'read':36} {'before q/s':>10} {'p50/p99 ms':>13} {'after q/s':>10} {'p50/p99 ms':>13} {'ratio':>6}")
    for name, b in before.items():
        a = after[name]
        print(
            f"{name:36} {b.per_second:10,.0f} {b.p50_ms:6.2f}/{b.p99_ms:<6.2f} {a.per_second:10,.0f} "
            f"{a.p50_ms:6.2f}/{a.p99_ms:<6.2f} {a.per_second / b.per_second:6.2f}"
        )


async def run(args: argparse.Namespace, url: str) -> None:
    policy = PartitionPolicy(rows=args.events // 50, span_blocks=args.span)  # every event table passes it
    started = time.perf_counter()
    filled = await fill(url, args.events)
    sizes = await _sizes(url)
    print(f"fill: {args.events:,} events in {time.perf_counter() - started:.0f} s ", end="")
    print("(" + ", ".join(f"{part} {s:.0f} s" for part, s in filled.items()) + ")")
    print("rows: " + ", ".join(f"{table} {rows:,} ({size})" for table, (rows, size) in sizes.items()))

    plain_writes = await writes(url, args.events, args.batches)
    # What autovacuum does soon after writes (each read phase follows its writes): statistics for
    # what they added, and the GIN's pending list merged (until then every @> search reads it).
    await vacuum_analyze(url)
    plain_reads = await reads(url, args.events, args.tasks, args.seconds)
    seconds, longest_read, first_end = await convert(url, policy)
    print(
        "conversion: "
        + ", ".join(f"{table} {s:.1f} s" for table, s in seconds.items())
        + f"; longest read of the newest events meanwhile {longest_read:.0f} ms"
    )
    # The chain has moved past the first partition's end: new events go to new partitions.
    first_after = (first_end // 8) * 4
    await maintain_for(url, policy, head=(first_after // 4) * 8 + args.batches * STEP_EVENTS * 2)
    partitioned_writes = await writes(url, first_after, args.batches)
    await vacuum_analyze(url)
    partitioned_reads = await reads(url, args.events, args.tasks, args.seconds)
    print(await _layout(url))

    print(f"\nwrites through PlatformStream.write, {STEP_EVENTS:,} events a step, one transaction each:")
    for label, figures in (("unpartitioned", plain_writes), ("partitioned", partitioned_writes)):
        print(
            f"  {label:14} new {figures.new_per_second:8,.0f} events/s; "
            f"half already stored (ON CONFLICT) {figures.half_stored_per_second:8,.0f} events/s"
        )
    print(f"\nthe API's hot reads, {args.tasks} tasks on a pool of 8, {args.seconds:g} s each:")
    print_reads(plain_reads, partitioned_reads)


async def vacuum_analyze(database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


async def maintain_for(database_url: str, policy: PartitionPolicy, head: int) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        await maintain(connection, policy, head=head)
    finally:
        await connection.close()


async def _sizes(database_url: str) -> dict[str, tuple[int, str]]:
    connection = await asyncpg.connect(database_url)
    try:
        return {
            table: (
                await connection.fetchval(f"SELECT count(*) FROM {table}"),  # noqa: S608
                await connection.fetchval("SELECT pg_size_pretty(pg_total_relation_size($1::regclass))", table),
            )
            for table in EVENT_TABLES
        }
    finally:
        await connection.close()


async def _layout(database_url: str) -> str:
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            """
            SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound, c.reltuples::bigint AS rows
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'contract_events'::regclass ORDER BY c.relname
            """
        )
    finally:
        await connection.close()
    return "contract_events partitions: " + "; ".join(
        f"{row['relname']} {row['bound'].removeprefix('FOR VALUES ')} ~{max(row['rows'], 0):,} rows" for row in rows
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--span", type=int, default=1_000_000, help="blocks a partition")
    parser.add_argument("--batches", type=int, default=40, help=f"write steps of {STEP_EVENTS:,} events")
    parser.add_argument("--seconds", type=float, default=3.0, help="per read")
    parser.add_argument("--tasks", type=int, default=16)
    args = parser.parse_args()
    with scratch_database(ADMIN_URL, prefix="impactchain_bench_partitions") as url:
        asyncio.run(run(args, url))


if __name__ == "__main__":
    main()
