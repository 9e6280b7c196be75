"""Each request's id, trace and one log line.

`X-Request-ID` from the caller (a proxy, another service) is kept when it looks like an id,
a fresh one made otherwise; it is bound to every log line the request causes and echoed in the
response. With tracing on (OTEL_EXPORTER_OTLP_ENDPOINT), the OpenTelemetry middleware runs
outside this one, so the request's log line carries its trace id too. The line names method,
path, status and duration — never the client's address or the query string.
"""

import os
import re
import time
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

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
    return os.urandom(16).hex()


class RequestContextMiddleware:
    """Binds the request id to the request's logs, echoes it, and logs one line per request
    (`access_log`; without it only the 5xx answers get a line)."""

    def __init__(self, app: ASGIApp, access_log: bool = True) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        header = (REQUEST_ID_HEADER, request_id.encode("ascii"))
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        bound = REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.access_log or status >= 500:
                path = scope["path"]
                emit = log.error if status >= 500 else log.debug if path in _QUIET_PATHS else log.info
                emit(
                    "request",
                    method=scope["method"],
                    path=path,
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            REQUEST_ID.reset(bound)


def _hide_client(span: Any, _scope: dict[str, Any]) -> None:
    if span.is_recording():
        for attribute in _CLIENT_ATTRIBUTES:
            span.set_attribute(attribute, "[redacted]")


def request_middleware(access_log: bool = True) -> list[Any]:
    """The outermost middleware: the request's span (when `impactchain api` turned tracing on),
    then its id and log line."""
    context = DefineMiddleware(RequestContextMiddleware, access_log=access_log)
    if not tracing.enabled():
        return [context]
    from litestar.plugins.opentelemetry import OpenTelemetryConfig

    config = OpenTelemetryConfig(
        tracer_provider=tracing.tracer_provider(),
        exclude_spans=["receive", "send"],
        server_request_hook_handler=_hide_client,
    )
    otel: DefineMiddleware = config.middleware
    return [otel, context]
