"""The indexer process: wires the RPC client, the database pool, RQ and the loops."""

import asyncio
import contextlib
import signal
from collections.abc import Awaitable
from typing import Any

import asyncpg
import structlog
from prometheus_client import start_http_server
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

from impactchain.db.partitions import PartitionPolicy
from impactchain.process import collect_rarely, freeze_startup_heap
from impactchain.registry import DeploymentManifest, load_manifest
from impactchain.settings import Settings
from indexer.outbox import OutboxRelay
from indexer.partitions import PartitionKeeper
from indexer.rebuild import Rebuilt, indexed_chain_id, rebuild
from indexer.rpc import JsonRpcClient, RetryPolicy, RpcError
from indexer.service import IndexerConfig, LogIndexer, Projection
from indexer.stream import PlatformStream
from indexer.writer import WriterLock, WriterLostError

log = structlog.get_logger(__name__)


# Local development chains (anvil, hardhat, ganache): reverted and restarted at will.
DEV_CHAIN_IDS = frozenset({31337, 1337})


def indexer_config(settings: Settings, chain_id: int | None = None) -> IndexerConfig:
    deep_reorg = settings.indexer_deep_reorg
    if deep_reorg == "auto":
        deep_reorg = "rebuild" if chain_id is None or chain_id in DEV_CHAIN_IDS else "halt"
    return IndexerConfig(
        max_batch_blocks=settings.indexer_batch_blocks,
        confirmations=settings.indexer_confirmations,
        reorg_window=settings.indexer_reorg_window,
        poll_seconds=settings.indexer_poll_seconds,
        deep_reorg=deep_reorg,
        notify_horizon=settings.indexer_notify_horizon_blocks,
    )


def rpc_client(settings: Settings) -> JsonRpcClient:
    """The indexer's JSON-RPC client over every configured endpoint, with its retry policy."""
    return JsonRpcClient(
        settings.indexer_rpc_endpoints,
        timeout=settings.indexer_rpc_timeout_seconds,
        retry=RetryPolicy(attempts=settings.indexer_rpc_attempts, cap_seconds=settings.indexer_rpc_backoff_cap_seconds),
    )


def projections(manifest: DeploymentManifest) -> list[Projection[Any]]:
    """What this deployment's indexer follows: the platform's one event stream, under one
    checkpoint, fanned out to every projection in indexer/projections/."""
    return [PlatformStream.from_manifest(manifest)]


async def relay_forever(relay: OutboxRelay, stop: asyncio.Event, interval: float) -> None:
    """Flush the outbox on a timer too, so jobs left by a crash or a Redis outage still go out."""
    while not stop.is_set():
        await flush_quietly(relay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


async def flush_quietly(relay: OutboxRelay) -> None:
    try:
        await relay.flush()
    except (RedisError, OSError, asyncpg.PostgresConnectionError) as exc:
        log.warning("outbox flush failed; jobs stay pending", error=str(exc))


async def wait_for_chain_id(
    rpc: JsonRpcClient, stop: asyncio.Event, *, first_delay: float = 1.0, retry_cap: float = 30.0
) -> int | None:
    """The node's chain id, asked until a node answers (None if `stop` is set first)."""
    delay = first_delay
    while not stop.is_set():
        try:
            return await rpc.chain_id()
        except RpcError as exc:
            log.warning("no node answers eth_chainId yet; retrying", error=str(exc), retry_in=delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)
        delay = min(delay * 2, retry_cap)
    return None


async def run_indexer(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Wait for the node and for the writer lock (standing by while another process holds it),
    then index until `stop`; if the lock is lost, stop writing and stand by again."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    if settings.database_url is None or settings.redis_url is None:
        raise RuntimeError("the indexer needs DATABASE_URL and REDIS_URL")
    rpc = rpc_client(settings)
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=6)
    redis = Redis.from_url(settings.redis_url)
    writer = WriterLock(settings.database_url, poll_seconds=settings.indexer_standby_poll_seconds)
    try:
        chain_id = await wait_for_chain_id(rpc, stop)
        if chain_id is None:
            return
        manifest = load_manifest(settings.deployments_dir, chain_id)
        relay = OutboxRelay(pool, Queue(settings.queue_name, connection=redis))
        partitions = PartitionKeeper(pool, PartitionPolicy.from_settings(settings), fence=writer)

        async def after_step() -> None:
            await flush_quietly(relay)
            await partitions.after_step()

        indexers = [
            LogIndexer(
                rpc,
                pool,
                projection,
                chain_id=chain_id,
                config=indexer_config(settings, chain_id),
                after_commit=after_step,
                writer=writer,
            )
            for projection in projections(manifest)
        ]
        if settings.indexer_metrics_port:
            start_http_server(settings.indexer_metrics_port, addr="127.0.0.1")
        freeze_startup_heap()
        collect_rarely()
        log.info(
            "indexer started",
            chain_id=chain_id,
            indexers=[indexer.name for indexer in indexers],
            rpc=[endpoint.label for endpoint in rpc.endpoints],
            metrics_port=settings.indexer_metrics_port,
        )
        while await writer.acquire(stop):
            await partitions.after_step()  # at start: the first look at the sizes is due
            await write_while_held(writer, indexers, relay, stop, settings.indexer_poll_seconds * 5)
    finally:
        await writer.release()
        await rpc.close()
        await pool.close()
        redis.close()
        log.info("indexer stopped")


async def write_while_held(
    writer: WriterLock, indexers: list[LogIndexer[Any]], relay: OutboxRelay, stop: asyncio.Event, interval: float
) -> None:
    """Run every indexer and the outbox relay until `stop`, or until the writer lock is lost."""
    writing = asyncio.Event()

    async def until_done(work: Awaitable[None]) -> None:
        try:
            await work
        finally:
            writing.set()  # one stops (lock lost, an error): all stop

    async def watch() -> None:
        await writer.watch(stop)
        writing.set()

    watcher = asyncio.create_task(watch())
    try:
        outcomes = await asyncio.gather(
            *(until_done(indexer.run(writing)) for indexer in indexers),
            until_done(relay_forever(relay, writing, interval)),
            return_exceptions=True,
        )
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    for outcome in outcomes:
        if isinstance(outcome, WriterLostError):
            log.error("writer lock lost; standing by again", error=str(outcome))
            await writer.release()
        elif isinstance(outcome, BaseException):
            raise outcome


async def rebuild_from_store(settings: Settings, name: str) -> Rebuilt:
    """`impactchain indexer rebuild NAME`: the projection derived again from contract_events, the
    chain id taken from the checkpoints and the contracts from that chain's manifest (no node)."""
    collect_rarely()
    assert settings.database_url is not None
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        chain_id = await indexed_chain_id(pool)
        stream = PlatformStream.from_manifest(load_manifest(settings.deployments_dir, chain_id))
        return await rebuild(pool, stream, chain_id, name)
    finally:
        await pool.close()
