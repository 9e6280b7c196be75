"""Platform metrics kept in Redis and exported when Prometheus scrapes: RQ's queues, registries
and workers, the job failures workers count, and the keeper's sends, balance and last run.

A worker's forked work-horse and the short-lived keeper (`ape run keeper`) cannot hold a
Prometheus counter until the next scrape, so they add to Redis hashes instead (`record_job_failure`,
`KeeperMetrics`); `RedisMetricsCollector` reads those and RQ's own keys in two round trips at scrape
time. `impactchain worker` serves it on IMPACTCHAIN_WORKER_METRICS_PORT. Every worker exports the
same platform-wide values, so dashboards and alerts aggregate with `max`, never `sum`.

Recording never gets in the way of the work: a Redis error while counting is logged and dropped.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import structlog
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from redis import Redis, RedisError
from rq import Queue
from rq.registry import (
    BaseRegistry,
    CanceledJobRegistry,
    DeferredJobRegistry,
    FailedJobRegistry,
    FinishedJobRegistry,
    ScheduledJobRegistry,
    StartedJobRegistry,
)
from rq.worker_registration import WORKERS_BY_QUEUE_KEY

log = structlog.get_logger(__name__)

KEY_PREFIX = "impactchain:metrics"
# Hashes; their fields are JSON arrays of the label values (readable in redis-cli, no separator to escape).
JOB_FAILURES_KEY = f"{KEY_PREFIX}:rq:job_failures"  # [queue, job function] -> failed executions
KEEPER_SENDS_KEY = f"{KEY_PREFIX}:keeper:sends"  # [kind, outcome] -> transactions
KEEPER_BALANCE_KEY = f"{KEY_PREFIX}:keeper:balance_wei"  # keeper address -> wei, a decimal integer
KEEPER_LAST_RUN_KEY = f"{KEY_PREFIX}:keeper:last_run"  # keeper address -> unix seconds of its last pass

# A job's states besides `queued` (the queue's list), each one of RQ's registries (sorted sets).
REGISTRIES: dict[str, type[BaseRegistry]] = {
    "started": StartedJobRegistry,
    "deferred": DeferredJobRegistry,
    "scheduled": ScheduledJobRegistry,
    "finished": FinishedJobRegistry,
    "failed": FailedJobRegistry,
    "canceled": CanceledJobRegistry,
}
JOB_STATES = ("queued", *REGISTRIES)

# What a keeper's transaction came to: mined, reverted (someone settled it first: skipped), or an
# error the keeper could not get past (RPC, gas, nonce; it stops the run).
KEEPER_OUTCOMES = ("sent", "reverted", "error")


@dataclass(frozen=True, slots=True)
class MetricSpec:
    name: str
    kind: str  # "gauge" or "counter"
    documentation: str
    labels: tuple[str, ...]

    def family(self) -> GaugeMetricFamily | CounterMetricFamily:
        if self.kind == "counter":
            return CounterMetricFamily(self.name, self.documentation, labels=self.labels)
        return GaugeMetricFamily(self.name, self.documentation, labels=self.labels)


RQ_JOBS = MetricSpec(
    "impactchain_rq_jobs",
    "gauge",
    "Jobs per RQ queue and state: queued (the queue's length), started, deferred, scheduled, finished, "
    "failed, canceled (RQ's registries; finished and failed until their TTL)",
    ("queue", "state"),
)
RQ_WORKERS = MetricSpec("impactchain_rq_workers", "gauge", "RQ workers registered on each queue", ("queue",))
RQ_JOB_FAILURES = MetricSpec(
    "impactchain_rq_job_failures",
    "counter",
    "Failed job executions (an exception, a timeout or a killed work-horse), per queue and job function",
    ("queue", "job"),
)
KEEPER_SENDS = MetricSpec(
    "impactchain_keeper_sends",
    "counter",
    "Keeper transactions by kind (the contract function: settle, finalize, openStream, offsetCarbon, "
    "sendStuckCarbonToDao) and outcome (sent, reverted, error)",
    ("kind", "outcome"),
)
KEEPER_BALANCE = MetricSpec(
    "impactchain_keeper_balance_wei",
    "gauge",
    "Native balance of each keeper account at its last pass, in wei (a float: exact to ~1e-16)",
    ("keeper",),
)
KEEPER_LAST_RUN = MetricSpec(
    "impactchain_keeper_last_run_timestamp_seconds",
    "gauge",
    "When each keeper account last finished a pass, unix seconds",
    ("keeper",),
)
REDIS_UP = MetricSpec(
    "impactchain_platform_metrics_redis_up",
    "gauge",
    "1 when this scrape read the platform metrics from Redis, 0 when Redis did not answer",
    (),
)
METRICS = (RQ_JOBS, RQ_WORKERS, RQ_JOB_FAILURES, KEEPER_SENDS, KEEPER_BALANCE, KEEPER_LAST_RUN, REDIS_UP)


def _field(*labels: str) -> str:
    return json.dumps(labels)


def _labels(field: bytes | str) -> list[str]:
    return [str(label) for label in json.loads(field)]


def record_job_failure(redis: Redis, queue: str, job: str) -> None:
    """Count one failed execution of `job` on `queue`."""
    try:
        redis.hincrby(JOB_FAILURES_KEY, _field(queue, job), 1)
    except RedisError as exc:
        log.warning("job failure not counted", queue=queue, function=job, error=str(exc))


class KeeperMetrics:
    """What a keeper run adds to Redis: each transaction by kind and outcome, and after each pass
    its account's balance (wei, kept exact) and the time. Without Redis it records nothing."""

    def __init__(self, redis: Redis | None) -> None:
        self.redis = redis

    def sent(self, kind: str, outcome: str) -> None:
        if outcome not in KEEPER_OUTCOMES:
            raise ValueError(f"unknown keeper outcome {outcome!r}; one of {KEEPER_OUTCOMES}")
        if self.redis is None:
            return
        try:
            self.redis.hincrby(KEEPER_SENDS_KEY, _field(kind, outcome), 1)
        except RedisError as exc:
            log.warning("keeper send not counted", kind=kind, outcome=outcome, error=str(exc))

    def finished_pass(self, keeper: str, balance_wei: int, at: float) -> None:
        if self.redis is None:
            return
        try:
            with self.redis.pipeline() as pipeline:
                pipeline.hset(KEEPER_BALANCE_KEY, keeper, str(balance_wei))
                pipeline.hset(KEEPER_LAST_RUN_KEY, keeper, repr(at))
                pipeline.execute()
        except RedisError as exc:
            log.warning("keeper pass not recorded", keeper=keeper, error=str(exc))


class RedisMetricsCollector(Collector):
    """Reads the metrics above from Redis on every scrape: the queues RQ knows (`rq:queues`) plus
    `queue_names`, without RQ's registry cleanup (a scrape changes nothing; workers clean up)."""

    def __init__(self, redis: Redis, queue_names: Iterable[str] = ()) -> None:
        self.redis = redis
        self.queue_names = tuple(queue_names)

    def describe(self) -> Iterable[Metric]:
        return [spec.family() for spec in METRICS]

    def collect(self) -> Iterator[Metric]:
        up = REDIS_UP.family()
        try:
            families = self._read()
        except RedisError as exc:
            log.warning("platform metrics unavailable", error=str(exc))
            families = []
        up.add_metric([], 1 if families else 0)
        yield from families
        yield up

    def _read(self) -> list[Metric]:
        known = {_text(name) for name in self.redis.smembers(Queue.redis_queues_keys)}
        prefix = Queue.redis_queue_namespace_prefix
        queues = sorted({key.removeprefix(prefix) for key in known} | set(self.queue_names))
        with self.redis.pipeline(transaction=False) as pipeline:
            for queue in queues:
                pipeline.llen(prefix + queue)
                for registry in REGISTRIES.values():
                    pipeline.zcard(registry.key_template.format(queue))
                pipeline.scard(WORKERS_BY_QUEUE_KEY % queue)
            for key in (JOB_FAILURES_KEY, KEEPER_SENDS_KEY, KEEPER_BALANCE_KEY, KEEPER_LAST_RUN_KEY):
                pipeline.hgetall(key)
            replies = pipeline.execute()
        jobs, workers = RQ_JOBS.family(), RQ_WORKERS.family()
        per_queue = len(JOB_STATES) + 1  # each state's count, then the workers
        for index, queue in enumerate(queues):
            *counts, worker_count = replies[index * per_queue : (index + 1) * per_queue]
            for state, count in zip(JOB_STATES, counts, strict=True):
                jobs.add_metric([queue, state], count)
            workers.add_metric([queue], worker_count)
        failures, sends, balances, last_runs = replies[len(queues) * per_queue :]
        return [
            jobs,
            workers,
            _labelled(RQ_JOB_FAILURES, failures),
            _labelled(KEEPER_SENDS, sends),
            _per_keeper(KEEPER_BALANCE, balances),
            _per_keeper(KEEPER_LAST_RUN, last_runs),
        ]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _labelled(spec: MetricSpec, counts: dict[bytes, bytes]) -> Metric:
    family = spec.family()
    for field, count in sorted(counts.items()):
        family.add_metric(_labels(field), int(count))
    return family


def _per_keeper(spec: MetricSpec, values: dict[bytes, bytes]) -> Metric:
    family = spec.family()
    for keeper, value in sorted(values.items()):
        family.add_metric([_text(keeper)], float(value))
    return family
