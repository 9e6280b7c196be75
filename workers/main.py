"""The worker process: one real (forking) RQ worker on the configured queue, and, when
IMPACTCHAIN_WORKER_METRICS_PORT is set, the platform's Redis-held metrics for Prometheus."""

import inspect
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

import structlog
from opentelemetry.trace import Status, StatusCode
from prometheus_client import CollectorRegistry, GCCollector, ProcessCollector, start_http_server
from redis import Redis
from rq import Queue, Worker
from rq.exceptions import DeserializationError
from rq.executions import Execution
from rq.job import Job
from rq.registry import StartedJobRegistry

from impactchain import tracing
from impactchain.platform_metrics import RedisMetricsCollector, record_job_failure
from impactchain.settings import Settings

log = structlog.get_logger(__name__)


class ObservedWorker(Worker):
    """RQ's forking worker, with each job one span (`job <function>`, flushed before the work-horse
    exits) and the job's id, function and arguments (the event's chain identity) on its log lines."""

    def perform_job(self, job: Job, queue: Queue, execution: Execution) -> bool:
        fields = job_fields(job)
        started = time.perf_counter()
        with structlog.contextvars.bound_contextvars(**fields), tracing.job_span(str(fields["job"]), fields) as span:
            succeeded = super().perform_job(job, queue, execution)
            if span is not None and not succeeded:
                span.set_status(Status(StatusCode.ERROR, "job failed"))
            log.log(
                logging.INFO if succeeded else logging.ERROR,
                "job finished" if succeeded else "job failed",
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
        return succeeded

    def handle_job_failure(
        self,
        job: Job,
        queue: Queue,
        started_job_registry: StartedJobRegistry | None = None,
        exc_string: str = "",
        execution: Execution | None = None,
    ) -> None:
        """RQ's failure handling, then one more failed execution counted in Redis. RQ calls this in
        the work-horse when the job raised, and in this process when the work-horse died (killed,
        out of memory, past its timeout), which an exception handler would not see."""
        super().handle_job_failure(job, queue, started_job_registry, exc_string, execution)
        try:
            function = job.func_name or "?"
        except DeserializationError:  # as RQ's own handle_exception guards: the job's data is unreadable
            function = "<undeserializable>"
        record_job_failure(self.connection, queue.name, function)


def job_fields(job: Job) -> dict[str, str | int]:
    """The job's id and function, and its plain (str/int) arguments by parameter name."""
    fields: dict[str, str | int] = {"job_id": job.id, "job": job.func_name or "?"}
    try:
        bound = inspect.signature(job.func).bind_partial(*job.args, **job.kwargs)
    except (TypeError, ValueError, AttributeError, ImportError):
        return fields  # the job itself will fail, and say why
    for name, value in bound.arguments.items():
        if isinstance(value, str | int) and not isinstance(value, bool) and name not in fields:
            fields[name] = value
    return fields


def run_worker(settings: Settings, *, burst: bool = False) -> bool:
    """Work jobs until SIGINT/SIGTERM (or, with `burst`, until the queue is empty)."""
    if settings.redis_url is None or settings.database_url is None:
        raise RuntimeError("the worker needs REDIS_URL and DATABASE_URL")
    redis = Redis.from_url(settings.redis_url)
    worker = ObservedWorker([Queue(settings.queue_name, connection=redis)], connection=redis)
    log.info("worker started", queue=settings.queue_name)
    try:
        with serving_metrics(settings):
            return bool(worker.work(burst=burst, logging_level="WARNING"))
    finally:
        redis.close()


@contextmanager
def serving_metrics(settings: Settings) -> Iterator[None]:
    """Serve the platform metrics (and this process's) on the settings' metrics port, if one is set.
    The scrape thread has its own Redis client: the work-horses this process forks
    never share a connection pool with it."""
    if settings.worker_metrics_port is None or settings.redis_url is None:
        yield
        return
    redis = Redis.from_url(settings.redis_url, socket_timeout=5)
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    GCCollector(registry=registry)
    registry.register(RedisMetricsCollector(redis, [settings.queue_name]))
    server, thread = start_http_server(settings.worker_metrics_port, settings.worker_metrics_host, registry)
    log.info("worker metrics served", host=settings.worker_metrics_host, port=settings.worker_metrics_port)
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        redis.close()
