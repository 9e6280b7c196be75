"""The indexer process: wires the RPC client, the database pool, RQ and the loops."""

import asyncio
import contextlib
import signal
from typing import Any

import asyncpg
import structlog
from prometheus_client import start_http_server
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

from impactchain.registry import DeploymentManifest, load_manifest
from impactchain.settings import Settings
from indexer.events import PlatformEvents
from indexer.funding import FundingRounds
from indexer.helpdesk import HelpDeskDonations
from indexer.outbox import OutboxRelay
from indexer.rpc import JsonRpcClient
from indexer.service import IndexerConfig, LogIndexer, Projection

log = structlog.get_logger(__name__)


def indexer_config(settings: Settings) -> IndexerConfig:
    return IndexerConfig(
        max_batch_blocks=settings.indexer_batch_blocks,
        confirmations=settings.indexer_confirmations,
        reorg_window=settings.indexer_reorg_window,
        poll_seconds=settings.indexer_poll_seconds,
    )


def projections(manifest: DeploymentManifest) -> list[Projection[Any]]:
    """What this deployment's indexer follows, each with its own checkpoint: HelpDesk's donations,
    every event of the platform's contracts, and the funding rounds of the factory when the
    manifest has one."""
    followed: list[Projection[Any]] = [
        HelpDeskDonations(manifest.contract("HelpDesk")),
        PlatformEvents.from_manifest(manifest),
    ]
    if "FundingRoundFactory" in manifest.contracts:
        followed.append(FundingRounds.from_manifest(manifest))
    return followed


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


async def run_indexer(settings: Settings, stop: asyncio.Event | None = None) -> None:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    if settings.database_url is None or settings.redis_url is None:
        raise RuntimeError("the indexer needs DATABASE_URL and REDIS_URL")
    rpc = JsonRpcClient(settings.chain_rpc_url)
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=6)
    redis = Redis.from_url(settings.redis_url)
    try:
        chain_id = await rpc.chain_id()
        manifest = load_manifest(settings.deployments_dir, chain_id)
        relay = OutboxRelay(pool, Queue(settings.queue_name, connection=redis))
        indexers = [
            LogIndexer(
                rpc,
                pool,
                projection,
                chain_id=chain_id,
                config=indexer_config(settings),
                after_commit=lambda: flush_quietly(relay),
            )
            for projection in projections(manifest)
        ]
        if settings.indexer_metrics_port:
            start_http_server(settings.indexer_metrics_port, addr="127.0.0.1")
        log.info(
            "indexer started",
            chain_id=chain_id,
            indexers=[indexer.name for indexer in indexers],
            rpc=settings.chain_rpc_url,
            metrics_port=settings.indexer_metrics_port,
        )
        await asyncio.gather(
            *(indexer.run(stop) for indexer in indexers),
            relay_forever(relay, stop, settings.indexer_poll_seconds * 5),
        )
    finally:
        await rpc.close()
        await pool.close()
        redis.close()
        log.info("indexer stopped")
