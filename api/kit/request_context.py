"""Each request's id, trace and one log line.

`X-Request-ID` from the caller (a proxy, another service) is kept when it looks like an id,
a fresh one made otherwise; it is bound to every log line the request causes and echoed in the
response. With tracing on (OTEL_EXPORTER_OTLP_ENDPOINT), the OpenTelemetry middleware runs
outside the edge middleware that keeps this context, so the request's log line carries its
trace id too. The line names method, path, status and duration — never the client's address or
the query string.
"""

import re
import time
from random import getrandbits
from typing import Any

import structlog
from litestar.middleware import DefineMiddleware
from litestar.types import Scope

from impactchain import tracing
from impactchain.observability import REQUEST_ID

log = structlog.get_logger("api.request")

REQUEST_ID_HEADER = b"x-request-id"
# What an incoming id may look like: UUIDs, hex, ULIDs, a proxy's dotted ids. Anything else (too
# long, spaces, control characters: a log-injection attempt) is replaced, not echoed.
_ACCEPTED_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
# Polled by load balancers and Prometheus: logged at debug, not once a second at info.
_QUIET_PATHS = frozenset({"/health", "/metrics"})
# Span attributes that would carry the client's address (old and new semantic conventions).
_CLIENT_ATTRIBUTES = ("client.address", "client.port", "net.peer.ip", "net.peer.port", "http.client_ip")


def request_id_of(scope: Scope) -> str:
    """The caller's X-Request-ID when acceptable, else a new random one."""
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER and _ACCEPTED_ID.fullmatch(value):
            return value.decode("ascii")
    # 128 random bits, as 32 hex digits: unique, and not a secret (it names a request in logs), so
    # from the process's seeded generator rather than a getrandom() system call per request.
    return f"{getrandbits(128):032x}"


class RequestContext:
    """One request's id, bound to every log line the request causes while it runs, and its one
    log line at the end (`access_log`; without it only the 5xx answers get a line). The edge
    middleware (api/kit/edge.py) opens and closes it around the app and echoes `header`."""

    __slots__ = ("_bound", "_started", "header", "request_id")

    def __init__(self, scope: Scope) -> None:
        self.request_id = request_id_of(scope)
        self.header = (REQUEST_ID_HEADER, self.request_id.encode("ascii"))
        self._started = time.perf_counter()
        self._bound = REQUEST_ID.set(self.request_id)

    def close(self, method: str, path: str, status: int, access_log: bool) -> None:
        if access_log or status >= 500:
            emit = log.error if status >= 500 else log.debug if path in _QUIET_PATHS else log.info
            emit(
                "request",
                method=method,
                path=path,
                status=status,
                duration_ms=round((time.perf_counter() - self._started) * 1000, 2),
            )
        REQUEST_ID.reset(self._bound)


def _hide_client(span: Any, _scope: dict[str, Any]) -> None:
    if span.is_recording():
        for attribute in _CLIENT_ATTRIBUTES:
            span.set_attribute(attribute, "[redacted]")


def tracing_middleware() -> list[Any]:
    """The outermost middleware: the request's span, when `impactchain api` turned tracing on
    (outside the edge middleware, so the request's log line carries its trace id)."""
    if not tracing.enabled():
        return []
    from litestar.plugins.opentelemetry import OpenTelemetryConfig

    config = OpenTelemetryConfig(
        tracer_provider=tracing.tracer_provider(),
        exclude_spans=["receive", "send"],
        server_request_hook_handler=_hide_client,
    )
    otel: DefineMiddleware = config.middleware
    return [otel]
