"""The worker process: one real (forking) RQ worker on the configured queue."""

import structlog
from redis import Redis
from rq import Queue, Worker

from impactchain.settings import Settings

log = structlog.get_logger(__name__)


def run_worker(settings: Settings, *, burst: bool = False) -> bool:
    """Work jobs until SIGINT/SIGTERM (or, with `burst`, until the queue is empty)."""
    if settings.redis_url is None or settings.database_url is None:
        raise RuntimeError("the worker needs REDIS_URL and DATABASE_URL")
    redis = Redis.from_url(settings.redis_url)
    worker = Worker([Queue(settings.queue_name, connection=redis)], connection=redis)
    log.info("worker started", queue=settings.queue_name)
    try:
        return bool(worker.work(burst=burst, logging_level="WARNING"))
    finally:
        redis.close()
