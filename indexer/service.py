"""The indexer engine: backfill then tail a projection's logs into PostgreSQL.

A projection (the platform's event stream, indexer/stream.py) says which logs it reads and
which rows it keeps; the engine does the rest. Each step runs
in one database transaction: it checks the checkpoint's block hash against the chain (rolling
back to the fork point on a reorg), fetches the next range of logs with several requests in
flight, writes the projection's rows (and outbox jobs) and the new checkpoint, and commits. A
crash anywhere leaves the checkpoint and the rows agreeing, so a restart resumes.
"""

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar, cast

import asyncpg
import structlog

from impactchain.events import RawLog
from impactchain.tracing import traced_step
from indexer import metrics
from indexer.progress import BackfillProgress
from indexer.repository import Checkpoint, Connection, IndexerRepository, Separable, Staged
from indexer.rpc import JsonRpcClient, ResponseTooLargeError, RpcError

log = structlog.get_logger(__name__)

TARGET_LOGS_PER_STEP = 20_000
# Start small and double while steps stay light: a dense chain never starts with a huge step.
INITIAL_BATCH_BLOCKS = 10
TIP_REUSE_SECONDS = 1.0
# The longest the second connection of an initial sync's step waits for a table lock. The step waits
# for that connection while holding its own locks, a cycle PostgreSQL cannot see: were one ever to
# form, the step fails and is retried (logged, counted) instead of hanging. Nothing the platform
# runs holds these tables' locks for long while a step writes.
SIDE_LOCK_TIMEOUT = "60s"


class ChainMismatchError(RuntimeError):
    """The database was indexed from another chain than the node now serves."""


class ChainMovedError(RuntimeError):
    """The fetched range does not descend from the checkpoint (a reorg under the step); nothing
    was committed and the next step retries (rolling back first if the checkpoint was orphaned)."""


class DeepReorgError(RuntimeError):
    """The chain forked below every block hash the indexer kept: it cannot tell which rows survive."""


@dataclass(frozen=True)
class IndexerConfig:
    max_batch_blocks: int = 2000
    confirmations: int = 0
    reorg_window: int = 128
    poll_seconds: float = 1.0
    concurrency: int = 4
    # A reorg deeper than the window: "halt" (alert and stop; what real networks want, where that
    # means something is badly wrong) or "rebuild" from the deployment block (dev chains).
    deep_reorg: Literal["halt", "rebuild"] = "rebuild"
    # Jobs (thank-yous) only for events this close to the head: a backfill notifies nobody.
    notify_horizon: int = 1000
    max_backoff_seconds: float = 30.0
    # An initial sync of at least this many blocks writes the event store without its secondary
    # indexes and builds them once when it reaches the head (0: never).
    bulk_load_blocks: int = 2000


@dataclass(frozen=True)
class StepResult:
    from_block: int
    to_block: int
    events: int
    reorged_to: int | None = None

    @property
    def advanced(self) -> bool:
        return self.to_block >= self.from_block or self.reorged_to is not None


class Logged(Protocol):
    """A decoded log: the engine only needs to know which block it came from."""

    @property
    def block_number(self) -> int: ...

    @property
    def block_hash(self) -> str: ...


EventT = TypeVar("EventT", bound=Logged)


class Projection(Protocol[EventT]):
    """What one indexer derives from the chain. Every method runs inside the step's transaction."""

    @property
    def name(self) -> str:
        """The checkpoint's name: one per deployment, so a redeployed contract starts afresh."""
        ...

    @property
    def start_block(self) -> int:
        """The first block with anything to read (the contract's deployment block)."""
        ...

    async def fetch(
        self, rpc: JsonRpcClient, connection: Connection, chain_id: int, ranges: Sequence[tuple[int, int]]
    ) -> list[EventT]:
        """The decoded logs of `ranges` (consecutive, inclusive), in chain order."""
        ...

    def stage(self, chain_id: int, events: Sequence[EventT]) -> Staged:
        """The rows `events` give, built without the database (most often while the step before
        writes): storing them ignores any already stored, makes jobs (notifications) only for
        events from block `notify_from` on, and returns how many rows were added."""
        ...

    async def forget_after(self, connection: Connection, chain_id: int, block_number: int) -> int:
        """Delete every row derived from blocks above `block_number` (and the jobs not yet
        enqueued for them); returns how many rows."""
        ...

    async def prepare(self, connection: Connection, chain_id: int, checkpoint: int | None) -> None:
        """Once per process, before the first step: bring anything derived from what is already
        indexed (up to block `checkpoint`, None if nothing is) up to it."""
        ...

    async def bulk_loading(self, connection: Connection) -> bool:
        """Whether an initial sync left its indexes to build (a restart continues it)."""
        ...

    async def begin_bulk_load(self, connection: Connection) -> list[str]:
        """Before an initial sync: stop maintaining what can be built at the end; returns its names."""
        ...

    async def end_bulk_load(self, pool: asyncpg.Pool, fence: "WriterFence | None") -> list[str]:
        """At the head (after the step's commit): build what `begin_bulk_load` deferred, on
        connections of `pool`, each build in a transaction `fence` checks; returns its names."""
        ...


class WriterFence(Protocol):
    async def check(self, connection: Connection) -> None:
        """Raise unless this process still holds the writer lock (checked inside the step's transaction)."""
        ...


@dataclass(frozen=True)
class FetchedRange(Generic[EventT]):
    """A range's events, in chain order, the hashes of the blocks read to prove them, and the
    rows they give, staged to store."""

    to_block: int
    events: list[EventT]
    block_hashes: dict[int, str]
    staged: Staged


class LogIndexer(Generic[EventT]):
    def __init__(
        self,
        rpc: JsonRpcClient,
        pool: asyncpg.Pool,
        projection: Projection[EventT],
        *,
        chain_id: int,
        config: IndexerConfig,
        after_commit: Callable[[], Awaitable[object]] | None = None,
        writer: WriterFence | None = None,
    ) -> None:
        self.rpc = rpc
        self.pool = pool
        self.projection = projection
        self.chain_id = chain_id
        self.config = config
        self.after_commit = after_commit
        self.writer = writer
        self._batch_blocks = min(INITIAL_BATCH_BLOCKS, config.max_batch_blocks)
        self._ask_finality_at = 0.0  # when to ask again a node that serves no `finalized` tag
        self._progress = BackfillProgress(self.name)
        self._prepared = False
        self._tip: tuple[int, int | None, float] | None = None  # latest, finalized, when asked
        self._far_behind = False
        self._bulk: bool | None = None  # an initial sync with indexes deferred (None: not read yet)
        # The next range, fetched while a step writes: (the block it follows, its fetch).
        self._ahead: tuple[int, asyncio.Task[FetchedRange[EventT]]] | None = None
        # The batch has grown past what the chain was seen to hold: read its parts one at a time.
        self._exploring = True
        # A block an abandoned answer showed to start a dense stretch (see `_narrow`).
        self._dense_from: int | None = None

    @property
    def name(self) -> str:
        return self.projection.name

    @property
    def start_block(self) -> int:
        return self.projection.start_block

    @traced_step
    async def step(self) -> StepResult:
        if not self._prepared:
            await self._prepare()
        with metrics.STEP_SECONDS.labels(self.name).time():
            latest, finalized = await self._chain_tip()
            head = latest - self.config.confirmations
            try:
                async with self.pool.acquire() as connection, connection.transaction():
                    if self.writer is not None:
                        await self.writer.check(connection)
                    repository = IndexerRepository(connection, self.name)
                    await repository.lock_checkpoint()
                    result = await self._step(repository, head, latest - self.config.notify_horizon, finalized)
            except BaseException:
                self._bulk = None  # the step's DDL rolled back too: read the state again
                raise
            if self._bulk and head - self._indexed(result) <= self.config.reorg_window:
                await self._end_bulk_load()
        metrics.BULK_LOAD.labels(self.name).set(1 if self._bulk else 0)
        self._far_behind = head - self._indexed(result) > 4 * self._batch_blocks
        self._observe(result, head)
        self._progress.stepped(result, head)
        if result.advanced and self.after_commit is not None:
            await self.after_commit()
        return result

    async def _prepare(self) -> None:
        async with self.pool.acquire() as connection, connection.transaction():
            if self.writer is not None:
                await self.writer.check(connection)
            repository = IndexerRepository(connection, self.name)
            await repository.lock_checkpoint()
            checkpoint = await repository.checkpoint()
            await self.projection.prepare(
                connection, self.chain_id, None if checkpoint is None else checkpoint.block_number
            )
        self._prepared = True

    @staticmethod
    def _indexed(result: StepResult) -> int:
        return result.reorged_to if result.reorged_to is not None else result.to_block

    def _observe(self, result: StepResult, head: int) -> None:
        # Recorded after commit, so the figures never count work that was rolled back.
        indexed = self._indexed(result)
        metrics.INDEXED_BLOCK.labels(self.name).set(indexed)
        metrics.LAG_BLOCKS.labels(self.name).set(max(0, head + self.config.confirmations - indexed))
        metrics.EVENTS.labels(self.name).inc(result.events)
        if result.reorged_to is not None:
            metrics.REORGS.labels(self.name).inc()
            # A rolled-back step's to_block is the checkpoint it found orphaned.
            metrics.REORG_DEPTH.labels(self.name).observe(result.to_block - result.reorged_to)

    async def _chain_tip(self) -> tuple[int, int | None]:
        """The chain's latest and finalized blocks. Far behind the head (a backfill), the last
        answer serves for up to a second: where the head is only matters near it."""
        now = time.monotonic()
        if self._tip is not None and self._far_behind and now - self._tip[2] < TIP_REUSE_SECONDS:
            return self._tip[0], self._tip[1]
        latest, finalized = await asyncio.gather(self.rpc.block_number(), self._finalized())
        self._tip = (latest, finalized, now)
        return latest, finalized

    async def _finalized(self) -> int | None:
        """The chain's finalized block, if it serves one (asked again a minute after it did not)."""
        if time.monotonic() < self._ask_finality_at:
            return None
        finalized = await self.rpc.finalized_block()
        if finalized is None:
            self._ask_finality_at = time.monotonic() + 60
        else:
            metrics.FINALIZED_BLOCK.labels(self.name).set(finalized)
        return finalized

    async def _step(
        self, repository: IndexerRepository, head: int, notify_from: int, finalized: int | None = None
    ) -> StepResult:
        checkpoint = await repository.checkpoint()
        if checkpoint is None:
            last, last_hash = self.start_block - 1, None
        else:
            if checkpoint.chain_id != self.chain_id:
                raise ChainMismatchError(f"database indexed chain {checkpoint.chain_id}, node serves {self.chain_id}")
            current = await self.rpc.block(checkpoint.block_number)
            if current is None or current.hash != checkpoint.block_hash:
                fork = await self._roll_back(repository, checkpoint)
                return StepResult(checkpoint.block_number + 1, checkpoint.block_number, 0, reorged_to=fork)
            last, last_hash = checkpoint.block_number, checkpoint.block_hash
        if self._bulk is None:
            self._bulk = await self.projection.bulk_loading(repository.connection)
        if last >= head:
            self._drop_prefetch()
            return StepResult(last + 1, last, 0)
        # The step that drops the indexes holds those tables' locks until it commits: a second
        # connection writing them would wait for this one, which waits for it.
        began = await self._begin_bulk_load(repository.connection, checkpoint is None, head - last)
        started = time.perf_counter()
        fetched = await self._take_prefetch(last, head)
        if fetched is None:
            fetched = await self._fetch_narrowing(repository.connection, last, last_hash, head, finalized)
        to_block, events, block_hashes = fetched.to_block, fetched.events, fetched.block_hashes
        self._adapt_batch(len(events))
        self._prefetch(to_block, block_hashes[to_block], head, finalized)
        fetched_at = time.perf_counter()
        if to_block < notify_from:
            # History (no job made): the commit does not wait for its WAL to reach the disk. A
            # crash of PostgreSQL may then lose the last steps, each whole with its checkpoint (WAL
            # is replayed in order), and they are read from the chain again.
            await repository.connection.execute("SET LOCAL synchronous_commit = off")
        added = await self._store(repository.connection, fetched.staged, notify_from, beside=not began)
        keep_from = to_block - self.config.reorg_window
        await repository.record_blocks({n: h for n, h in block_hashes.items() if n >= keep_from}, keep_from=keep_from)
        await repository.save_checkpoint(Checkpoint(self.chain_id, to_block, block_hashes[to_block], finalized))
        log.debug(
            "indexed",
            indexer=self.name,
            from_block=last + 1,
            to_block=to_block,
            events=added,
            # Waiting for the logs (those fetched while the last step wrote, if any), then writing.
            fetch_wait_s=round(fetched_at - started, 3),
            write_s=round(time.perf_counter() - fetched_at, 3),
        )
        return StepResult(last + 1, to_block, added)

    async def _store(self, connection: Connection, staged: Staged, notify_from: int, *, beside: bool) -> int:
        """Store a step's rows in its transaction on `connection`; during an initial sync (and
        `beside`), a separable step's other part (the projections' rows) at the same time on a
        second connection, committed just before the step's (see `Separable`): PostgreSQL writes
        the two on two backends, where one backend wrote them one after the other (each COPY is
        most of a step's write). Either failing fails the step; the other's transaction is
        awaited first, never left mid-statement."""
        if not (beside and self._bulk and isinstance(staged, Separable)):
            return await staged.store(connection, notify_from)
        async with self.pool.acquire() as side, side.transaction():
            if self.writer is not None:
                await self.writer.check(side)
            # Made durable by the step's own commit, which follows it in the WAL: one flush a step.
            await side.execute(f"SET LOCAL synchronous_commit = off; SET LOCAL lock_timeout = '{SIDE_LOCK_TIMEOUT}'")
            own, apart = await asyncio.gather(
                staged.own.store(connection, notify_from), staged.apart.store(side, notify_from), return_exceptions=True
            )
            for outcome in (own, apart):
                if isinstance(outcome, BaseException):
                    raise outcome
        return cast(int, own)

    async def _begin_bulk_load(self, connection: Connection, fresh: bool, behind: int) -> bool:
        """A fresh start far behind the head is an initial sync: bulk-load (see `bulk_load_blocks`).
        Whether it began here, in the transaction on `connection`."""
        if self._bulk or not fresh or not 0 < self.config.bulk_load_blocks <= behind:
            return False
        deferred = await self.projection.begin_bulk_load(connection)
        self._bulk = True
        log.info("initial sync: indexes deferred until the head", indexer=self.name, blocks=behind, indexes=deferred)
        return True

    async def _end_bulk_load(self) -> None:
        started = time.monotonic()
        built = await self.projection.end_bulk_load(self.pool, self.writer)
        self._bulk = False
        log.info(
            "initial sync at the head: indexes built",
            indexer=self.name,
            indexes=built,
            seconds=round(time.monotonic() - started, 1),
        )

    def _plan(self, last: int, head: int) -> int:
        """Where the range after block `last` ends: a batch further, or just before the dense
        stretch an abandoned answer showed (the blocks before it were read then: one light step)."""
        if self._dense_from is not None and self._dense_from <= last + 1:
            self._dense_from = None  # reached: the batch is already sized for it
        if self._dense_from is not None:
            return min(head, self._dense_from - 1, last + self.config.max_batch_blocks)
        return min(head, last + self._batch_blocks)

    def _prefetch(self, last: int, last_hash: str, head: int, finalized: int | None) -> None:
        """While this step writes, fetch the next range, if it is final (a backfill): its logs can
        no longer change, so the next step takes them once its checkpoint check passes."""
        to_block = self._plan(last, head)
        if finalized is None or last >= head or to_block > finalized:
            return

        async def fetch() -> FetchedRange[EventT]:
            async with self.pool.acquire() as connection:
                return await self._fetch(connection, last, last_hash, to_block, finalized)

        self._ahead = (last, asyncio.create_task(fetch()))

    async def _fetch_narrowing(
        self, connection: Connection, last: int, last_hash: str | None, head: int, finalized: int | None
    ) -> "FetchedRange[EventT]":
        """The next step's range, narrowed while the node answers more than the client reads at once."""
        while True:
            to_block = self._plan(last, head)
            try:
                return await self._fetch(connection, last, last_hash, to_block, finalized)
            except ResponseTooLargeError as exc:
                self._narrow(exc, to_block - last)

    def _narrow(self, error: ResponseTooLargeError, blocks: int) -> None:
        """A sudden dense stretch: each answer that outgrows the cap has cost the node all of it,
        so size the next range from what the answer's start showed: each of its parts within
        the logs one answer held, at the density of its densest block (one block a part if that
        was the block cut off: it holds more than was read), a step's worth in all; and end the
        range before at the last block read (see `_plan`). Without that, far fewer blocks at once."""
        metrics.RANGE_SPLITS.inc()
        if error.seen:
            cut = max(error.seen)
            densest, fit = max(error.seen.values()), sum(error.seen.values())
            per_part = 1 if error.seen[cut] == densest else max(1, fit // densest)
            blocks = min(self.config.concurrency * per_part, TARGET_LOGS_PER_STEP // densest)
            self._batch_blocks = max(1, min(self.config.max_batch_blocks, blocks))
            self._dense_from = cut
        else:
            self._batch_blocks = max(1, blocks // 64)
        self._exploring = False
        log.info(
            "logs too many for one answer; narrowing the step",
            indexer=self.name,
            blocks=self._batch_blocks,
            dense_from=self._dense_from,
        )

    async def _take_prefetch(self, last: int, head: int) -> "FetchedRange[EventT] | None":
        """The prefetched range after block `last`, if one was fetched from there (None otherwise)."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return None
        after, task = ahead
        if after != last:
            task.cancel()
            return None
        try:
            fetched = await task
        except ResponseTooLargeError as exc:
            self._narrow(exc, self._batch_blocks)
            return None
        # The head went back (a dev chain reverted): fetch again.
        return fetched if fetched.to_block <= head else None

    def _drop_prefetch(self) -> None:
        if self._ahead is not None:
            self._ahead[1].cancel()
            self._ahead = None

    async def _fetch(
        self, connection: Connection, last: int, last_hash: str | None, to_block: int, finalized: int | None = None
    ) -> "FetchedRange[EventT]":
        """The events of blocks `last`+1..`to_block` and those blocks' hashes, proven to descend from
        block `last` (hash `last_hash`, the checkpoint's): the headers, read after the logs, chain
        by parent hash from the checkpoint to `to_block`, and every log's block hash is its block's.
        A reorg at any moment before the headers are read breaks one of those links.

        A range at or below the chain's finalized block cannot be reorged: only the headers of its
        last `reorg_window` blocks are read (the hashes kept to find a later fork point, the last
        one the next checkpoint's), or its last header alone far below the finalized block (later
        steps keep none of the others), chained to each other and checked against their logs. The
        range's start is still proven: the step checked the checkpoint's hash first."""
        events, to_block = await self._read_logs(connection, last, to_block)
        first = last + 1
        if finalized is not None and to_block <= finalized:
            # Far below the finalized block, the range's last hash is all later steps keep.
            window = self.config.reorg_window if to_block > finalized - 2 * self.config.reorg_window else 0
            first = max(first, to_block - window)
        headers = await self.rpc.blocks(range(first, to_block + 1), concurrency=self.config.concurrency)
        block_hashes: dict[int, str] = {}
        parent = last_hash if first == last + 1 else None
        for number, header in enumerate(headers, start=first):
            if header is None or header.number != number:
                raise ChainMovedError(f"block {number} is gone (the chain is shorter now)")
            if parent is not None and header.parent_hash != parent:
                raise ChainMovedError(f"block {number} does not descend from block {number - 1} as read")
            block_hashes[number] = parent = header.hash
        for event in events:
            if event.block_number >= first and block_hashes.get(event.block_number) != event.block_hash:
                raise ChainMovedError(f"a log of block {event.block_number} came from another fork")
        # Built here, most often in the prefetch while the step before writes: the CPU a range's
        # rows cost is spent while PostgreSQL stores the last range's, not after (measured on the
        # bench chain: the steps' writes 10-25% shorter). A worker thread did worse: contending
        # for the GIL, it starved the event loop feeding the writes.
        staged = self.projection.stage(self.chain_id, events)
        return FetchedRange(to_block, events, block_hashes, staged)

    async def _read_logs(self, connection: Connection, last: int, to_block: int) -> tuple[list[EventT], int]:
        """The events of blocks `last`+1..`to_block` (several requests in flight), or of a first
        part of them: while the batch grows past what the chain was seen to hold, its parts are
        read one at a time, ending the range once it holds a step's worth of logs or where a
        part's answer outgrew the cap. A sparse stretch turning dense then costs the node one
        part's answer, not the whole range's."""
        ranges = _split(last + 1, to_block, self.config.concurrency)
        if not self._exploring or len(ranges) == 1:
            return await self.projection.fetch(self.rpc, connection, self.chain_id, ranges), to_block
        events: list[EventT] = []
        for number, (start, end) in enumerate(ranges):
            try:
                events += await self.projection.fetch(self.rpc, connection, self.chain_id, [(start, end)])
            except ResponseTooLargeError as exc:
                if number == 0:
                    raise
                self._narrow(exc, end - start + 1)
                return events, start - 1
            if len(events) >= TARGET_LOGS_PER_STEP:
                return events, end
        return events, to_block

    async def _roll_back(self, repository: IndexerRepository, checkpoint: Checkpoint) -> int:
        fork, fork_hash = self.start_block - 1, ""
        recent = await repository.recent_blocks()
        current = await self.rpc.blocks([number for number, _ in recent], concurrency=self.config.concurrency)
        for (number, known_hash), now in zip(recent, current, strict=True):
            if now is not None and now.hash == known_hash:
                fork, fork_hash = number, known_hash
                break
        if not fork_hash:
            fork, fork_hash = await self._deep_reorg(checkpoint, recent)
        self._dense_from = None
        removed = await self.projection.forget_after(repository.connection, self.chain_id, fork)
        await repository.forget_blocks_after(fork)
        await repository.save_checkpoint(Checkpoint(self.chain_id, fork, fork_hash))
        log.warning("reorg", indexer=self.name, checkpoint=checkpoint.block_number, fork=fork, rows_removed=removed)
        return fork

    async def _deep_reorg(self, checkpoint: Checkpoint, recent: list[tuple[int, str]]) -> tuple[int, str]:
        oldest = recent[-1][0] if recent else checkpoint.block_number
        if self.config.deep_reorg == "halt":
            raise DeepReorgError(
                f"{self.name}: the chain forked below block {oldest}, the oldest of the "
                f"{len(recent)} block hashes kept (checkpoint {checkpoint.block_number}); nothing was "
                "changed. Check the node, then rebuild the projection (drop its rows and checkpoint) "
                "or raise IMPACTCHAIN_INDEXER_REORG_WINDOW"
            )
        # A dev chain (reverted, restarted): rebuild from the deployment block.
        log.warning("reorg deeper than the window; rebuilding", indexer=self.name, oldest_kept=oldest)
        fork = self.start_block - 1
        fork_block = await self.rpc.block(fork) if fork >= 0 else None
        return fork, fork_block.hash if fork_block is not None else ""

    def _adapt_batch(self, logs: int) -> None:
        # Aim for about TARGET_LOGS_PER_STEP logs a step: big enough to amortize the
        # round trips, small enough to keep memory and the transaction short. Not while a dense
        # stretch lies ahead: the batch was sized for it (`_narrow`).
        if self._dense_from is not None:
            return
        # A light step says little of the blocks after it: the next range is read part by part.
        self._exploring = logs < TARGET_LOGS_PER_STEP // 4
        if self._exploring:
            self._batch_blocks = min(self.config.max_batch_blocks, self._batch_blocks * 2)
        elif logs > TARGET_LOGS_PER_STEP:
            self._batch_blocks = max(1, self._batch_blocks // 2)

    async def run(self, stop: asyncio.Event) -> None:
        """Step until `stop` is set: flat out while behind, polling once at the head. A failed step
        (node, network or database trouble, a reorg under the step) is logged, counted and retried
        with a capped backoff; only a reorg deeper than the window under "halt" stops it."""
        try:
            await self._run(stop)
        finally:
            self._drop_prefetch()

    async def _run(self, stop: asyncio.Event) -> None:
        backoff = self.config.poll_seconds
        while not stop.is_set():
            try:
                result = await self.step()
                backoff = self.config.poll_seconds
                if result.advanced:
                    continue
            except DeepReorgError as exc:
                metrics.HALTED.labels(self.name).set(1)
                log.critical("deep reorg: indexer halted", indexer=self.name, error=str(exc))
                await stop.wait()
                return
            except ChainMismatchError:
                raise
            except ChainMovedError as exc:
                metrics.CHAIN_MOVED.labels(self.name).inc()
                log.warning("chain moved under the step; retrying", indexer=self.name, error=str(exc))
            except (RpcError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                metrics.STEP_FAILURES.labels(self.name, type(exc).__name__).inc()
                log.warning("indexer step failed; retrying", indexer=self.name, error=str(exc), retry_in=backoff)
                backoff = min(backoff * 2, self.config.max_backoff_seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=backoff)


def _split(start: int, end: int, parts: int) -> list[tuple[int, int]]:
    size = max(1, -(-(end - start + 1) // parts))
    return [(lo, min(end, lo + size - 1)) for lo in range(start, end + 1, size)]


async def fetch_logs(
    rpc: JsonRpcClient,
    address: str | Sequence[str],
    topic0: str | Sequence[str] | None,
    ranges: Sequence[tuple[int, int]],
) -> list[RawLog]:
    """The raw logs of `ranges`, one request per range in flight at once, in chain order; logs a
    node flags as removed (a reorg it noticed) are left out."""
    # Every request ends before this returns, even when one fails (a failure is raised after).
    chunks = await asyncio.gather(
        *(rpc.logs(address, topic0, start, end) for start, end in ranges), return_exceptions=True
    )
    for chunk in chunks:
        if isinstance(chunk, BaseException):
            raise chunk
    return [raw for chunk in chunks if isinstance(chunk, list) for raw in chunk if not raw.removed]
