"""The event tables partitioned by block range once they pass a configured size, and kept so.

The event store and the projections of one row per log (`EVENT_TABLES`) only ever grow. Past
`IMPACTCHAIN_PARTITION_ROWS` rows (PostgreSQL's estimate) a table becomes a declaratively
range-partitioned table on `block_number`, one partition per `IMPACTCHAIN_PARTITION_SPAN_BLOCKS`
blocks: recent rows then live in a small partition whose indexes stay in memory, and the API's
newest-first reads (ORDER BY block_number DESC, …) read the newest partitions first and stop.

Converting never rewrites a row. The table gets a CHECK (block_number < bound), added NOT VALID
and validated in its own transaction (a scan that lets reads and writes go on); then, in one short
transaction under an ACCESS EXCLUSIVE lock, it is renamed and becomes the first partition
[MINVALUE, bound) of a new partitioned table of its old name, whose indexes are declared like its
own (its indexes are attached as they are: the key they need, the log's position, is the tables'
primary key since migration 0010), and whose `id` sequence, defaults, owner and grants are its
own. ATTACH skips its scan: the validated CHECK proves the rows fit.

Past the last planned partition there is always `<table>_overflow`, [covered_to, MAXVALUE): a
row never fails for want of a partition. It stays empty while maintenance keeps at least one
span of partitions ahead of the head (the indexer's checkpoints, or the table's last block); if
rows reach it anyway, the next maintenance detaches it, attaches it back as the partition
[covered_to, its last block's span end) and puts a fresh overflow above. A range partition rather
than a DEFAULT one: with a DEFAULT partition PostgreSQL merges every partition's index scan for
an ORDER BY (a Merge Append) instead of reading them in order and stopping at the LIMIT.

Every change runs under a session advisory lock (concurrent runs wait, then find nothing left to
do), re-reads the catalog under it, and takes its table locks with a `lock_timeout`: a long read
in the way makes the change wait for a later run instead of queueing every read behind it.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeAlias

import asyncpg
import structlog

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    from impactchain.settings import Settings

log = structlog.get_logger(__name__)

Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"

# The tables of one row per log, keyed by (block_number, log_index, chain_id) (migration 0010).
EVENT_TABLES = ("contract_events", "donations", "round_donations", "round_events")
# pg_advisory_lock(hashtext(...)): one maintenance at a time, whichever process runs it.
MAINTENANCE_LOCK = "impactchain:partitions"
# How long a change waits for a table lock before giving up until the next run.
LOCK_TIMEOUT = "2s"
_BOUND = re.compile(r"FOR VALUES FROM \((?P<lower>[^)]*)\) TO \((?P<upper>[^)]*)\)")
_CHECK_BOUND = re.compile(r"CHECK \(\(block_number < '?(?P<bound>\d+)'?(::bigint)?\)\)( NOT VALID)?")
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class Fence(Protocol):
    async def check(self, connection: Connection) -> None:
        """Raise unless the caller may still write (the indexer's writer lock)."""
        ...


@dataclass(frozen=True, slots=True)
class PartitionPolicy:
    """When an event table is partitioned (`rows`, 0: never) and how many blocks each partition spans."""

    rows: int
    span_blocks: int

    @classmethod
    def from_settings(cls, settings: "Settings") -> "PartitionPolicy":
        return cls(rows=settings.partition_rows, span_blocks=settings.partition_span_blocks)

    def span_start(self, block: int) -> int:
        return block // self.span_blocks * self.span_blocks

    def ahead_of(self, head: int) -> int:
        """Where partitions must reach for `head`: the first span boundary a full span above it."""
        return self.span_start(head + self.span_blocks) + self.span_blocks


@dataclass(frozen=True, slots=True)
class Partition:
    name: str
    lower: int | None  # None: MINVALUE
    upper: int | None  # None: MAXVALUE (the overflow)
    rows: int  # PostgreSQL's estimate


@dataclass(frozen=True, slots=True)
class TableState:
    table: str
    partitioned: bool
    rows: int  # PostgreSQL's estimate (0 before the table was ever analyzed)
    max_block: int | None
    partitions: Sequence[Partition] = ()
    overflow_max_block: int | None = None  # the overflow's last block: None while empty
    bound: int | None = None  # an unpartitioned table's pending CHECK (block_number < bound), if any

    def table_head(self, head: int) -> int:
        """The block partitions are planned around: the indexer's, or the table's last if further."""
        return max(head, self.max_block or 0)

    @property
    def covered_to(self) -> int | None:
        """Where the bounded partitions end (the overflow's lower bound)."""
        bounded = [p.upper for p in self.partitions if p.upper is not None]
        return max(bounded) if bounded else None


@dataclass(frozen=True, slots=True)
class Convert:
    """Make `table` the first partition, [MINVALUE, `bound`), of a partitioned table of its name."""

    table: str
    bound: int

    def describe(self) -> str:
        return f"{self.table}: partition it; its rows stay where they are as partition [MINVALUE, {self.bound:,})"


@dataclass(frozen=True, slots=True)
class Extend:
    """Add partitions to `table` up to `target`; first settle the overflow's rows, if any, into a
    partition [covered_to, `settle_to`)."""

    table: str
    covered_to: int
    target: int
    settle_to: int | None = None

    def describe(self) -> str:
        settle = (
            f"; the overflow's rows become partition [{self.covered_to:,}, {self.settle_to:,})"
            if self.settle_to is not None
            else ""
        )
        start = self.settle_to or self.covered_to
        added = f"add partitions [{start:,}, {self.target:,})" if start < self.target else "move the overflow up"
        return f"{self.table}: {added}{settle}"


@dataclass(frozen=True, slots=True)
class DropBound:
    """Remove the CHECK an interrupted conversion left (partitioning is now off)."""

    table: str

    def describe(self) -> str:
        return f"{self.table}: drop the bound a conversion left (partitioning is off)"


Change: TypeAlias = Convert | Extend | DropBound


def plan_table(state: TableState, policy: PartitionPolicy, head: int) -> list[Change]:
    """What keeps `state` as `policy` wants it with the indexer at block `head` (at least the
    table's last block: see `table_head`)."""
    if not state.partitioned:
        if policy.rows <= 0 or state.rows <= policy.rows:
            return [DropBound(state.table)] if state.bound is not None else []
        # The old table keeps the rest of its span and the next: a writer running alongside the
        # conversion (the CLI's) has a full span of blocks before the pending CHECK refuses a row.
        bound = state.bound or policy.span_start(head) + 2 * policy.span_blocks
        return [Convert(state.table, bound)]
    covered = state.covered_to
    if covered is None:
        return []  # not a layout this module made (no bounded partition): leave it to its operator
    target = policy.ahead_of(head)
    settle_to = None
    if state.overflow_max_block is not None:
        settle_to = policy.span_start(state.overflow_max_block) + policy.span_blocks
    if settle_to is None and covered >= target:
        return []
    return [Extend(state.table, covered, max(target, settle_to or 0), settle_to)]


def new_bounds(start: int, target: int, head: int, policy: PartitionPolicy) -> list[tuple[int, int]]:
    """Partitions from `start` up to `target`, one per span; the first also takes any whole spans
    between `start` and the head's span (nothing was written there yet: one partition, not many
    empty ones)."""
    bounds = []
    lower = start
    while lower < target:
        upper = min(max(policy.span_start(lower) + policy.span_blocks, policy.span_start(head)), target)
        bounds.append((lower, upper))
        lower = upper
    return bounds


@dataclass(slots=True)
class MaintenanceResult:
    applied: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)  # tables whose lock did not come in time


class PartitionRepository:
    """All SQL of partitioning: catalog reads and the DDL. The caller owns the transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    async def head(self) -> int:
        """The furthest block any indexer stored (0 before any did)."""
        return int(await self.connection.fetchval("SELECT coalesce(max(block_number), 0) FROM indexer_checkpoints"))

    async def state(self, table: str) -> TableState:
        row = await self.connection.fetchrow(
            "SELECT oid, relkind = 'p' AS partitioned, reltuples FROM pg_class WHERE oid = to_regclass($1)", table
        )
        if row is None:
            raise ValueError(f"no table {table!r}")
        max_block = await self.connection.fetchval(f"SELECT max(block_number) FROM {_name(table)}")  # noqa: S608
        if not row["partitioned"]:
            return TableState(
                table, False, max(int(row["reltuples"]), 0), max_block, bound=await self._pending_bound(table)
            )
        partitions = await self._partitions(row["oid"])
        overflow = next((p for p in partitions if p.name == _overflow_name(table)), None)
        overflow_max = (
            await self.connection.fetchval(f"SELECT max(block_number) FROM {_name(overflow.name)}")  # noqa: S608
            if overflow is not None
            else None
        )
        rows = sum(p.rows for p in partitions)
        return TableState(table, True, rows, max_block, partitions, overflow_max)

    async def _partitions(self, parent: int) -> list[Partition]:
        rows = await self.connection.fetch(
            """
            SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound, greatest(c.reltuples, 0)::bigint AS rows
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1
            """,
            parent,
        )
        partitions = []
        for row in rows:
            match = _BOUND.fullmatch(row["bound"])
            if match is None:  # a DEFAULT partition an operator added: shown, never touched
                partitions.append(Partition(row["relname"], None, None, row["rows"]))
                continue
            partitions.append(Partition(row["relname"], _value(match["lower"]), _value(match["upper"]), row["rows"]))
        return sorted(partitions, key=lambda p: (p.lower is not None, p.lower or 0))

    async def _pending_bound(self, table: str) -> int | None:
        definition = await self.connection.fetchval(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = to_regclass($1) AND conname = $2",
            table,
            _bound_constraint(table),
        )
        if definition is None:
            return None
        match = _CHECK_BOUND.fullmatch(definition)
        if match is None:
            raise ValueError(f"unexpected {_bound_constraint(table)} on {table}: {definition}")
        return int(match["bound"])

    async def lock_maintenance(self, *, wait: bool = True) -> bool:
        """The maintenance lock (session-level); without `wait`, False at once if another holds it."""
        if wait:
            await self.connection.execute("SELECT pg_advisory_lock(hashtext($1))", MAINTENANCE_LOCK)
            return True
        return bool(await self.connection.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", MAINTENANCE_LOCK))

    async def unlock_maintenance(self) -> None:
        await self.connection.execute("SELECT pg_advisory_unlock(hashtext($1))", MAINTENANCE_LOCK)

    async def lock_table(self, table: str) -> None:
        """ACCESS EXCLUSIVE on `table`, waiting at most LOCK_TIMEOUT (asyncpg.LockNotAvailableError)."""
        await self.connection.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        await self.connection.execute(f"LOCK TABLE {_name(table)} IN ACCESS EXCLUSIVE MODE")

    async def add_bound(self, table: str, bound: int) -> None:
        """The CHECK that proves `table` fits [MINVALUE, bound), not validated yet (no scan)."""
        await self.lock_table(table)
        await self.connection.execute(
            f"ALTER TABLE {_name(table)} ADD CONSTRAINT {_name(_bound_constraint(table))} "
            f"CHECK (block_number < {int(bound)}) NOT VALID"
        )

    async def drop_bound(self, table: str) -> None:
        await self.lock_table(table)
        await self.connection.execute(
            f"ALTER TABLE {_name(table)} DROP CONSTRAINT IF EXISTS {_name(_bound_constraint(table))}"
        )

    async def validate_bound(self, table: str) -> None:
        """Scan `table` once for the CHECK (under SHARE UPDATE EXCLUSIVE: reads and writes go on)."""
        await self.connection.execute("SET LOCAL statement_timeout = 0")
        await self.connection.execute(
            f"ALTER TABLE {_name(table)} VALIDATE CONSTRAINT {_name(_bound_constraint(table))}"
        )

    async def swap_in_partitioned(self, table: str, bound: int) -> str:
        """Rename `table` and its indexes to be the first partition of a new partitioned `table`,
        declared like it, and attach it as [MINVALUE, bound): no row moves, no index is built.
        Returns the first partition's name. Under `lock_table(table)`."""
        first = _partition_name(table, 0)
        indexes = await self.connection.fetch(
            """
            SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition, x.indisprimary AS is_primary
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = to_regclass($1)
            ORDER BY i.relname
            """,
            table,
        )
        owner, sequence = await self.connection.fetchrow(
            "SELECT relowner::regrole::text, pg_get_serial_sequence($1, 'id') FROM pg_class WHERE oid = $1::regclass",
            table,
        ) or (None, None)
        grants = await self._grants(table)
        execute = self.connection.execute
        await execute(f"ALTER TABLE {_name(table)} RENAME TO {_name(first)}")
        for index in indexes:
            old, new = _name(index["name"]), _name(_renamed(index["name"], table, first))
            if index["is_primary"]:
                await execute(f"ALTER TABLE {_name(first)} RENAME CONSTRAINT {old} TO {new}")
            else:
                await execute(f"ALTER INDEX {old} RENAME TO {new}")
        await execute(
            f"CREATE TABLE {_name(table)} (LIKE {_name(first)} INCLUDING DEFAULTS INCLUDING STORAGE "
            "INCLUDING COMMENTS) PARTITION BY RANGE (block_number)"
        )
        await execute(f"ALTER TABLE {_name(table)} OWNER TO {owner}")  # regrole's text is quoted as needed
        for privilege, grantee in grants:
            await execute(f"GRANT {privilege} ON {_name(table)} TO {grantee}")
        if sequence is not None:
            # Owned by the parent, so dropping the first partition one day keeps the sequence.
            await execute(f"ALTER SEQUENCE {sequence} OWNED BY {_name(table)}.id")
        await execute(
            f"ALTER TABLE {_name(table)} ADD CONSTRAINT {_name(table + '_pkey')} "
            "PRIMARY KEY (block_number, log_index, chain_id)"
        )
        for index in indexes:
            if not index["is_primary"]:
                await execute(index["definition"])  # on the parent now: a partitioned index, built on nothing yet
        await execute(
            f"ALTER TABLE {_name(table)} ATTACH PARTITION {_name(first)} FOR VALUES FROM (MINVALUE) TO ({int(bound)})"
        )
        await execute(f"ALTER TABLE {_name(first)} DROP CONSTRAINT {_name(_bound_constraint(table))}")
        return first

    async def _grants(self, table: str) -> list[tuple[str, str]]:
        rows = await self.connection.fetch(
            """
            SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
            FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = to_regclass($1) AND a.grantee <> c.relowner
            """,
            table,
        )
        return [(row[0], row[1]) for row in rows]

    async def detach(self, table: str, partition: str) -> None:
        await self.connection.execute(f"ALTER TABLE {_name(table)} DETACH PARTITION {_name(partition)}")

    async def rename(self, old: str, new: str) -> None:
        await self.connection.execute(f"ALTER TABLE {_name(old)} RENAME TO {_name(new)}")

    async def attach(self, table: str, partition: str, lower: int, upper: int | None) -> None:
        to = "MAXVALUE" if upper is None else str(int(upper))
        await self.connection.execute(
            f"ALTER TABLE {_name(table)} ATTACH PARTITION {_name(partition)} FOR VALUES FROM ({int(lower)}) TO ({to})"
        )

    async def create_partition(self, table: str, partition: str, lower: int, upper: int | None) -> None:
        """A new partition with every index of the parent, owned by the parent's owner."""
        to = "MAXVALUE" if upper is None else str(int(upper))
        await self.connection.execute(
            f"CREATE TABLE {_name(partition)} PARTITION OF {_name(table)} FOR VALUES FROM ({int(lower)}) TO ({to})"
        )
        owner = await self.connection.fetchval(
            "SELECT relowner::regrole::text FROM pg_class WHERE oid = to_regclass($1)", table
        )
        await self.connection.execute(f"ALTER TABLE {_name(partition)} OWNER TO {owner}")


async def read_plan(
    connection: Connection, policy: PartitionPolicy, tables: Sequence[str] = EVENT_TABLES
) -> tuple[int, list[TableState], list[Change]]:
    """The head, each table's state and the changes maintenance would make now (nothing changes)."""
    repository = PartitionRepository(connection)
    head = await repository.head()
    states = [await repository.state(table) for table in tables]
    return head, states, [change for s in states for change in plan_table(s, policy, s.table_head(head))]


async def maintain(
    connection: Connection,
    policy: PartitionPolicy,
    *,
    tables: Sequence[str] = EVENT_TABLES,
    fence: Fence | None = None,
    head: int | None = None,
    wait: bool = True,
) -> MaintenanceResult:
    """Convert what passed the size and extend what is partitioned, table by table, each change
    re-planned under the maintenance lock; `fence` is checked in every transaction (the indexer's
    writer lock). `head` defaults to the furthest checkpoint. A table whose lock did not come in
    time is left for the next run (`busy`); so is everything when, without `wait`, another
    maintenance runs (the indexer's keeper does not wait on a long conversion the CLI runs)."""
    repository = PartitionRepository(connection)
    result = MaintenanceResult()
    if not await repository.lock_maintenance(wait=wait):
        result.busy.extend(tables)
        return result
    try:
        if head is None:
            head = await repository.head()
        for table in tables:
            try:
                state = await repository.state(table)
                table_head = state.table_head(head)
                for change in plan_table(state, policy, table_head):
                    await _apply(repository, change, policy, table_head, fence)
                    result.applied.append(change.describe())
                    log.info("partitions changed", change=change.describe())
            except asyncpg.LockNotAvailableError:
                log.warning("partitions: a table lock did not come in time; left for the next run", table=table)
                result.busy.append(table)
    finally:
        await repository.unlock_maintenance()
    return result


async def _apply(
    repository: PartitionRepository, change: Change, policy: PartitionPolicy, head: int, fence: Fence | None
) -> None:
    connection = repository.connection
    if isinstance(change, DropBound):
        async with connection.transaction():
            await _check(fence, connection)
            await repository.drop_bound(change.table)
        return
    if isinstance(change, Convert):
        await _convert(repository, change, policy, head, fence)
        return
    async with connection.transaction():
        await _check(fence, connection)
        await repository.lock_table(change.table)
        await _extend(repository, change, policy, head)


async def _convert(
    repository: PartitionRepository, change: Convert, policy: PartitionPolicy, head: int, fence: Fence | None
) -> None:
    connection, table = repository.connection, change.table
    if (await repository.state(table)).bound is None:
        async with connection.transaction():
            await _check(fence, connection)
            await repository.add_bound(table, change.bound)
    async with connection.transaction():
        await _check(fence, connection)
        await repository.validate_bound(table)
    async with connection.transaction():
        await _check(fence, connection)
        await repository.lock_table(table)
        await repository.swap_in_partitioned(table, change.bound)
        target = policy.ahead_of(head)
        await _extend(repository, Extend(table, change.bound, max(target, change.bound)), policy, head, overflow=False)


async def _extend(
    repository: PartitionRepository, change: Extend, policy: PartitionPolicy, head: int, *, overflow: bool = True
) -> None:
    """`change` applied, under the table's lock (with `overflow`: the table has one to move up)."""
    table, spare = change.table, _overflow_name(change.table)
    start = change.covered_to
    if overflow:
        await repository.detach(table, spare)
        if change.settle_to is not None:
            # Rows came past the planned partitions: the overflow becomes their partition as it is.
            settled = _partition_name(table, start)
            await repository.rename(spare, settled)
            await repository.attach(table, settled, start, change.settle_to)
            start, overflow = change.settle_to, False
    for lower, upper in new_bounds(start, change.target, head, policy):
        await repository.create_partition(table, _partition_name(table, lower), lower, upper)
    if overflow:
        await repository.attach(table, spare, change.target, None)
    else:
        await repository.create_partition(table, spare, change.target, None)


async def _check(fence: Fence | None, connection: Connection) -> None:
    if fence is not None:
        await fence.check(connection)


def _value(text: str) -> int | None:
    text = text.strip("'")
    return None if text in ("MINVALUE", "MAXVALUE") else int(text)


def _partition_name(table: str, lower: int) -> str:
    return f"{table}_p{lower}"


def _overflow_name(table: str) -> str:
    return f"{table}_overflow"


def _bound_constraint(table: str) -> str:
    return f"{table}_partition_bound"


def _renamed(index: str, table: str, partition: str) -> str:
    return index.replace(table, partition, 1) if table in index else f"{partition}_{index}"


def _name(identifier: str) -> str:
    """`identifier` quoted, after checking it is one of ours (lowercase, ≤ 63 characters)."""
    if not _IDENTIFIER.fullmatch(identifier):
        raise ValueError(f"unexpected identifier {identifier!r}")
    return f'"{identifier}"'


def report(head: int, states: Sequence[TableState], changes: Sequence[Change], policy: PartitionPolicy) -> list[str]:
    """What `impactchain db partitions` prints: each table's layout, then the changes planned."""
    threshold = f"past {policy.rows:,} rows" if policy.rows > 0 else "never (IMPACTCHAIN_PARTITION_ROWS=0)"
    out = [f"head: block {head:,}; partition a table {threshold}, {policy.span_blocks:,} blocks a partition"]
    for state in states:
        if not state.partitioned:
            pending = f"; a conversion left CHECK (block_number < {state.bound:,})" if state.bound is not None else ""
            out.append(f"{state.table}: not partitioned, ~{state.rows:,} rows{pending}")
            continue
        out.append(f"{state.table}: {len(state.partitions)} partitions, ~{state.rows:,} rows")
        for p in state.partitions:
            lower = "MINVALUE" if p.lower is None else f"{p.lower:,}"
            upper = "MAXVALUE" if p.upper is None else f"{p.upper:,}"
            out.append(f"  {p.name}: [{lower}, {upper}) ~{p.rows:,} rows")
        if state.overflow_max_block is not None:
            out.append(f"  rows reached the overflow (up to block {state.overflow_max_block:,}): maintenance lagged")
    out += [f"plan: {change.describe()}" for change in changes] or ["plan: nothing to change"]
    return out


async def show_plan(database_url: str, policy: PartitionPolicy) -> tuple[list[str], list[str]]:
    """`impactchain db partitions`: the report, changing nothing (and no table busy)."""
    connection = await asyncpg.connect(database_url)
    try:
        return report(*await read_plan(connection, policy), policy), []
    finally:
        await connection.close()


async def apply_plan(database_url: str, policy: PartitionPolicy) -> tuple[list[str], list[str]]:
    """`impactchain db partitions --apply`: the changes made, the report after them, and the
    tables left for another run (their lock did not come in time)."""
    connection = await asyncpg.connect(database_url)
    try:
        result = await maintain(connection, policy)
        done = [f"applied: {change}" for change in result.applied] or ["applied: nothing"]
        return done + report(*await read_plan(connection, policy), policy), result.busy
    finally:
        await connection.close()
