"""The indexer's bookkeeping SQL (checkpoints, recent blocks, the outbox) and the staging of
incoming rows that projections share. Callers own the transaction; nothing here commits."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, Protocol, TypeAlias, cast, runtime_checkable

import asyncpg
import orjson

from impactchain.events import copy_plain

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    chain_id: int
    block_number: int
    block_hash: str
    finalized_block: int | None = None


class IndexerRepository:
    def __init__(self, connection: "Connection", indexer: str) -> None:
        self.connection = connection
        self.indexer = indexer

    async def checkpoint(self) -> Checkpoint | None:
        row = await self.connection.fetchrow(
            "SELECT chain_id, block_number, block_hash FROM indexer_checkpoints WHERE name = $1", self.indexer
        )
        return None if row is None else Checkpoint(row["chain_id"], row["block_number"], row["block_hash"])

    async def lock_checkpoint(self) -> None:
        """Serialize indexers of the same name: a second process waits instead of double-writing."""
        await self.connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", self.indexer)

    async def save_checkpoint(self, checkpoint: Checkpoint) -> None:
        await self.connection.execute(
            """
            INSERT INTO indexer_checkpoints (name, chain_id, block_number, block_hash, finalized_block, updated_at)
            VALUES ($1, $2, $3, $4, $5, now())
            ON CONFLICT (name) DO UPDATE
            SET chain_id = EXCLUDED.chain_id, block_number = EXCLUDED.block_number,
                block_hash = EXCLUDED.block_hash,
                finalized_block = coalesce(EXCLUDED.finalized_block, indexer_checkpoints.finalized_block),
                updated_at = now()
            """,
            self.indexer,
            checkpoint.chain_id,
            checkpoint.block_number,
            checkpoint.block_hash,
            checkpoint.finalized_block,
        )

    async def record_blocks(self, blocks: dict[int, str], keep_from: int) -> None:
        await self.connection.executemany(
            """
            INSERT INTO indexed_blocks (indexer, block_number, block_hash) VALUES ($1, $2, $3)
            ON CONFLICT (indexer, block_number) DO UPDATE SET block_hash = EXCLUDED.block_hash
            """,
            [(self.indexer, number, block_hash) for number, block_hash in blocks.items()],
        )
        await self.connection.execute(
            "DELETE FROM indexed_blocks WHERE indexer = $1 AND block_number < $2", self.indexer, keep_from
        )

    async def recent_blocks(self) -> list[tuple[int, str]]:
        rows = await self.connection.fetch(
            "SELECT block_number, block_hash FROM indexed_blocks WHERE indexer = $1 ORDER BY block_number DESC",
            self.indexer,
        )
        return [(row["block_number"], row["block_hash"]) for row in rows]

    async def forget_blocks_after(self, block_number: int) -> None:
        await self.connection.execute(
            "DELETE FROM indexed_blocks WHERE indexer = $1 AND block_number > $2", self.indexer, block_number
        )


class Summaries(Protocol):
    """A projection's aggregates over the rows it stores (kept in the write's transaction)."""

    @property
    def ctes(self) -> Sequence[str]:
        """`name AS (…)` CTEs over `added` (the new rows, every one of the insert's columns) that
        count them in: for a write where some rows may be stored already."""
        ...

    def tally(self, records: Sequence[tuple[object, ...]]) -> "Tally":
        """The statement, and its arguments, that counts in `records`, every one of them new
        (summed here, without the database; a few upserts there)."""
        ...


# A statement and its arguments.
Tally: TypeAlias = tuple[str, Sequence[object]]


class Staged(Protocol):
    """Rows built ahead of their write (CPU only, no database): a step's next range is staged
    while the step before it writes, so the writes wait on PostgreSQL alone."""

    async def store(self, connection: "Connection", notify_from: int) -> int:
        """Store the rows not stored yet (jobs only for events from block `notify_from` on);
        returns how many were added."""
        ...


@runtime_checkable
class Separable(Protocol):
    """Staged rows in two parts that may be stored on two connections at once: `own` with the
    step's checkpoint, `apart` in a transaction of its own committed just before the step's.

    Only for rows that storing again is harmless to (`Staged.store` skips what is stored): if the
    step then fails, `apart`'s rows stay ahead of the checkpoint, and the retry finds them stored.
    A reader may see them a moment before the checkpoint says so."""

    @property
    def own(self) -> Staged: ...

    @property
    def apart(self) -> Staged: ...


POSITION = "block_number, log_index, chain_id"


@dataclass(frozen=True, slots=True)
class CopyPayload:
    """`rows` rows as COPY reads them: `data` in COPY's `format`, built ahead of the write."""

    data: bytes
    format: Literal["text", "binary"]
    rows: int


@dataclass(frozen=True, slots=True)
class StagedRows:
    """`records` for `table`, stored by `insert_new` (see it for the other fields); `payload` is
    their COPY payload and `tally` their summaries' statement, built when staged (`stage_rows`).
    A write that needs no record itself (no job, no summaries) may come as its payload alone,
    without `records`."""

    table: str
    columns: Sequence[str]
    records: Sequence[tuple[object, ...]]
    unique: str = POSITION
    job: str | None = None
    summaries: Summaries | None = None
    payload: CopyPayload | None = None
    tally: Tally | None = None

    async def store(self, connection: "Connection", notify_from: int) -> int:
        return await insert_new(
            connection,
            self.table,
            self.columns,
            self.records,
            unique=self.unique,
            job=self.job,
            notify_from=notify_from,
            summaries=self.summaries,
            payload=self.payload,
            tally=self.tally,
        )


def stage_rows(
    table: str,
    columns: Sequence[str],
    records: Sequence[tuple[object, ...]],
    *,
    numeric: bool = False,
    unique: str = POSITION,
    job: str | None = None,
    summaries: Summaries | None = None,
) -> StagedRows:
    """`records` staged for `table`; with `numeric` (the table has NUMERIC columns, see
    `copy_rows`), their COPY text payload built now (see `copy_text`), as their
    `summaries`' tally is."""
    payload = None
    if numeric and records:
        payload = CopyPayload(copy_text(records, len(columns)), "text", len(records))
    tally = summaries.tally(records) if summaries is not None and records else None
    return StagedRows(table, columns, records, unique, job, summaries, payload, tally)


@dataclass(frozen=True, slots=True)
class StagedAll:
    """Several staged writes, stored in order: how many rows they added in all."""

    parts: Sequence[Staged]

    async def store(self, connection: "Connection", notify_from: int) -> int:
        added = 0
        for part in self.parts:
            added += await part.store(connection, notify_from)
        return added


async def insert_new(
    connection: Connection,
    table: str,
    columns: Sequence[str],
    records: Sequence[tuple[object, ...]],
    *,
    unique: str = POSITION,
    job: str | None = None,
    notify_from: int = 0,
    summaries: Summaries | None = None,
    payload: CopyPayload | None = None,
    tally: Tally | None = None,
) -> int:
    """Insert the `records` not stored yet (by the `unique` columns: by default the event tables'
    key, the log's position, which holds their partition key) and return how many were new;
    with `job`, also one outbox job per new row from block `notify_from` on, named by the chain
    identity of its event (chain id, tx hash, log index) rather than by the row's id, so a row
    deleted and derived again (a reorg, a rebuild) is still the same donation to the job.
    `summaries` keep the projection's aggregates: only rows actually stored count.

    `records` come in chain order. They go by COPY straight into `table` (under a savepoint), and
    their jobs by COPY into the outbox: what a step writes is almost always all new. When some
    are stored already (a stream that reads history again: a redeployment, a rebuild), the COPY
    fails on the unique index and is undone; the records then go by COPY into a temporary table
    of `columns` (emptied at commit), and one INSERT … SELECT … ON CONFLICT DO NOTHING skips the
    rows stored, its aggregates counting what the statement added (`summaries.ctes`); after a
    COPY every record was new, and `summaries.tally` counts them all (`tally`, if already
    summed). `table`, `columns` and `unique` are callers' constants, never input; values travel
    by COPY (`payload`: the records' COPY payload, if already built; it alone, without `records`,
    when neither `job` nor `summaries` needs them).
    """
    count = payload.rows if payload is not None else len(records)
    if not count:
        return 0
    if (job is not None or summaries is not None) and len(records) != count:
        raise ValueError(f"{table}: jobs and summaries are made from the records, and {count} rows came without them")
    try:
        async with connection.transaction():
            await copy_rows(connection, table, columns, records, payload=payload)
    except asyncpg.UniqueViolationError:
        ctes = summaries.ctes if summaries is not None else ()
        return await _insert_skipping_stored(
            connection, table, columns, records, unique, job, notify_from, ctes, payload
        )
    if summaries is not None:
        statement, arguments = tally or summaries.tally(records)
        await connection.execute(statement, *arguments)
    if job is not None:
        await _copy_jobs(connection, job, columns, records, notify_from)
    return count


async def _copy_jobs(
    connection: Connection, job: str, columns: Sequence[str], records: Sequence[tuple[object, ...]], notify_from: int
) -> None:
    """One outbox job per record from block `notify_from` on, with its event's chain identity as
    arguments (as `jsonb_build_array(chain_id, tx_hash, log_index)` gives it)."""
    block, chain, tx, index = (columns.index(c) for c in ("block_number", "chain_id", "tx_hash", "log_index"))
    jobs = [
        (job, orjson.dumps([r[chain], r[tx], r[index]]).decode())
        for r in records
        if int(cast(int, r[block])) >= notify_from
    ]
    if jobs:
        await connection.copy_records_to_table("job_outbox", records=jobs, columns=["function", "args"])


async def _insert_skipping_stored(
    connection: Connection,
    table: str,
    columns: Sequence[str],
    records: Sequence[tuple[object, ...]],
    unique: str,
    job: str | None,
    notify_from: int,
    summaries: Sequence[str] = (),
    payload: CopyPayload | None = None,
) -> int:
    staging = f"incoming_{table}"
    names = ", ".join(columns)
    # Only the staged columns, without the table's defaults: a copied `id` default would draw a
    # sequence value for every staged row, and the insert would draw another.
    await connection.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS AS "  # noqa: S608
        f"SELECT {names} FROM {table} WITH NO DATA"
    )
    await copy_rows(connection, staging, columns, records, like=table, payload=payload)
    returning = names if summaries else "chain_id, tx_hash, log_index, block_number"
    insert = (
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} ORDER BY block_number, log_index "  # noqa: S608
        f"ON CONFLICT ({unique}) DO NOTHING RETURNING {returning}"
    )
    jobs = (
        ", jobs AS (INSERT INTO job_outbox (function, args) "
        "SELECT $1, jsonb_build_array(chain_id, tx_hash, log_index) FROM added WHERE block_number >= $2 "
        "ORDER BY block_number, log_index)"
    )
    also = "".join(f", {summary}" for summary in summaries)
    statement = f"WITH added AS ({insert}){jobs if job else ''}{also} SELECT count(*) FROM added"  # noqa: S608
    added: int = await connection.fetchval(statement, *([job, notify_from] if job else []))
    return added


# Per (table, columns): whether any of the columns is NUMERIC (the tables do not change under a
# running process).
_HAS_NUMERIC: dict[tuple[str, tuple[str, ...]], bool] = {}


async def copy_rows(
    connection: Connection,
    table: str,
    columns: Sequence[str],
    records: Sequence[tuple[object, ...]],
    *,
    like: str | None = None,
    payload: CopyPayload | None = None,
) -> None:
    """COPY `records` into `table` (whose columns are those of `like`, if given), or their
    `payload` if it was built already. In COPY's binary format, except where a column is NUMERIC:
    asyncpg encodes each such value through a `Decimal` and its digit tuple, about 2 µs a value
    (a donation row has two or three), so those rows go in the text format, built here
    (`copy_text`) for less than half of that."""
    if payload is not None:
        await _copy_payload(connection, table, columns, payload.data, payload.format)
        return
    key = (like or table, tuple(columns))
    numeric = _HAS_NUMERIC.get(key)
    if numeric is None:
        numeric = _HAS_NUMERIC[key] = bool(
            await connection.fetchval(
                """
                SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = $1::regclass
                AND attname = ANY($2::text[]) AND atttypid = 'numeric'::regtype AND NOT attisdropped)
                """,
                like or table,
                list(columns),
            )
        )
    if numeric:
        await _copy_payload(connection, table, columns, copy_text(records, len(columns)), "text")
    else:
        await connection.copy_records_to_table(table, records=records, columns=list(columns))


async def _copy_payload(
    connection: Connection, table: str, columns: Sequence[str], data: bytes, copy_format: Literal["text", "binary"]
) -> None:
    # A memoryview: asyncpg takes bytes for a file's path, and a buffer as the data (its docs say
    # so; its type stubs do not).
    await connection.copy_to_table(table, source=memoryview(data), columns=list(columns), format=copy_format)  # type: ignore[arg-type]


# What COPY's text format escapes in a value: its escape character and its delimiters.
_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(records: Sequence[tuple[object, ...]], width: int) -> bytes:
    """`records` (of `width` values: int, str, bool, Decimal or None) in COPY's text format.
    Rows of ints and strings with nothing to escape (almost every row: hex, numbers, names) are
    written in C (impactchain/_decoder.c `copy_plain`, ~5 times as fast as joining them here);
    if any value is anything else, every row goes value by value."""
    text = copy_plain(records, width)
    if text is not None:
        return text
    lines = ["\t".join(map(_text_value, record)) for record in records]
    lines.append("")
    return "\n".join(lines).encode()


def _text_value(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, str):
        return value.translate(_TEXT_ESCAPES)
    raise TypeError(f"COPY text format: no encoding for a {type(value).__name__} value")


async def delete_rows(
    connection: Connection, table: str, condition: str, *params: object, job: str | None = None
) -> int:
    """Delete the rows of `table` matching `condition` (SQL over `params`, a caller's constant) and
    return how many; with `job`, also their outbox jobs not enqueued yet, so a rolled-back row
    leaves no job behind (one already enqueued finds no row and does nothing)."""
    deleted = f"DELETE FROM {table} WHERE {condition} RETURNING chain_id, tx_hash, log_index"  # noqa: S608
    if job is None:
        count: int = await connection.fetchval(f"WITH gone AS ({deleted}) SELECT count(*) FROM gone", *params)  # noqa: S608
        return count
    position = len(params) + 1
    statement = (
        f"WITH gone AS ({deleted}), jobs AS (DELETE FROM job_outbox o USING gone "  # noqa: S608
        f"WHERE o.enqueued_at IS NULL AND o.function = ${position} "
        "AND o.args = jsonb_build_array(gone.chain_id, gone.tx_hash, gone.log_index)) SELECT count(*) FROM gone"
    )
    count = await connection.fetchval(statement, *params, job)
    return int(count)


class OutboxRepository:
    def __init__(self, connection: "Connection") -> None:
        self.connection = connection

    async def claim_pending(self, limit: int) -> list[tuple[int, str, list[object]]]:
        rows = await self.connection.fetch(
            """
            SELECT id, function, args FROM job_outbox WHERE enqueued_at IS NULL
            ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
            """,
            limit,
        )
        return [(row["id"], row["function"], _json_list(row["args"])) for row in rows]

    async def mark_enqueued(self, ids: Sequence[int]) -> None:
        await self.connection.execute("UPDATE job_outbox SET enqueued_at = now() WHERE id = ANY($1)", list(ids))


def _json_list(raw: str) -> list[object]:
    value = orjson.loads(raw)
    if not isinstance(value, list):
        raise ValueError(f"outbox args must be a JSON list, got {raw!r}")
    return value
