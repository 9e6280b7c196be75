"""The indexer keeps the event tables' partitions (impactchain/db/partitions.py) as it writes:
at start, after a step that brings the head within a span of the last partition, and every
minute (a table may have passed the size). Only while it holds the writer lock, which each of
the maintenance's transactions checks: a second process never races it, and the CLI's
`impactchain db partitions --apply` waits on the same maintenance lock.

Running it here rather than in the step's transaction keeps the step's locks short: the DDL
takes its ACCESS EXCLUSIVE locks in transactions of its own that last milliseconds (a
conversion also validates its CHECK first, a scan that writes nothing but that the indexer waits
for: once per table in its life)."""

import math
import time

import asyncpg
import structlog

from impactchain.db.partitions import EVENT_TABLES, Connection, Fence, PartitionPolicy, PartitionRepository, maintain
from indexer.writer import WriterLostError

log = structlog.get_logger(__name__)

# A table may pass IMPACTCHAIN_PARTITION_ROWS at any step: its size is looked at this often.
CHECK_SECONDS = 60.0
# After a run that found a table lock or the maintenance lock taken: the next try waits this long,
# so a long read (or the CLI's conversion) costs the indexer one lock_timeout, not one per step.
BUSY_RETRY_SECONDS = 15.0


class PartitionKeeper:
    def __init__(self, pool: asyncpg.Pool, policy: PartitionPolicy, fence: Fence | None = None) -> None:
        self.pool = pool
        self.policy = policy
        self.fence = fence
        self._checked_at = -math.inf
        self._retry_at = -math.inf
        self._covered_to: int | None = None  # where the least far partitioned table's partitions end

    async def after_step(self) -> None:
        """After a committed step: maintain if a table's partitions end within a span of the head,
        or if the last look at the sizes is a minute old. A failure is logged and retried later
        (rows past the partitions land in the overflow meanwhile), and so is a lost writer lock (the
        next step's own check stops the writing)."""
        if time.monotonic() < self._retry_at:
            return
        try:
            async with self.pool.acquire() as connection:
                if time.monotonic() - self._checked_at < CHECK_SECONDS:
                    if self._covered_to is None:
                        return
                    head = await PartitionRepository(connection).head()
                    if head + self.policy.span_blocks < self._covered_to:
                        return
                await self._maintain(connection)
        except (asyncpg.PostgresError, OSError, WriterLostError) as exc:
            self._retry_at = time.monotonic() + BUSY_RETRY_SECONDS
            log.warning("partition maintenance failed; retried later", error=str(exc))

    async def _maintain(self, connection: Connection) -> None:
        if (await maintain(connection, self.policy, fence=self.fence, wait=False)).busy:
            self._retry_at = time.monotonic() + BUSY_RETRY_SECONDS
            return
        repository = PartitionRepository(connection)
        covered = [(await repository.state(table)).covered_to for table in EVENT_TABLES]
        self._covered_to = min((c for c in covered if c is not None), default=None)
        self._checked_at = time.monotonic()
