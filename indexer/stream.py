"""One log stream for the whole platform: every event of every platform contract and of every
funding round the factory created, read with one `eth_getLogs` per range (per 500 addresses),
decoded once by its contract's ABI, stored in `contract_events` (the event store) and fanned out
to the projections (indexer/projections/) that declare the events they handle. All of it in the
step's one transaction, under one checkpoint (during an initial sync, the projections' rows in a
second transaction beside it, committed just before: `StagedStep`, `Separable`).

Rounds are found as they are created: a range's logs are read for the platform contracts and the
rounds known so far; rounds created within the range are then read for it too (their first
events share the block that created them).
"""

import asyncio
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg
import orjson
import structlog
from eth_utils import keccak

from impactchain.event_store import KIND_KEY
from impactchain.events import EventDecoder, EventLog, LogRef, RawLog, copy_events, decode_known
from impactchain.registry import DeployedContract, DeploymentManifest
from indexer.repository import Connection, CopyPayload, Staged, StagedAll, StagedRows, delete_rows
from indexer.rpc import JsonRpcClient
from indexer.service import WriterFence, fetch_logs

log = structlog.get_logger(__name__)

# Manifest entries that are implementations behind a proxy or clones: their own addresses emit
# nothing worth following (the proxy's and the rounds' events are followed instead).
IMPLEMENTATIONS = frozenset({"GovernanceTokenImplementation", "FundingRound"})
ROUND = "FundingRound"
FACTORY = "FundingRoundFactory"
# Addresses per eth_getLogs request: hosted nodes accept address lists, within limits.
ADDRESSES_PER_REQUEST = 500

EVENT_STORE = "contract_events"
# Deferred indexes built at once after an initial sync (on connections of the indexer's pool).
INDEX_BUILDERS = 3
# Events per batch when a projection is replayed from the event store.
REPLAY_BATCH = 20_000
NEVER = 2**62  # a block no chain reaches: jobs from here on, i.e. none (a replay is history)

# The event store's columns, in the order `copy_events` writes them.
EVENT_COLUMNS = (
    "chain_id", "contract", "contract_name", "event", "args", "block_number", "block_hash", "tx_hash", "log_index",
)  # fmt: skip


class EventProjection(Protocol):
    """A read model derived from the platform's events: the events it handles and the rows it
    keeps. One module in indexer/projections/ each; every method runs in the caller's transaction."""

    @property
    def name(self) -> str:
        """What `impactchain indexer rebuild NAME` calls it."""
        ...

    @property
    def events(self) -> Mapping[str, frozenset[str] | None]:
        """Contract name (as the manifest names it; `FundingRound` for every round) → the events
        handled, or None for all of that contract's events."""
        ...

    @property
    def tables(self) -> Sequence[str]:
        """The tables it owns (their secondary indexes are built once after an initial sync)."""
        ...

    def stage(self, chain_id: int, events: Sequence[EventLog]) -> Staged:
        """The rows `events` (its own, in chain order) give, built without the database (most
        often while the step before writes): storing them ignores those stored already, makes
        jobs only for events from block `notify_from` on, and says how many were added."""
        ...

    async def forget_after(self, connection: Connection, chain_id: int, block_number: int) -> int:
        """Delete the rows derived from blocks above `block_number` (and their pending jobs)."""
        ...


class PlatformStream:
    """The engine's one projection: the stream of the platform's events (see the module doc)."""

    def __init__(
        self,
        contracts: Mapping[str, DeployedContract],
        projections: Iterable[EventProjection],
        round_abi: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        if not contracts:
            raise ValueError("PlatformStream needs at least one contract")
        self._names = {deployed.address.lower(): name for name, deployed in contracts.items()}
        self._decoders = {deployed.address.lower(): EventDecoder(deployed.abi) for deployed in contracts.values()}
        self._round_decoder = EventDecoder(round_abi)
        self._addresses = sorted(self._decoders)
        factory = contracts.get(FACTORY)
        self._factory = factory.address.lower() if factory is not None else None
        self._rounds: set[str] | None = None  # loaded from the event store on first use
        self.projections = list(projections)
        # (contract address, event) → the contract's name and the indexes of the projections
        # that handle the event.
        self._routes: dict[tuple[str, str], tuple[str, tuple[int, ...]]] = {}
        # One checkpoint per set of deployments: redeploying any of them starts afresh.
        self.name = "platform:" + keccak(text=",".join(self._addresses)).hex()[:16]
        self.start_block = min(deployed.block for deployed in contracts.values())

    @classmethod
    def from_manifest(
        cls, manifest: DeploymentManifest, projections: Iterable[EventProjection] | None = None
    ) -> "PlatformStream":
        """Every contract of the deployment but the implementations, its rounds decoded by the
        `FundingRound` entry's ABI; every projection module's projection unless given."""
        from indexer.projections import projections_for

        followed = {name: deployed for name, deployed in manifest.contracts.items() if name not in IMPLEMENTATIONS}
        round_abi = manifest.contracts[ROUND].abi if ROUND in manifest.contracts else []
        return cls(followed, projections_for(manifest) if projections is None else projections, round_abi)

    def contract_name(self, address: str) -> str:
        return self._names.get(address, ROUND)

    async def fetch(
        self, rpc: JsonRpcClient, connection: Connection, chain_id: int, ranges: Sequence[tuple[int, int]]
    ) -> list[EventLog]:
        rounds = await self._known_rounds(connection, chain_id)
        events = await self._read(rpc, [*self._addresses, *sorted(rounds)], ranges)
        created = {
            e.args["round"].lower() for e in events if e.contract == self._factory and e.event == "RoundCreated"
        } - rounds
        if created:
            rounds |= created
            events += await self._read(rpc, sorted(created), ranges)
            events.sort(key=lambda event: (event.ref.block_number, event.ref.log_index))
        return events

    async def _read(
        self, rpc: JsonRpcClient, addresses: list[str], ranges: Sequence[tuple[int, int]]
    ) -> list[EventLog]:
        events = []
        for first in range(0, len(addresses), ADDRESSES_PER_REQUEST):
            group = addresses[first : first + ADDRESSES_PER_REQUEST]
            events += self._decode(await fetch_logs(rpc, group, None, ranges))
        return events

    def _decode(self, raws: Iterable[RawLog]) -> list[EventLog]:
        events = []
        decoders, round_decoder = self._decoders, self._round_decoder
        for raw in raws:
            event = decode_known(decoders.get(raw.address.lower(), round_decoder), raw)
            if event is None:
                # Not in the contract's ABI (an anonymous event, or a library's): nothing to name it by.
                log.warning("skipped an event the ABI does not declare", contract=raw.address)
                continue
            events.append(event)
        return events

    def stage(self, chain_id: int, events: Sequence[EventLog]) -> "StagedStep":
        """The event store's rows and each projection's, of the events it declared, in chain order
        (CPU only, no database)."""
        names = []
        handed: list[list[EventLog]] = [[] for _ in self.projections]
        routes, used = self._routes, set()
        for e in events:  # one pass, the names and routes cached: ~1 µs an event less than three passes
            key = e.contract, e.event
            route = routes.get(key) or self._route(e.contract, e.event)
            used.add(key)
            names.append(route[0])
            for number in route[1]:
                handed[number].append(e)
        staged = [p.stage(chain_id, mine) for p, mine in zip(self.projections, handed, strict=True) if mine]
        kinds = sorted({(routes[key][0], key[1]) for key in used})
        # The event store's rows go as one COPY payload in the binary format, built here in C: a
        # tuple and an orjson dump per event, then asyncpg's encoding of them during the write,
        # were ~17% of the indexer's CPU in a million-event backfill (docs/SCALING.md, session 14).
        payload = CopyPayload(copy_events(chain_id, events, names, orjson.dumps), "binary", len(events))
        rows = StagedRows(EVENT_STORE, EVENT_COLUMNS, (), payload=payload)
        return StagedStep(StagedEvents(rows, kinds), StagedAll(staged))

    def _route(self, contract: str, event: str) -> tuple[str, tuple[int, ...]]:
        name = self.contract_name(contract)
        route = name, tuple(n for n, p in enumerate(self.projections) if handles(p, name, event))
        self._routes[contract, event] = route
        return route

    async def prepare(self, connection: Connection, chain_id: int, checkpoint: int | None) -> None:
        """Before the stream moves on from `checkpoint` (None: nothing indexed yet): each projection
        it does not list yet (a module added later) is replayed from the event store up to the
        checkpoint, then listed, so it holds every event the stream stored before it."""
        listed = {
            row["projection"]
            for row in await connection.fetch("SELECT projection FROM indexer_projections WHERE stream = $1", self.name)
        }
        for projection in self.projections:
            if projection.name in listed:
                continue
            if checkpoint is not None:
                removed = await projection.forget_after(connection, chain_id, -1)
                events, rows = await self.replay(connection, chain_id, projection)
                log.info(
                    "new projection replayed from the event store",
                    projection=projection.name,
                    to_block=checkpoint,
                    events=events,
                    rows=rows,
                    rows_removed=removed,
                )
            await self.list_projection(connection, chain_id, projection.name, checkpoint)

    async def list_projection(self, connection: Connection, chain_id: int, name: str, replayed_to: int | None) -> None:
        await connection.execute(
            """
            INSERT INTO indexer_projections (stream, projection, chain_id, replayed_to) VALUES ($1, $2, $3, $4)
            ON CONFLICT (stream, projection) DO UPDATE SET replayed_to = EXCLUDED.replayed_to
            """,
            self.name,
            name,
            chain_id,
            replayed_to,
        )

    async def replay(self, connection: Connection, chain_id: int, projection: EventProjection) -> tuple[int, int]:
        """Hand `projection` the events it declared from this stream's stored events, in chain
        order, in batches, making no jobs (it is history): (events, rows added)."""
        contracts = [*self._addresses, *sorted(await self._known_rounds(connection, chain_id))]
        where, params = _declared(projection.events, first_param=3)
        query = (
            "SELECT contract, event, args::text AS args, block_number, block_hash, tx_hash, log_index "  # noqa: S608
            f"FROM contract_events WHERE chain_id = $1 AND contract = ANY($2) AND ({where}) "
            "ORDER BY block_number, log_index"
        )
        events = rows = 0
        batch: list[EventLog] = []
        async for row in connection.cursor(query, chain_id, contracts, *params, prefetch=REPLAY_BATCH):
            batch.append(stored_event(row))
            if len(batch) == REPLAY_BATCH:
                rows += await projection.stage(chain_id, batch).store(connection, NEVER)
                events, batch = events + len(batch), []
        if batch:
            rows += await projection.stage(chain_id, batch).store(connection, NEVER)
            events += len(batch)
        return events, rows

    async def bulk_loading(self, connection: Connection) -> bool:
        """Whether an initial sync has the event store's secondary indexes deferred."""
        return bool(await connection.fetchval("SELECT EXISTS (SELECT 1 FROM indexer_deferred_indexes)"))

    async def begin_bulk_load(self, connection: Connection) -> list[str]:
        """An initial sync writes the event store and the projections' tables without their
        secondary indexes (the event store alone has two b-trees and a GIN: most of the cost of
        its writes): each is dropped, its definition kept to build it once at the end. Unique
        indexes stay: duplicates are still skipped, upserts still find their row. A partitioned
        table's index is dropped on every partition at once, and built so again (its definition
        without the `ON ONLY` that would make it the parent's alone)."""
        tables = [EVENT_STORE, *(table for projection in self.projections for table in projection.tables)]
        rows = await connection.fetch(
            """
            SELECT t.relname AS table_name, i.relname AS name,
                   replace(pg_get_indexdef(i.oid), ' ON ONLY ', ' ON ') AS definition
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY($1::text[]) AND t.relnamespace = current_schema()::regnamespace
            AND NOT x.indisunique AND NOT x.indisprimary
            ORDER BY t.relname, i.relname
            """,
            tables,
        )
        for row in rows:
            await connection.execute(
                "INSERT INTO indexer_deferred_indexes (name, table_name, definition) VALUES ($1, $2, $3)",
                row["name"],
                row["table_name"],
                row["definition"],
            )
            await connection.execute(f"DROP INDEX {_identifier(row['name'])}")
        return [row["name"] for row in rows]

    async def end_bulk_load(self, pool: asyncpg.Pool, fence: WriterFence | None) -> list[str]:
        """Build the deferred indexes (the sync reached the head), a few at once on their own
        connections (the GINs first: PostgreSQL builds those on one core; then the largest
        tables'), each index with the removal of its record in one transaction: a crash leaves the
        rest to build at the next start. A partitioned table's indexes are built one after the
        other: each build names its partitions' indexes after its columns, and two built at once
        over expressions of one function pick the same names (two hashed keys on the event store
        did). A plain table's are built side by side: the event store's three, one after the
        other, were the builds' last second or so, with one core idle."""
        rows = await pool.fetch(
            """
            SELECT d.name, d.table_name, d.definition, c.relkind = 'p' AS partitioned,
                   coalesce(pg_relation_size(c.oid), 0) AS size
            FROM indexer_deferred_indexes d
            LEFT JOIN pg_class c ON c.relname = d.table_name AND c.relnamespace = current_schema()::regnamespace
            """
        )
        rows.sort(key=lambda row: ("USING gin" not in row["definition"], -row["size"], row["name"]))
        chains: dict[str, list[asyncpg.Record]] = {}
        for row in rows:
            chains.setdefault(row["table_name"] if row["partitioned"] else row["name"], []).append(row)
        gate = asyncio.Semaphore(INDEX_BUILDERS)

        async def build(indexes: list[asyncpg.Record]) -> None:
            async with gate:
                for index in indexes:
                    async with pool.acquire() as connection, connection.transaction():
                        if fence is not None:
                            await fence.check(connection)
                        definition = index["definition"].replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
                        await connection.execute(definition)
                        await connection.execute("DELETE FROM indexer_deferred_indexes WHERE name = $1", index["name"])

        await asyncio.gather(*(build(indexes) for indexes in chains.values()))
        return [row["name"] for row in rows]

    async def forget_after(self, connection: Connection, chain_id: int, block_number: int) -> int:
        contracts = [*self._addresses, *await self._known_rounds(connection, chain_id)]
        removed = await delete_rows(
            connection,
            "contract_events",
            "chain_id = $1 AND contract = ANY($2) AND block_number > $3",
            chain_id,
            contracts,
            block_number,
        )
        for projection in self.projections:
            removed += await projection.forget_after(connection, chain_id, block_number)
        return removed

    async def _known_rounds(self, connection: Connection, chain_id: int) -> set[str]:
        # A superset is harmless (a round on a lost fork emits nothing on the new one); a round
        # missed would lose its events. So: loaded once, then only ever grown.
        if self._rounds is None:
            rows = await connection.fetch(
                """
                SELECT DISTINCT lower(args->>'round') AS address FROM contract_events
                WHERE chain_id = $1 AND contract = $2 AND event = 'RoundCreated'
                """,
                chain_id,
                self._factory,
            )
            self._rounds = {row["address"] for row in rows}
        return self._rounds


@dataclass(frozen=True, slots=True)
class StagedEvents:
    """A range's rows of the event store, and the kinds of event among them."""

    rows: StagedRows
    kinds: list[tuple[str, str]]  # (contract name, event)

    async def store(self, connection: Connection, notify_from: int) -> int:
        """Returns how many events the store added."""
        if self.kinds:
            # The kinds a read by contract name or event alone expands to (the kind index is
            # hashed: it cannot list them); a few known pairs a step, each an index probe.
            # A new kind whose key another kind has fails the step (uq_event_kinds_key): reads
            # find a kind by its key alone, so two must never share one.
            await connection.execute(
                f"INSERT INTO event_kinds SELECT contract_name, event, {KIND_KEY} "  # noqa: S608 - constant SQL
                "FROM unnest($1::text[], $2::text[]) AS k (contract_name, event) "
                "ON CONFLICT (contract_name, event) DO NOTHING",
                [name for name, _ in self.kinds],
                [event for _, event in self.kinds],
            )
        return await self.rows.store(connection, notify_from)


@dataclass(frozen=True, slots=True)
class StagedStep:
    """A range's rows: the event store's (`own`: stored with the checkpoint), then each
    projection's (`apart`: an initial sync stores them on a connection of their own, beside the
    event store's, see `Separable`)."""

    own: StagedEvents
    apart: StagedAll

    async def store(self, connection: Connection, notify_from: int) -> int:
        """Returns how many events the store added."""
        added = await self.own.store(connection, notify_from)
        await self.apart.store(connection, notify_from)
        return added


def _declared(events: Mapping[str, frozenset[str] | None], first_param: int) -> tuple[str, list[object]]:
    """SQL over contract_events for the (contract name, event) pairs a projection declared, its
    parameters numbered from `first_param`."""
    clauses: list[str] = []
    params: list[object] = []
    for contract_name, names in sorted(events.items()):
        params.append(contract_name)
        clause = f"contract_name = ${first_param + len(params) - 1}"
        if names is not None:
            params.append(sorted(names))
            clause += f" AND event = ANY(${first_param + len(params) - 1})"
        clauses.append(f"({clause})")
    return " OR ".join(clauses) or "false", params


def _identifier(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"unexpected index name {name!r}")
    return f'"{name}"'


def handles(projection: EventProjection, contract_name: str, event: str) -> bool:
    if contract_name not in projection.events:
        return False
    wanted = projection.events[contract_name]
    return wanted is None or event in wanted


def stored_event(row: asyncpg.Record) -> EventLog:
    """An event as the event store keeps it (a `contract_events` row), for a replay."""
    return EventLog(
        contract=row["contract"],
        event=row["event"],
        args=orjson.loads(row["args"]),
        ref=LogRef(row["block_number"], row["block_hash"], row["tx_hash"], row["log_index"]),
    )
