"""The event tables partitioned by block range (impactchain/db/partitions.py) on a real PostgreSQL:
a populated table converted in place, the indexer's writes, deletes and bulk loads on the
partitioned tables, the API's reads before and after, and maintenance run twice at once."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import asyncpg
import pytest

from api.donations.repository import DonationRepository
from api.events.repository import EventRepository
from api.kit.cursor import LogPosition
from api.kit.database import Database
from api.rounds.repository import RoundRepository
from impactchain import schema
from impactchain.db.backup import backup, restore
from impactchain.db.partitions import (
    EVENT_TABLES,
    Connection,
    Convert,
    PartitionPolicy,
    PartitionRepository,
    maintain,
    read_plan,
    report,
)
from impactchain.events import EventLog, LogRef
from impactchain.jobs import ROUND_THANK_YOU_JOB, THANK_YOU_JOB
from impactchain.registry import DeployedContract
from impactchain.settings import sqlalchemy_url
from indexer.projections.donations import HelpDeskDonations
from indexer.projections.funding_rounds import FundingRounds
from indexer.repository import delete_rows, insert_new
from indexer.stream import EVENT_COLUMNS, PlatformStream
from tests.integration.cli.test_settings_validation import run_cli
from tests.integration.conftest import ADMIN_DATABASE_URL

SPAN = 100
# Past 500 rows, one partition per 100 blocks.
POLICY = PartitionPolicy(rows=500, span_blocks=SPAN)
HELP_DESK = "0x" + "11" * 20
FACTORY = "0x" + "22" * 20
ROUND = "0x" + "33" * 20
DONOR = "0x" + "44" * 20
NATIVE = "0x" + "00" * 20

# 3,000 events over blocks 0..999 (three a block), a third of them HelpDesk donations and a
# third donations to one round, whose other events fill round_events.
FILL = [
    """
    INSERT INTO contract_events (chain_id, contract, contract_name, event, args, block_number, block_hash, tx_hash,
                                 log_index)
    SELECT 31337, CASE g % 3 WHEN 0 THEN '0x1111111111111111111111111111111111111111' ELSE
           '0x3333333333333333333333333333333333333333' END,
           CASE g % 3 WHEN 0 THEN 'HelpDesk' ELSE 'FundingRound' END,
           CASE g % 3 WHEN 2 THEN 'MilestoneApproved' ELSE 'Donated' END,
           jsonb_build_object('donor', '0xD' || (g % 13), 'amount', g::text), g / 3, 'bh' || g / 3, 'tx' || g, g % 3
    FROM generate_series(0, 2999) g
    """,
    """
    INSERT INTO donations (chain_id, contract, request_id, donor, currency, amount, donor_total, block_number,
                           block_hash, tx_hash, log_index)
    SELECT 31337, '0x1111111111111111111111111111111111111111', g % 4, '0xd' || (g % 13),
           '0x0000000000000000000000000000000000000000', g, g * 2, g / 3, 'bh' || g / 3, 'tx' || g, g % 3
    FROM generate_series(0, 2999, 3) g
    """,
    """
    INSERT INTO round_donations (chain_id, round, donor, currency, amount, matic_equivalent, donor_total,
                                 block_number, block_hash, tx_hash, log_index)
    SELECT 31337, '0x3333333333333333333333333333333333333333', '0xd' || (g % 13),
           '0x0000000000000000000000000000000000000000', g, g, g, g / 3, 'bh' || g / 3, 'tx' || g, g % 3
    FROM generate_series(1, 2999, 3) g
    """,
    """
    INSERT INTO round_events (chain_id, round, event, args, block_number, block_hash, tx_hash, log_index)
    SELECT 31337, '0x3333333333333333333333333333333333333333',
           CASE WHEN g = 2900 THEN 'RoundFinalized' ELSE 'MilestoneApproved' END,
           jsonb_build_object('status', (g % 5)::text), g / 3, 'bh' || g / 3, 'tx' || g, g % 3
    FROM generate_series(2, 2999, 3) g
    """,
    """
    INSERT INTO funding_rounds (chain_id, factory, address, round_index, founder, salt, metadata_cid, goal, deadline,
                                milestones, implementation, block_number, block_hash, tx_hash, log_index, donors)
    VALUES (31337, '0x2222222222222222222222222222222222222222', '0x3333333333333333333333333333333333333333', 0,
            '0x5555555555555555555555555555555555555555', '0x00', 'cid', 10, 0, 2,
            '0x6666666666666666666666666666666666666666', 0, 'bh0', 'txround', 9, 13)
    """,
    """
    INSERT INTO round_totals (chain_id, round, currency, amount, matic_equivalent, donations)
    SELECT chain_id, round, currency, sum(amount), sum(matic_equivalent), count(*) FROM round_donations
    GROUP BY chain_id, round, currency
    """,
    "ANALYZE",
]
# A partitioned table's index reads `ON ONLY` (its definition on the parent alone): what matters
# is that each index has the same columns, method and name, and is on every partition.
INDEXES = """
SELECT c.relname AS table_name, i.relname AS name, replace(pg_get_indexdef(i.oid), ' ON ONLY ', ' ON ') AS definition
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
WHERE c.relname = ANY($1::text[]) ORDER BY 1, 2
"""


@pytest.fixture(scope="module")
def template() -> Iterator[str]:
    """A migrated database to copy for each test (a copy is much faster than migrating)."""
    name = f"impactchain_partitions_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        schema.upgrade(sqlalchemy_url(_url(name)))
        yield name
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def database(template: str) -> AsyncIterator[str]:
    """A fresh copy of the migrated database with the fill's rows, its tables not partitioned."""
    name = f"{template}_{uuid.uuid4().hex[:6]}"
    await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    connection = await asyncpg.connect(_url(name))
    try:
        for statement in FILL:
            await connection.execute(statement)
    finally:
        await connection.close()
    yield _url(name)
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def db(database: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database)
    yield connection
    await connection.close()


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(ADMIN_DATABASE_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _url(name: str) -> str:
    return f"{ADMIN_DATABASE_URL.rpartition('/')[0]}/{name}"


async def partitions_of(db: asyncpg.Connection, table: str) -> list[str]:
    rows = await db.fetch(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass "
        "ORDER BY 1",
        table,
    )
    return [row["relname"] for row in rows]


async def rows_of(db: asyncpg.Connection, table: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in await db.fetch(f"SELECT * FROM {table} ORDER BY block_number, log_index")]  # noqa: S608


async def where_rows_are(db: asyncpg.Connection, table: str) -> dict[int, str]:
    rows = await db.fetch(f"SELECT block_number, tableoid::regclass::text AS part FROM {table}")  # noqa: S608
    return {row["block_number"]: row["part"] for row in rows}


async def test_a_populated_table_becomes_its_first_partition_without_moving_a_row(db: asyncpg.Connection) -> None:
    before = {table: await rows_of(db, table) for table in EVENT_TABLES}
    indexes = await db.fetch(INDEXES, list(EVENT_TABLES))
    files = {table: await db.fetchval("SELECT pg_relation_filenode($1::regclass)", table) for table in EVENT_TABLES}
    index_files = {
        row["name"]: await db.fetchval("SELECT pg_relation_filenode($1::regclass)", row["name"]) for row in indexes
    }

    result = await maintain(db, POLICY)

    assert not result.busy
    assert len(result.applied) == 4
    for table in EVENT_TABLES:
        assert await db.fetchval("SELECT relkind FROM pg_class WHERE oid = $1::regclass", table) == b"p"
        assert await rows_of(db, table) == before[table]  # every row, ids included
        # The old table is the first partition: the same file, so nothing was rewritten.
        first = f"{table}_p0"
        assert await db.fetchval("SELECT pg_relation_filenode($1::regclass)", first) == files[table]
        # Rows of blocks 0..999: the old table keeps the rest of its span and the next (up to 1,100).
        assert await partitions_of(db, table) == [f"{table}_overflow", first]
        assert set((await where_rows_are(db, table)).values()) == {first}
        assert await db.fetchval("SELECT pg_get_serial_sequence($1, 'id')", table) == f"public.{table}_id_seq"
        assert (
            await db.fetchval(
                "SELECT count(*) FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'c'", first
            )
            == 0
        )  # the CHECK that proved the bound went with the attach
    # The same indexes by name and definition on the partitioned tables, each one on every partition.
    assert [tuple(row) for row in await db.fetch(INDEXES, list(EVENT_TABLES))] == [tuple(row) for row in indexes]
    for row in indexes:
        children = await db.fetch(
            """
            SELECT x.indrelid::regclass::text AS partition, pg_relation_filenode(x.indexrelid) AS file
            FROM pg_inherits i JOIN pg_index x ON x.indexrelid = i.inhrelid WHERE i.inhparent = $1::regclass
            """,
            row["name"],
        )
        files_by_partition = {child["partition"]: child["file"] for child in children}
        assert set(files_by_partition) == {f"{row['table_name']}_p0", f"{row['table_name']}_overflow"}
        assert files_by_partition[f"{row['table_name']}_p0"] == index_files[row["name"]]  # not built again
    # New rows draw ids after the old ones.
    await insert_new(db, "contract_events", EVENT_COLUMNS, [_event(999, 3)])
    assert await db.fetchval("SELECT id FROM contract_events WHERE (block_number, log_index) = (999, 3)") == 3_001
    assert await maintain(db, POLICY) == type(result)()  # nothing left to do


async def test_a_small_table_or_partitioning_off_stays_as_it_is(db: asyncpg.Connection) -> None:
    assert (await maintain(db, PartitionPolicy(rows=0, span_blocks=SPAN))).applied == []
    assert (await maintain(db, PartitionPolicy(rows=10_000, span_blocks=SPAN))).applied == []
    assert await db.fetchval("SELECT count(*) FROM pg_class WHERE relkind = 'p'") == 0


async def partition(db: Connection, head: int) -> None:
    """Convert the tables as they are (up to block 1,100), then extend them for the indexer at `head`."""
    await maintain(db, POLICY)
    await maintain(db, POLICY, head=head)


async def test_the_indexers_writes_route_to_their_partitions_and_skip_what_is_stored(db: asyncpg.Connection) -> None:
    await partition(db, head=1_250)  # then partitions up to 1,400: [1100, 1200), [1200, 1300), [1300, 1400)
    assert await partitions_of(db, "contract_events") == [
        "contract_events_overflow",
        "contract_events_p0",
        "contract_events_p1100",
        "contract_events_p1200",
        "contract_events_p1300",
    ]
    batch = [_event(block, index) for block in (1_050, 1_150, 1_250, 1_399, 1_400, 5_000) for index in (0, 1)]

    async with db.transaction():
        assert await insert_new(db, "contract_events", EVENT_COLUMNS, batch) == 12  # by COPY
    where = await where_rows_are(db, "contract_events")
    assert [where[block] for block in (1_050, 1_150, 1_250, 1_399, 1_400, 5_000)] == [
        "contract_events_p0",
        "contract_events_p1100",
        "contract_events_p1200",
        "contract_events_p1300",
        "contract_events_overflow",  # past the partitions: stored all the same
        "contract_events_overflow",
    ]
    again = [*batch[3:], _event(1_151, 0), _event(1_401, 0)]
    async with db.transaction():  # some stored already: the ON CONFLICT path adds only the two new
        assert await insert_new(db, "contract_events", EVENT_COLUMNS, again) == 2
    assert await db.fetchval("SELECT count(*) FROM contract_events WHERE block_number >= 1050") == 14

    # HelpDesk donations with their jobs, through the projection, both ways.
    donations = HelpDeskDonations(HELP_DESK)
    async with db.transaction():
        assert await donations.stage(31337, [_donated(1_120, 0), _donated(1_320, 1)]).store(db, 0) == 2
    async with db.transaction():
        assert await donations.stage(31337, [_donated(1_120, 0), _donated(1_220, 0)]).store(db, 0) == 1
    assert await db.fetchval("SELECT count(*) FROM job_outbox WHERE function = $1", THANK_YOU_JOB) == 3


async def test_a_reorg_deletes_across_partitions_with_their_jobs_and_kept_figures(db: asyncpg.Connection) -> None:
    await partition(db, head=1_250)
    rounds = FundingRounds(FACTORY)
    gifts = [_round_donated(block, 0) for block in (1_050, 1_150, 1_250, 1_350)]
    async with db.transaction():
        assert await rounds.stage(31337, gifts).store(db, 0) == 4  # the RETURNING path with its figures
        assert await rounds.stage(31337, gifts).store(db, 0) == 0
    raised = "SELECT donations, amount FROM round_totals WHERE round = $1"
    assert tuple(await db.fetchrow(raised, ROUND) or ()) == (1_000 + 4, sum(range(1, 2999, 3)) + 4 * 7)

    async with db.transaction():  # roll back everything above block 1,100: three partitions
        removed = await rounds.forget_after(db, 31337, 1_100)
        removed += await delete_rows(db, "contract_events", "block_number > $1", 1_100)
    assert removed == 3
    assert tuple(await db.fetchrow(raised, ROUND) or ()) == (1_000 + 1, sum(range(1, 2999, 3)) + 7)
    assert await db.fetchval("SELECT max(block_number) FROM round_donations") == 1_050
    assert await db.fetchval("SELECT count(*) FROM job_outbox WHERE function = $1", ROUND_THANK_YOU_JOB) == 1


async def test_rows_past_the_partitions_are_settled_into_one_by_the_next_maintenance(db: asyncpg.Connection) -> None:
    await maintain(db, POLICY)
    before = await rows_of(db, "contract_events")
    async with db.transaction():
        await insert_new(db, "contract_events", EVENT_COLUMNS, [_event(b, 0) for b in (1_100, 1_234, 1_450)])
    stored = await rows_of(db, "contract_events")
    assert len(stored) == len(before) + 3
    head, states, changes = await read_plan(db, POLICY, ["contract_events"])
    assert states[0].overflow_max_block == 1_450
    assert "maintenance lagged" in "\n".join(report(head, states, changes, POLICY))

    await maintain(db, POLICY)

    assert await rows_of(db, "contract_events") == stored
    where = await where_rows_are(db, "contract_events")
    assert {where[b] for b in (1_100, 1_234, 1_450)} == {"contract_events_p1100"}  # [1100, 1500): the rows as they were
    _, states, changes = await read_plan(db, POLICY, ["contract_events"])
    assert changes == []
    assert [(p.name, p.lower, p.upper) for p in states[0].partitions][-3:] == [
        ("contract_events_p1100", 1_100, 1_500),
        ("contract_events_p1500", 1_500, 1_600),  # a span ahead of block 1,450
        ("contract_events_overflow", 1_600, None),
    ]
    assert states[0].overflow_max_block is None


async def test_maintenance_run_twice_at_once_changes_once(database: str) -> None:
    first, second = await asyncpg.connect(database), await asyncpg.connect(database)
    try:
        converted = await asyncio.gather(maintain(first, POLICY), maintain(second, POLICY))
        assert sorted(len(result.applied) for result in converted) == [0, 4]
        assert await partitions_of(first, "donations") == ["donations_overflow", "donations_p0"]
        extended = await asyncio.gather(maintain(first, POLICY, head=1_500), maintain(second, POLICY, head=1_500))
        assert sorted(len(result.applied) for result in extended) == [0, 4]
        assert (await maintain(first, POLICY, head=1_500)).applied == []
        _, states, _ = await read_plan(first, POLICY, ["donations"])
        assert [(p.name, p.lower, p.upper) for p in states[0].partitions] == [
            ("donations_p0", None, 1_100),
            ("donations_p1100", 1_100, 1_500),  # the spans up to the head's, empty: one partition
            ("donations_p1500", 1_500, 1_600),
            ("donations_p1600", 1_600, 1_700),
            ("donations_overflow", 1_700, None),
        ]
    finally:
        await first.close()
        await second.close()


async def test_a_long_read_in_the_way_postpones_the_conversion_and_a_left_bound_is_reused(database: str) -> None:
    reader, maintainer = await asyncpg.connect(database), await asyncpg.connect(database)
    try:
        async with reader.transaction():  # a read still running: ACCESS SHARE until it ends
            await reader.fetchval("SELECT count(*) FROM round_events")
            postponed = await maintain(maintainer, POLICY, tables=["round_events"])
        assert postponed.busy == ["round_events"]
        assert postponed.applied == []
        # A run interrupted after adding its CHECK: the next one converts at that bound.
        async with maintainer.transaction():
            await PartitionRepository(maintainer).add_bound("round_events", 1_300)
        _, states, changes = await read_plan(maintainer, POLICY, ["round_events"])
        assert (states[0].partitioned, states[0].bound) == (False, 1_300)
        assert changes == [Convert("round_events", 1_300)]
        assert (await maintain(maintainer, POLICY, tables=["round_events"])).applied == [changes[0].describe()]
        _, states, _ = await read_plan(maintainer, POLICY, ["round_events"])
        assert [(p.name, p.lower, p.upper) for p in states[0].partitions] == [
            ("round_events_p0", None, 1_300),
            ("round_events_overflow", 1_300, None),
        ]
        # Partitioning turned off meanwhile: the left CHECK goes, or it would refuse rows one day.
        async with maintainer.transaction():
            await PartitionRepository(maintainer).add_bound("donations", 5_000)
        off = await maintain(maintainer, PartitionPolicy(rows=0, span_blocks=SPAN), tables=["donations"])
        assert off.applied == ["donations: drop the bound a conversion left (partitioning is off)"]
        assert (await read_plan(maintainer, POLICY, ["donations"]))[1][0].bound is None
    finally:
        await reader.close()
        await maintainer.close()


async def test_the_indexers_maintenance_does_not_wait_on_another(database: str) -> None:
    cli, indexer = await asyncpg.connect(database), await asyncpg.connect(database)
    try:
        assert await PartitionRepository(cli).lock_maintenance()  # a long conversion by the CLI, say

        skipped = await maintain(indexer, POLICY, wait=False)

        assert skipped.applied == []
        assert skipped.busy == list(EVENT_TABLES)
        await PartitionRepository(cli).unlock_maintenance()
        assert len((await maintain(indexer, POLICY, wait=False)).applied) == 4
    finally:
        await cli.close()
        await indexer.close()


async def test_a_backup_restores_the_partitioned_tables_as_they_were(database: str, tmp_path: Path) -> None:
    db = await asyncpg.connect(database)
    try:
        await partition(db, head=1_250)
        rows = {table: await rows_of(db, table) for table in EVENT_TABLES}
        layout = {table: await partitions_of(db, table) for table in EVENT_TABLES}
    finally:
        await db.close()
    name = f"{database.rpartition('/')[2]}_restored"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        archive = tmp_path / "partitioned.dump"
        await asyncio.to_thread(backup, database, archive)
        await asyncio.to_thread(restore, archive, _url(name))
        restored = await asyncpg.connect(_url(name))
        try:
            assert {table: await rows_of(restored, table) for table in EVENT_TABLES} == rows
            assert {table: await partitions_of(restored, table) for table in EVENT_TABLES} == layout
            assert (await maintain(restored, POLICY, head=1_250)).applied == []
            async with restored.transaction():
                await insert_new(restored, "contract_events", EVENT_COLUMNS, [_event(1_399, 0)])
            assert await restored.fetchval("SELECT max(id) FROM contract_events") == 3_001
        finally:
            await restored.close()
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_the_apis_reads_answer_the_same_after_partitioning(database: str) -> None:
    db = await asyncpg.connect(database)
    try:
        before = await _api_reads(db)
        await partition(db, head=1_250)
        await insert_new(db, "contract_events", EVENT_COLUMNS, [_event(5_000, 0)])  # into the overflow
        after = await _api_reads(db)
    finally:
        await db.close()
    newest = after["events"].pop(0)
    assert newest["block_number"] == 5_000
    after["events"].append(before["events"][-1])  # the page's window moved by the one new event
    assert after == before


async def test_the_hex_columns_collation_goes_down_to_every_partition_and_back(database: str) -> None:
    # Migration 0014 changes the columns of tables that may be partitioned by then: down and up
    # again, every partition's address and hash columns follow, and the reads answer the same.
    db = await asyncpg.connect(database)
    try:
        await partition(db, head=1_250)
        before = await _api_reads(db)
        await asyncio.to_thread(schema.downgrade, sqlalchemy_url(database), "0013")
        assert await _collations(db, ["donations_p0"], "donor") == {"donations_p0": None}
        await asyncio.to_thread(schema.upgrade, sqlalchemy_url(database))
        for table in EVENT_TABLES:
            partitions = await partitions_of(db, table)
            column = "round" if table.startswith("round_") else "tx_hash"
            assert await _collations(db, partitions, column) == dict.fromkeys(partitions, "C")
        assert await _api_reads(db) == before
    finally:
        await db.close()


async def _collations(db: asyncpg.Connection, tables: Sequence[str], column: str) -> dict[str, str | None]:
    rows = await db.fetch(
        "SELECT table_name, collation_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = ANY($1::text[]) AND column_name = $2",
        tables,
        column,
    )
    return {row["table_name"]: row["collation_name"] for row in rows}


async def test_a_bulk_load_defers_and_builds_the_partitioned_indexes(database: str) -> None:
    pool = await asyncpg.create_pool(database, min_size=1, max_size=3)
    try:
        async with pool.acquire() as db:
            await partition(db, head=1_250)
            indexes = await db.fetch(INDEXES, list(EVENT_TABLES))
            stream = PlatformStream(
                {"HelpDesk": DeployedContract(address=HELP_DESK, block=0)},
                [HelpDeskDonations(HELP_DESK), FundingRounds(FACTORY)],
            )
            async with db.transaction():
                deferred = await stream.begin_bulk_load(db)
            assert "ix_contract_events_args" in deferred
            on_partitions = (
                "SELECT count(*) FROM pg_index x JOIN pg_inherits i ON i.inhrelid = x.indrelid "
                "WHERE i.inhparent = 'contract_events'::regclass"
            )
            assert await db.fetchval(on_partitions) == 5  # the five partitions keep only their key
            async with db.transaction():
                await insert_new(db, "contract_events", EVENT_COLUMNS, [_event(1_260, 0)])

        await stream.end_bulk_load(pool, None)

        async with pool.acquire() as db:
            assert [tuple(row) for row in await db.fetch(INDEXES, list(EVENT_TABLES))] == [
                tuple(row) for row in indexes
            ]
            assert await db.fetchval(on_partitions) == 5 * 4  # the key, two b-trees and the GIN each
    finally:
        await pool.close()


def test_the_cli_shows_the_plan_then_applies_it(database: str) -> None:
    env = {"DATABASE_URL": database, "IMPACTCHAIN_PARTITION_ROWS": "500", "IMPACTCHAIN_PARTITION_SPAN_BLOCKS": "100"}

    shown = run_cli("db", "partitions", **env)
    applied = run_cli("db", "partitions", "--apply", **env)
    again = run_cli("db", "partitions", **env)

    assert shown.returncode == 0, shown.stderr
    assert "contract_events: not partitioned, ~3,000 rows" in shown.stdout
    assert "plan: round_events: partition it; its rows stay where they are as partition [MINVALUE, 1,100)" in (
        shown.stdout
    )
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout.count("applied: ") == 4
    assert "  donations_p0: [MINVALUE, 1,100) ~1,000 rows" in again.stdout
    assert "  donations_overflow: [1,100, MAXVALUE) ~0 rows" in again.stdout
    assert again.stdout.rstrip().endswith("plan: nothing to change")


def test_the_cli_names_a_database_it_cannot_reach_in_one_line_without_its_password() -> None:
    unreachable = run_cli("db", "partitions", DATABASE_URL="postgresql://ops:hunter2@127.0.0.1:1/impactchain")

    assert unreachable.returncode == 1
    assert unreachable.stderr.startswith("impactchain: postgresql://ops:***@127.0.0.1:1/impactchain: ")
    assert "hunter2" not in unreachable.stderr + unreachable.stdout
    assert "Traceback" not in unreachable.stderr


async def _api_reads(db: asyncpg.Connection) -> dict[str, Any]:
    """The API's hot reads through its own repositories."""
    database = cast(Database, _Reads(db))
    events, donations, rounds = EventRepository(database), DonationRepository(database), RoundRepository(database)
    deep = LogPosition(500, 1)
    reads: dict[str, Any] = {
        "events": await events.list_newest_first(
            contract_name=None, contract=None, event=None, args=None, before=None, limit=51
        ),
        "events?contract": await events.list_newest_first(
            contract_name="HelpDesk", contract=None, event=None, args=None, before=deep, limit=51
        ),
        "events?event": await events.list_newest_first(
            contract_name=None, contract=HELP_DESK, event="Donated", args=None, before=deep, limit=51
        ),
        "events?arg": await events.list_newest_first(
            contract_name=None, contract=None, event=None, args='{"donor": "0xD7"}', before=None, limit=51
        ),
        "donations": await donations.list_newest_first(donor=None, before=None, limit=51),
        "donations?donor": await donations.list_newest_first(donor="0xd5", before=deep, limit=51),
        "donations?request": await donations.list_newest_first(donor=None, request_id=2, before=None, limit=51),
        "round": await rounds.detail(ROUND),
        "round donations": await rounds.donations_newest_first(
            round_address=ROUND, donor="0xd3", before=deep, limit=51
        ),
        "round events": await rounds.events_newest_first(round_address=ROUND, event=None, before=None, limit=51),
    }
    return {name: [dict(row) for row in rows] if isinstance(rows, list) else rows for name, rows in reads.items()}


class _Reads:
    """The API's `Database` read path over one connection."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        return await self.connection.fetch(sql, *args)

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        return await self.connection.fetchrow(sql, *args)


def _event(block: int, index: int) -> tuple[object, ...]:
    return (31337, HELP_DESK, "HelpDesk", "Noted", "{}", block, f"bh{block}", f"new{block}:{index}", index)


def _ref(block: int, index: int) -> LogRef:
    return LogRef(block, f"bh{block}", f"gift{block}:{index}", index)


def _donated(block: int, index: int) -> EventLog:
    args = {"requestId": "0", "donor": DONOR, "currency": NATIVE, "amount": "5", "donorTotal": "5"}
    return EventLog(contract=HELP_DESK, event="Donated", args=args, ref=_ref(block, index))


def _round_donated(block: int, index: int) -> EventLog:
    args = {"donor": DONOR, "currency": NATIVE, "amount": "7", "maticEquivalent": "7", "donorTotal": "7"}
    return EventLog(contract=ROUND, event="Donated", args=args, ref=_ref(block, index))
