"""The read path every endpoint shares: one asyncpg pool, one statement per read.

The API never writes, so a read needs no transaction: each `fetch` is one round trip of a
statement asyncpg prepared once per connection (its statement cache), run in autocommit. No
pre-ping and no reset on release either: a connection the server dropped fails its statement
with a connection error, and that read is retried once on a fresh connection. Sessions are
read-only on the server side, so a bug here cannot write the indexer's tables.

Connections come from an asyncpg pool (which opens, replaces and closes them) but, once taken,
are not handed back after each read: a read takes an idle one from the API's own list and puts
it back. asyncpg's acquire and release cost a read ~30-50 us of CPU (a future, a shielded task,
a timeout context and an idle timer each time) against ~40 us for the statement's own round
trip. A connection is given back to the pool only when a read on it failed or was cancelled
(the pool waits out a cancelled statement before the connection serves again) or at shutdown.
"""

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from litestar import Litestar
from litestar.datastructures import State
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE

from api.kit.problems import ApiError
from impactchain.settings import Settings

logger = logging.getLogger(__name__)

# What a dropped or unreachable server looks like to asyncpg: worth one retry on a new connection.
_CONNECTION_ERRORS = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, ConnectionError, OSError)
# Also, on a connection kept between reads: the server's notice that it is closing the session
# can arrive while the connection is idle, and the next statement then finds its protocol mid-way.
_BROKEN_CONNECTION_ERRORS = (*_CONNECTION_ERRORS, asyncpg.InternalClientError)


class DatabaseUnavailableError(ApiError):
    """The database did not answer, or a read ran past its statement timeout."""

    status_code = HTTP_503_SERVICE_UNAVAILABLE
    slug = "database-unavailable"
    title = "Database unavailable"

    def __init__(self, cause: BaseException) -> None:
        super().__init__(f"the database did not answer ({type(cause).__name__})")
        self.cause = cause


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Nothing to reset on release: reads change no session state (saves a round trip per read)."""


class Turns:
    """At most `size` holders at a time; the others wait and are served in arrival order.

    asyncio.Semaphore does the same, but on Python 3.11 it asks for the running loop at every
    wait, a `getpid()` system call each time, and under load nearly every read waits (64 clients
    on 10 connections). A released turn goes straight to the longest waiter, never to whoever asks
    next; a waiter cancelled as its turn came passes the turn on."""

    __slots__ = ("_free", "_loop", "_waiters")

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: deque[asyncio.Future[None]] = deque()
        # The loop the turns are taken on (one, as for the pool): found at the first wait.
        self._loop: asyncio.AbstractEventLoop | None = None

    async def take(self) -> None:
        if self._free:  # a free turn means nobody waits: `give` hands turns to waiters first
            self._free -= 1
            return
        loop = self._loop or self._first_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.give()  # the turn came as the read was cancelled
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise

    def give(self) -> None:
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1

    def _first_loop(self) -> asyncio.AbstractEventLoop:
        self._loop = asyncio.get_running_loop()
        return self._loop


@dataclass(frozen=True, slots=True)
class PoolOptions:
    min_size: int
    max_size: int
    statement_timeout_ms: int


class Database:
    """The app's asyncpg pool, for repositories: `fetch` and `fetchrow` of one SQL statement.

    The pool opens on first use, so an API started before its database answers 503 until the
    database is up, then serves without a restart."""

    def __init__(self, database_url: str, options: PoolOptions) -> None:
        self._url = database_url
        self._options = options
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()
        # Taken from the pool and idle between reads, the most recently used last.
        self._idle: list[PoolConnectionProxy] = []
        # Reads take turns in arrival order. asyncpg's pool hands a freed connection to whoever
        # asks first in the next loop turn, so under load a waiting read can be passed over again
        # and again (measured: p99 10x the median at 64 clients on 10 connections); this FIFO
        # queue of the pool's size lets a read reach the pool only when a connection is free.
        self._turns = Turns(options.max_size)

    async def open(self) -> asyncpg.Pool:
        if self._pool is not None:
            return self._pool
        async with self._opening:
            if self._pool is None:
                try:
                    self._pool = await asyncpg.create_pool(
                        self._url,
                        min_size=self._options.min_size,
                        max_size=self._options.max_size,
                        reset=_keep_session,
                        server_settings={
                            "application_name": "impactchain-api",
                            "default_transaction_read_only": "on",
                            "statement_timeout": str(self._options.statement_timeout_ms),
                        },
                    )
                except _CONNECTION_ERRORS as exc:
                    logger.warning("database unreachable: %r", exc)
                    raise DatabaseUnavailableError(exc) from exc
            return self._pool

    async def fetch(self, sql: str, *args: Any) -> Sequence[asyncpg.Record]:
        pool = self._pool or await self.open()
        turns = self._turns
        await turns.take()
        try:
            # A turn guarantees a connection: at most `max_size` reads hold one at a time.
            connection = self._idle.pop() if self._idle else await pool.acquire()
            try:
                rows = await connection.fetch(sql, *args)
            except _BROKEN_CONNECTION_ERRORS as exc:
                await self._give_back(pool, connection)
                logger.warning("database read failed (%r); retrying once on a new connection", exc)
                return await self._retry(pool, sql, args)
            except asyncpg.QueryCanceledError as exc:  # its statement timeout: the session is fine
                self._idle.append(connection)
                raise DatabaseUnavailableError(exc) from exc
            except asyncpg.PostgresError:
                self._idle.append(connection)
                raise
            except BaseException:  # cancelled mid-statement, say: the pool waits it out
                await self._give_back(pool, connection)
                raise
            self._idle.append(connection)
            return rows
        finally:
            turns.give()

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        rows = await self.fetch(sql, *args)
        return rows[0] if rows else None

    async def _retry(self, pool: asyncpg.Pool, sql: str, args: Sequence[Any]) -> Sequence[asyncpg.Record]:
        try:
            return await pool.fetch(sql, *args)
        except (*_CONNECTION_ERRORS, asyncpg.QueryCanceledError) as exc:
            raise DatabaseUnavailableError(exc) from exc

    async def _give_back(self, pool: asyncpg.Pool, connection: PoolConnectionProxy) -> None:
        # Shielded: a read cancelled again while the connection goes back must not lose it.
        await asyncio.shield(pool.release(connection))

    async def close(self) -> None:
        if self._pool is not None:
            idle, self._idle = self._idle, []
            for connection in idle:
                await self._pool.release(connection)
            await self._pool.close()


@asynccontextmanager
async def database_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Open the pool at startup when the database answers; close it at shutdown. Reads go to
    DATABASE_READ_URL (a replica) when set, else to DATABASE_URL: the API writes nothing."""
    settings: Settings = app.state.settings
    if settings.api_read_url is None:
        raise RuntimeError("DATABASE_URL is not set")
    options = PoolOptions(
        min_size=settings.api_db_pool_min,
        max_size=settings.api_db_pool_max,
        statement_timeout_ms=settings.api_db_statement_timeout_ms,
    )
    database = Database(settings.api_read_url, options)
    with contextlib.suppress(DatabaseUnavailableError):
        await database.open()
    app.state.database = database
    try:
        yield
    finally:
        await database.close()


def provide_database(state: State) -> Database:
    database: Database = state.database
    return database
