"""Request counts and latencies per route template, as Litestar's Prometheus plugin names them
(`impactchain_api_requests_total`, `_request_duration_seconds`, `_requests_in_progress`,
`_requests_error_total`; labels method, path, status_code, app_name), at a fraction of its cost
per request: no Request object, no wrapper built per request. Recorded by the route guard
(api/kit/route_guard.py).

A request adds to plain numbers kept per label set (a count, a sum, a bucket, the requests in
progress); they are moved into prometheus_client's metrics when the registry is collected (a
scrape), not per request. Its public calls cost a request three or four Python calls and a lock
per metric (measured: ~26k instructions of a ~365k-instruction round read, against ~3k here). With
several worker processes (PROMETHEUS_MULTIPROC_DIR), where another process serves the scrape from
the files each one writes, every request's numbers are moved at once."""

from bisect import bisect_left
from collections.abc import Iterable
from typing import Any

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from prometheus_client.values import ValueClass

APP_NAME = "impactchain-api"
PREFIX = "impactchain_api"
EXCLUDED = "/metrics"
LABELS = ("method", "path", "status_code", "app_name")


class _MoveBeforeCollecting(Collector):
    """Registered before the request metrics, so the registry (which collects in registration
    order) collects this first: the numbers not yet moved are moved, then the metrics collected."""

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterable[Metric]:
        move_all()
        return []


REGISTRY.register(_MoveBeforeCollecting())
REQUESTS = Counter(f"{PREFIX}_requests_total", "Total requests", LABELS)
ERRORS = Counter(f"{PREFIX}_requests_error_total", "Total errors in requests", LABELS)
DURATION = Histogram(f"{PREFIX}_request_duration_seconds", "Request duration, in seconds", LABELS)
IN_PROGRESS = Gauge(
    f"{PREFIX}_requests_in_progress", "Total requests currently in progress", LABELS, multiprocess_mode="livesum"
)
_UPPER_BOUNDS: list[float] = DURATION._upper_bounds  # the histogram's buckets, +Inf last
# Whether another process may serve the scrape (prometheus_client chose its values at import).
_MOVE_AT_ONCE: bool = ValueClass._multiprocess


class Finished:
    """A label set's requests not yet moved into prometheus_client's metrics."""

    __slots__ = ("buckets", "count", "duration", "error", "errors", "requests", "sum")

    def __init__(self, method: str, path: str, status: int) -> None:
        values = (method, path, str(status), APP_NAME)
        # Made at first use, as before: each series' _created is its first request's time.
        self.requests: Any = REQUESTS.labels(*values)
        self.duration: Any = DURATION.labels(*values)
        self.error: Any = ERRORS.labels(*values) if status >= 500 else None
        self.count = self.errors = 0
        self.sum = 0.0
        self.buckets = [0] * len(_UPPER_BOUNDS)

    def move(self) -> None:
        count, self.count = self.count, 0
        if not count:
            return
        # As Counter.inc and Histogram.observe do it, by the count of requests at once.
        self.requests._value.inc(count)
        if self.error is not None:
            self.error._value.inc(count)
        self.duration._sum.inc(self.sum)
        self.sum = 0.0
        buckets = self.buckets
        for index, added in enumerate(buckets):
            if added:
                self.duration._buckets[index].inc(added)
                buckets[index] = 0


class Running:
    """A route's requests in progress, not yet moved into the gauge (started minus finished)."""

    __slots__ = ("added", "gauge")

    def __init__(self, method: str, path: str) -> None:
        self.gauge: Any = IN_PROGRESS.labels(method, path, "200", APP_NAME)
        self.added = 0

    def move(self) -> None:
        added, self.added = self.added, 0
        if added:
            self.gauge._value.inc(added)


_finished: dict[tuple[str, str, int], Finished] = {}
_running: dict[tuple[str, str], Running] = {}


def started(method: str, path: str) -> Running:
    """Count a request of `method` on the route `path` in progress; `finished` ends it."""
    key = (method, path)
    running = _running.get(key)
    if running is None:
        running = _running[key] = Running(method, path)
    running.added += 1
    if _MOVE_AT_ONCE:
        running.move()
    return running


def finished(running: Running, method: str, path: str, status: int, seconds: float) -> None:
    """Count a request that ended with `status` after `seconds`."""
    running.added -= 1
    key = (method, path, status)
    tally = _finished.get(key)
    if tally is None:
        tally = _finished[key] = Finished(method, path, status)
    tally.count += 1
    tally.sum += seconds
    tally.buckets[bisect_left(_UPPER_BOUNDS, seconds)] += 1  # the first bucket whose bound >= seconds
    if _MOVE_AT_ONCE:
        running.move()
        tally.move()


def move_all() -> None:
    """Move every request's numbers into prometheus_client's metrics (before a scrape reads them)."""
    for running in list(_running.values()):
        running.move()
    for tally in list(_finished.values()):
        tally.move()
