"""Requests counted in plain numbers are scraped as prometheus_client's own calls would have
counted them (api/kit/request_metrics.py)."""

import pytest
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from api.kit import request_metrics
from api.kit.request_metrics import APP_NAME, LABELS, PREFIX

# (status, seconds) of the requests recorded: every bucket's edge, between edges, errors.
REQUESTS = [(200, 0.004), (200, 0.005), (200, 0.0051), (404, 0.3), (503, 12.0), (200, 0.0), (503, 0.01), (200, 99.0)]


def _series(text: bytes, path: str) -> list[str]:
    """The exposition's lines for `path`, without the _created ones (each series' first-use time)."""
    return sorted(
        line
        for line in text.decode().splitlines()
        if f'path="{path}"' in line and "_created" not in line and line.startswith(PREFIX)
    )


def _as_prometheus_client_counts(path: str) -> bytes:
    registry = CollectorRegistry()
    requests = Counter(f"{PREFIX}_requests_total", "Total requests", LABELS, registry=registry)
    errors = Counter(f"{PREFIX}_requests_error_total", "Total errors in requests", LABELS, registry=registry)
    duration = Histogram(
        f"{PREFIX}_request_duration_seconds", "Request duration, in seconds", LABELS, registry=registry
    )
    in_progress = Gauge(
        f"{PREFIX}_requests_in_progress", "Total requests currently in progress", LABELS, registry=registry
    )
    in_progress.labels("GET", path, "200", APP_NAME).inc()  # the one still running
    for status, seconds in REQUESTS:
        values = ("GET", path, str(status), APP_NAME)
        requests.labels(*values).inc()
        duration.labels(*values).observe(seconds)
        if status >= 500:
            errors.labels(*values).inc()
    return generate_latest(registry)


def test_a_scrape_shows_what_prometheus_clients_calls_would_have_counted() -> None:
    path = "/test/identical"
    request_metrics.started("GET", path)  # still running at the scrape
    for status, seconds in REQUESTS:
        running = request_metrics.started("GET", path)
        request_metrics.finished(running, "GET", path, status, seconds)

    scraped = _series(generate_latest(REGISTRY), path)

    assert scraped == _series(_as_prometheus_client_counts(path), path)
    assert any(line.startswith(f"{PREFIX}_requests_error_total") for line in scraped)
    # Scraped again: nothing counted twice.
    assert _series(generate_latest(REGISTRY), path) == scraped


def test_with_several_processes_each_request_is_in_the_metrics_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(request_metrics, "_MOVE_AT_ONCE", True)
    path = "/test/at-once"
    running = request_metrics.started("GET", path)
    gauge = request_metrics.IN_PROGRESS.labels("GET", path, "200", APP_NAME)
    assert gauge._value.get() == 1

    request_metrics.finished(running, "GET", path, 200, 0.02)

    assert gauge._value.get() == 0
    assert request_metrics.REQUESTS.labels("GET", path, "200", APP_NAME)._value.get() == 1
