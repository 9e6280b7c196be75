"""Exactly one writer: a session-level PostgreSQL advisory lock, held on a dedicated connection for
as long as the process indexes.

A second indexer process waits on the lock as a hot standby. When the first dies, PostgreSQL ends
its session and frees the lock; the standby, polling every few hundred milliseconds, takes over.
Each step also checks, inside its own transaction, that this process's lock session still holds
the lock: a writer whose lock connection broke (and whose lock another process may have taken)
commits nothing more.
"""

import asyncio
import contextlib
import os
import zlib

import asyncpg
import structlog

from indexer import metrics
from indexer.repository import Connection

log = structlog.get_logger(__name__)

# The advisory lock's first key: ImpactChain's namespace (two-int form, so pg_locks shows it as
# classid/objid and no other application's single-bigint locks collide with it).
LOCK_NAMESPACE = 0x1C4A1


class WriterLostError(RuntimeError):
    """This process no longer holds the writer lock; it must stop writing."""


class WriterLock:
    def __init__(self, database_url: str, name: str = "indexer", *, poll_seconds: float = 0.5) -> None:
        self.database_url = database_url
        self.name = name
        self.key = zlib.crc32(name.encode()) & 0x7FFFFFFF
        self.poll_seconds = poll_seconds
        self._connection: asyncpg.Connection | None = None
        self._pid: int | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None and not self._connection.is_closed()

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Wait until this process holds the lock (True) or `stop` is set (False); a standby polls
        rather than blocks, so it notices `stop` and a broken database connection."""
        announced = False
        while not stop.is_set():
            try:
                if await self._try_lock():
                    metrics.WRITER.set(1)
                    log.info("writer lock taken; indexing", lock=self.name, pid=self._pid)
                    return True
                if not announced:
                    log.info("another indexer holds the writer lock; standing by", lock=self.name)
                    announced = True
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("writer lock: database unreachable; retrying", error=str(exc))
                await self._drop()
            metrics.WRITER.set(0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.poll_seconds)
        return False

    async def _try_lock(self) -> bool:
        if self._connection is None or self._connection.is_closed():
            # Named, so an operator (and pg_stat_activity) sees which process writes.
            application = f"impactchain-indexer-writer pid={os.getpid()}"
            self._connection = await asyncpg.connect(
                self.database_url, server_settings={"application_name": application}
            )
            self._pid = self._connection.get_server_pid()
        taken: bool = await self._connection.fetchval("SELECT pg_try_advisory_lock($1, $2)", LOCK_NAMESPACE, self.key)
        return taken

    async def watch(self, stop: asyncio.Event) -> None:
        """Return when the lock session breaks (or `stop` is set): the caller stops writing."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.poll_seconds)
            if stop.is_set():
                return
            try:
                assert self._connection is not None
                await asyncio.wait_for(self._connection.fetchval("SELECT 1"), timeout=max(5.0, self.poll_seconds))
            except (OSError, TimeoutError, AssertionError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                metrics.WRITER.set(0)
                metrics.WRITER_LOST.inc()
                log.error("writer lock session lost; stopping writes", lock=self.name, error=repr(exc))
                await self._drop()
                return

    async def check(self, connection: Connection) -> None:
        """Raise `WriterLostError` unless this process's lock session holds the lock now."""
        holds = await connection.fetchval(
            """
            SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::int::oid
                           AND objid = $2::int::oid AND objsubid = 2 AND pid = $3 AND granted)
            """,
            LOCK_NAMESPACE,
            self.key,
            self._pid,
        )
        if not holds:
            metrics.WRITER.set(0)
            metrics.WRITER_LOST.inc()
            raise WriterLostError(f"writer lock {self.name!r} is not held by this process (session {self._pid})")

    async def release(self) -> None:
        metrics.WRITER.set(0)
        await self._drop()

    async def _drop(self) -> None:
        connection, self._connection, self._pid = self._connection, None, None
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), timeout=2)
