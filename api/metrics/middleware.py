"""Request counts and latencies per route template, as Litestar's Prometheus plugin names them
(`impactchain_api_requests_total`, `_request_duration_seconds`, `_requests_in_progress`,
`_requests_error_total`; labels method, path, status_code, app_name), at a fraction of its cost
per request: no Request object, no wrapper built per request, each label set's child looked up
once and kept."""

import time
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import Counter, Gauge, Histogram

APP_NAME = "impactchain-api"
PREFIX = "impactchain_api"
EXCLUDED = "/metrics"
LABELS = ("method", "path", "status_code", "app_name")

REQUESTS = Counter(f"{PREFIX}_requests_total", "Total requests", LABELS)
ERRORS = Counter(f"{PREFIX}_requests_error_total", "Total errors in requests", LABELS)
DURATION = Histogram(f"{PREFIX}_request_duration_seconds", "Request duration, in seconds", LABELS)
IN_PROGRESS = Gauge(
    f"{PREFIX}_requests_in_progress", "Total requests currently in progress", LABELS, multiprocess_mode="livesum"
)

_children: dict[tuple[str, str, int], tuple[Any, Any, Any | None]] = {}
_in_progress: dict[tuple[str, str], Any] = {}


def _finished(method: str, path: str, status: int) -> tuple[Any, Any, Any | None]:
    key = (method, path, status)
    children = _children.get(key)
    if children is None:
        values = (method, path, str(status), APP_NAME)
        error = ERRORS.labels(*values) if status >= 500 else None
        children = _children[key] = (REQUESTS.labels(*values), DURATION.labels(*values), error)
    return children


def _running(method: str, path: str) -> Any:
    gauge = _in_progress.get((method, path))
    if gauge is None:
        gauge = _in_progress[(method, path)] = IN_PROGRESS.labels(method, path, "200", APP_NAME)
    return gauge


class RequestMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["path"].startswith(EXCLUDED):
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        path: str = scope.get("path_template") or scope["path"]
        started = time.perf_counter()
        outcome = {"status": 500, "seconds": 0.0}

        async def observed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome["status"] = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                outcome["seconds"] = time.perf_counter() - started
            await send(message)

        running = _running(method, path)
        running.inc()
        try:
            await self.app(scope, receive, observed_send)
        finally:
            running.dec()
            seconds = outcome["seconds"] or time.perf_counter() - started
            count, duration, error = _finished(method, path, int(outcome["status"]))
            count.inc()
            duration.observe(seconds)
            if error is not None:
                error.inc()
