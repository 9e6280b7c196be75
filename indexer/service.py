"""The indexer engine: backfill then tail a projection's logs into PostgreSQL.

A projection (indexer/helpdesk.py, indexer/funding.py, indexer/events.py) says which logs it
reads and which rows it keeps; the engine does the rest, the same way for each. Each step runs
in one database transaction: it checks the checkpoint's block hash against the chain (rolling
back to the fork point on a reorg), fetches the next range of logs with several requests in
flight, writes the projection's rows (and outbox jobs) and the new checkpoint, and commits. A
crash anywhere leaves the checkpoint and the rows agreeing, so a restart resumes.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import asyncpg
import structlog

from indexer import metrics
from indexer.repository import Checkpoint, Connection, IndexerRepository
from indexer.rpc import JsonRpcClient, RpcError

log = structlog.get_logger(__name__)

TARGET_LOGS_PER_STEP = 20_000
# Start small and double while steps stay light: a dense chain never starts with a huge step.
INITIAL_BATCH_BLOCKS = 10


class ChainMismatchError(RuntimeError):
    """The database was indexed from another chain than the node now serves."""


class ChainMovedError(RuntimeError):
    """The chain changed under a step (a reorg mid-fetch); the step is retried."""


@dataclass(frozen=True)
class IndexerConfig:
    max_batch_blocks: int = 2000
    confirmations: int = 0
    reorg_window: int = 128
    poll_seconds: float = 1.0
    concurrency: int = 4


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

    async def write(self, connection: Connection, chain_id: int, events: Sequence[EventT]) -> int:
        """Store `events`, ignoring any already stored; returns how many rows were added."""
        ...

    async def forget_after(self, connection: Connection, chain_id: int, block_number: int) -> int:
        """Delete every row derived from blocks above `block_number`; returns how many."""
        ...


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
    ) -> None:
        self.rpc = rpc
        self.pool = pool
        self.projection = projection
        self.chain_id = chain_id
        self.config = config
        self.after_commit = after_commit
        self._batch_blocks = min(INITIAL_BATCH_BLOCKS, config.max_batch_blocks)

    @property
    def name(self) -> str:
        return self.projection.name

    @property
    def start_block(self) -> int:
        return self.projection.start_block

    async def step(self) -> StepResult:
        with metrics.STEP_SECONDS.labels(self.name).time():
            head = await self.rpc.block_number() - self.config.confirmations
            async with self.pool.acquire() as connection, connection.transaction():
                repository = IndexerRepository(connection, self.name)
                await repository.lock_checkpoint()
                result = await self._step(repository, head)
        self._observe(result, head)
        if result.advanced and self.after_commit is not None:
            await self.after_commit()
        return result

    def _observe(self, result: StepResult, head: int) -> None:
        # Recorded after commit, so the figures never count work that was rolled back.
        indexed = result.reorged_to if result.reorged_to is not None else result.to_block
        metrics.INDEXED_BLOCK.labels(self.name).set(indexed)
        metrics.LAG_BLOCKS.labels(self.name).set(max(0, head + self.config.confirmations - indexed))
        metrics.EVENTS.labels(self.name).inc(result.events)
        if result.reorged_to is not None:
            metrics.REORGS.labels(self.name).inc()

    async def _step(self, repository: IndexerRepository, head: int) -> StepResult:
        checkpoint = await repository.checkpoint()
        if checkpoint is None:
            last = self.start_block - 1
        else:
            if checkpoint.chain_id != self.chain_id:
                raise ChainMismatchError(f"database indexed chain {checkpoint.chain_id}, node serves {self.chain_id}")
            current = await self.rpc.block(checkpoint.block_number)
            if current is None or current.hash != checkpoint.block_hash:
                fork = await self._roll_back(repository, checkpoint)
                return StepResult(checkpoint.block_number + 1, checkpoint.block_number, 0, reorged_to=fork)
            last = checkpoint.block_number
        if last >= head:
            return StepResult(last + 1, last, 0)
        to_block = min(head, last + self._batch_blocks)
        events, block_hashes = await self._fetch(repository.connection, last + 1, to_block)
        added = await self.projection.write(repository.connection, self.chain_id, events)
        await repository.record_blocks(block_hashes, keep_from=to_block - self.config.reorg_window)
        await repository.save_checkpoint(Checkpoint(self.chain_id, to_block, block_hashes[to_block]))
        self._adapt_batch(len(events))
        log.debug("indexed", indexer=self.name, from_block=last + 1, to_block=to_block, events=added)
        return StepResult(last + 1, to_block, added)

    async def _fetch(
        self, connection: Connection, from_block: int, to_block: int
    ) -> tuple[list[EventT], dict[int, str]]:
        before = await self.rpc.block(to_block)
        ranges = _split(from_block, to_block, self.config.concurrency)
        events = await self.projection.fetch(self.rpc, connection, self.chain_id, ranges)
        after = await self.rpc.block(to_block)
        if before is None or after is None or before.hash != after.hash:
            raise ChainMovedError(f"block {to_block} changed while its logs were fetched")
        block_hashes: dict[int, str] = {}
        for event in events:
            if block_hashes.setdefault(event.block_number, event.block_hash) != event.block_hash:
                raise ChainMovedError(f"logs of block {event.block_number} came from two forks")
        if block_hashes.get(to_block, after.hash) != after.hash:
            raise ChainMovedError(f"logs of block {to_block} came from another fork")
        block_hashes[to_block] = after.hash
        return events, block_hashes

    async def _roll_back(self, repository: IndexerRepository, checkpoint: Checkpoint) -> int:
        fork = self.start_block - 1
        fork_hash = ""
        for number, known_hash in await repository.recent_blocks():
            current = await self.rpc.block(number)
            if current is not None and current.hash == known_hash:
                fork, fork_hash = number, known_hash
                break
        if not fork_hash:
            # Deeper than the window (or a new chain): rebuild from the deployment block.
            fork_block = await self.rpc.block(fork) if fork >= 0 else None
            fork_hash = fork_block.hash if fork_block is not None else ""
        removed = await self.projection.forget_after(repository.connection, self.chain_id, fork)
        await repository.forget_blocks_after(fork)
        await repository.save_checkpoint(Checkpoint(self.chain_id, fork, fork_hash))
        log.warning("reorg", indexer=self.name, checkpoint=checkpoint.block_number, fork=fork, rows_removed=removed)
        return fork

    def _adapt_batch(self, logs: int) -> None:
        # Aim for about TARGET_LOGS_PER_STEP logs a step: big enough to amortize the
        # round trips, small enough to keep memory and the transaction short.
        if logs > TARGET_LOGS_PER_STEP:
            self._batch_blocks = max(1, self._batch_blocks // 2)
        elif logs < TARGET_LOGS_PER_STEP // 4:
            self._batch_blocks = min(self.config.max_batch_blocks, self._batch_blocks * 2)

    async def run(self, stop: asyncio.Event) -> None:
        """Step until `stop` is set: flat out while behind, polling once at the head."""
        backoff = self.config.poll_seconds
        while not stop.is_set():
            try:
                result = await self.step()
                backoff = self.config.poll_seconds
                if result.advanced:
                    continue
            except (RpcError, ChainMovedError, OSError, asyncpg.PostgresConnectionError) as exc:
                log.warning("indexer step failed; retrying", error=str(exc), retry_in=backoff)
                backoff = min(backoff * 2, 30.0)
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
) -> list[dict[str, Any]]:
    """The raw logs of `ranges`, one request per range in flight at once, in chain order; logs a
    node flags as removed (a reorg it noticed) are left out."""
    chunks = await asyncio.gather(*(rpc.logs(address, topic0, start, end) for start, end in ranges))
    return [raw for chunk in chunks for raw in chunk if not raw.get("removed", False)]
