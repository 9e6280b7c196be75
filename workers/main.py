"""The worker process: one real (forking) RQ worker on the configured queue."""

import inspect
import logging
import time

import structlog
from opentelemetry.trace import Status, StatusCode
from redis import Redis
from rq import Queue, Worker
from rq.executions import Execution
from rq.job import Job

from impactchain import tracing
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
        return bool(worker.work(burst=burst, logging_level="WARNING"))
    finally:
        redis.close()
