"""`impactchain worker` serves the platform metrics it reads from Redis: queue depths and registry
sizes per queue, registered workers, and failed executions counted by the worker itself, including
a work-horse that died without raising. Real Redis, a real forking worker process, real scrapes."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis
from rq import Queue

from impactchain.devstack.ports import free_port
from impactchain.platform_metrics import METRICS, KeeperMetrics, RedisMetricsCollector, record_job_failure
from impactchain.settings import PROJECT_ROOT, Settings

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(url: str) -> Samples:
    """The samples a Prometheus scrape of `url` reads, keyed by series name and labels."""
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (a local http URL)
        text = response.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def jobs(samples: Samples, queue: str) -> dict[str, float]:
    return {
        dict(labels)["state"]: value
        for (name, labels), value in samples.items()
        if name == "impactchain_rq_jobs" and dict(labels)["queue"] == queue
    }


@pytest.fixture
def redis(redis_url: str) -> Iterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def worker_process(settings: Settings) -> Iterator[str]:
    """`impactchain worker` with its metrics on a free port; yields the metrics URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": str(settings.database_url),
        "REDIS_URL": str(settings.redis_url),
        "IMPACTCHAIN_WORKER_METRICS_PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen([sys.executable, "-m", "impactchain", "worker"], cwd=PROJECT_ROOT, env=env)
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        yield url
    finally:
        process.send_signal(signal.SIGTERM)  # RQ's warm shutdown
        assert process.wait(timeout=30) == 0


def wait_for(url: str, done: Callable[[Samples], bool], timeout: float = 60.0) -> Samples:
    """Scrape `url` until `done(samples)` holds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            samples = scrape(url)
            if done(samples):
                return samples
        except OSError:
            pass  # not listening yet
        assert time.monotonic() < deadline, f"{url} never reached the expected state"
        time.sleep(0.2)


def test_a_worker_serves_queue_depths_registries_and_failures(
    redis: Redis, worker_process: str, settings: Settings
) -> None:
    default = Queue(settings.queue_name, connection=redis)
    later = default.enqueue_in(timedelta(hours=1), "operator.add", 1, 1)
    default.enqueue("operator.add", 2, 2, depends_on=later)  # deferred until `later` has run
    for _ in range(2):
        default.enqueue("operator.add", 1, 2)
    default.enqueue("operator.truediv", 1, 0)  # raises ZeroDivisionError in the work-horse
    default.enqueue("os._exit", 3)  # the work-horse dies without raising: the worker process handles it
    keeper = KeeperMetrics(redis)  # what `ape run keeper` records (tests/integration/deploy/test_keeper.py)
    keeper.sent("finalize", "sent")
    keeper.sent("finalize", "reverted")
    keeper.finished_pass("0x" + "ab" * 20, 12 * 10**18 + 1, 1_700_000_000.5)
    other = Queue("reports", connection=redis)  # a queue no worker listens on
    for _ in range(3):
        other.enqueue("operator.add", 1, 1)

    samples = wait_for(
        worker_process, lambda s: (jobs(s, "default").get("failed"), jobs(s, "default").get("finished")) == (2, 2)
    )

    assert jobs(samples, "default") == {
        "queued": 0,
        "started": 0,
        "deferred": 1,
        "scheduled": 1,
        "finished": 2,
        "failed": 2,
        "canceled": 0,
    }
    assert jobs(samples, "reports")["queued"] == 3
    failures = {
        dict(labels)["job"]: value
        for (name, labels), value in samples.items()
        if name == "impactchain_rq_job_failures_total" and dict(labels)["queue"] == "default"
    }
    assert failures == {"operator.truediv": 1, "os._exit": 1}
    assert samples[("impactchain_rq_workers", frozenset({("queue", "default")}))] == 1
    assert samples[("impactchain_rq_workers", frozenset({("queue", "reports")}))] == 0
    assert samples[("impactchain_platform_metrics_redis_up", frozenset())] == 1
    assert samples[("process_open_fds", frozenset())] > 0  # the worker process's own metrics too

    keeper_series = frozenset({("keeper", "0x" + "ab" * 20)})
    assert samples[("impactchain_keeper_balance_wei", keeper_series)] == 12e18
    assert samples[("impactchain_keeper_last_run_timestamp_seconds", keeper_series)] == 1_700_000_000.5
    sends = {
        dict(labels)["outcome"]: value
        for (name, labels), value in samples.items()
        if name == "impactchain_keeper_sends_total" and dict(labels)["kind"] == "finalize"
    }
    assert sends == {"sent": 1, "reverted": 1}
    # What the collector describes (and tests/integration/ops checks the dashboard against) is what it serves.
    described = {spec.name + ("_total" if spec.kind == "counter" else ""): set(spec.labels) for spec in METRICS}
    served = {name: set(dict(labels)) for name, labels in samples if name.startswith("impactchain_")}
    assert served == described

    default.enqueue("operator.truediv", 2, 0)
    samples = wait_for(worker_process, lambda s: jobs(s, "default").get("failed") == 3)
    key = ("impactchain_rq_job_failures_total", frozenset({("queue", "default"), ("job", "operator.truediv")}))
    assert samples[key] == 2


def test_without_a_port_the_worker_serves_nothing(redis: Redis, settings: Settings) -> None:
    from workers.main import serving_metrics

    port = free_port()
    with (
        serving_metrics(settings.model_copy(update={"worker_metrics_port": None})),
        pytest.raises(urllib.error.URLError, match="refused"),
    ):
        scrape(f"http://127.0.0.1:{port}/metrics")
    with serving_metrics(settings.model_copy(update={"worker_metrics_port": port})):
        assert scrape(f"http://127.0.0.1:{port}/metrics")[("impactchain_platform_metrics_redis_up", frozenset())] == 1


def test_a_scrape_while_redis_is_down_says_so_and_recording_carries_on() -> None:
    down = Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=1)
    registry = CollectorRegistry()
    registry.register(RedisMetricsCollector(down, ["default"]))

    assert registry.get_sample_value("impactchain_platform_metrics_redis_up") == 0
    assert registry.get_sample_value("impactchain_rq_jobs", {"queue": "default", "state": "queued"}) is None
    record_job_failure(down, "default", "operator.truediv")  # logged, not raised: the job's failure stands
    KeeperMetrics(down).sent("settle", "sent")
    KeeperMetrics(down).finished_pass("0x" + "ab" * 20, 10**18, time.time())
    with pytest.raises(ValueError, match="unknown keeper outcome"):
        KeeperMetrics(None).sent("settle", "maybe")
