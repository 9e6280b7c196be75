"""What every routed request passes through, in one layer inside CORS (so a browser can read a
429): the cap on the request head's size (431), the client's rate limit (429, api/kit/rate_limit.py)
and the request's metrics by route template (api/kit/request_metrics.py).

One layer instead of three: each costs every request a coroutine, and each wrapped `send` a call
per message (measured in bench/api_load)."""

import time
from collections.abc import Coroutine
from typing import Any, cast

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from api.kit import request_metrics
from api.kit.client_address import ClientAddress
from api.kit.rate_limit import EXEMPT_PREFIXES, RateLimiter, too_many_requests, too_many_requests_answer

# A whole response: status, headers, body.
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]

_HEAD_TOO_LARGE = (
    b'{"type":"about:blank","title":"Request Header Fields Too Large","status":431,'
    b'"detail":"the request headers are larger than this API accepts","errors":[]}'
)


class RouteGuard:
    """Refuses a head over `max_header_bytes` (431) and a client over its limit (429), then
    counts and times the request under its route template (`scope["path_template"]`). Used by
    the per-route middleware below and by the edge's direct reads (api/kit/direct_reads.py)."""

    def __init__(self, max_header_bytes: int, client_address: ClientAddress | None = None) -> None:
        self.max_header_bytes = max_header_bytes
        self.client_address = client_address or ClientAddress()

    async def __call__(self, app: ASGIApp, scope: HTTPScope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if path.startswith(request_metrics.EXCLUDED):
            await self._guarded(app, scope, receive, send, path)
            return
        method: str = scope["method"]
        template: str = scope.get("path_template") or path
        observed = _ObservedSend(send)
        started = time.perf_counter()
        running = request_metrics.started(method, template)
        try:
            await self._guarded(app, scope, receive, observed, path)
        finally:
            seconds = (observed.finished or time.perf_counter()) - started
            request_metrics.finished(running, method, template, observed.status, seconds)

    async def _guarded(self, app: ASGIApp, scope: HTTPScope, receive: Receive, send: Send, path: str) -> None:
        if sum(len(name) + len(value) + 4 for name, value in scope["headers"]) > self.max_header_bytes:
            await _head_too_large(send)
            return
        limiter: RateLimiter | None = scope["litestar_app"].state.get("rate_limiter")
        if limiter is not None and not path.startswith(EXEMPT_PREFIXES):
            verdict = await limiter.check(self.client_address.of(scope), path)
            if not verdict.allowed:
                await too_many_requests(send, verdict.retry_after_seconds)
                return
        await app(scope, receive, send)

    async def answer(
        self, scope: HTTPScope, limiter: RateLimiter | None, template: str, read: Coroutine[Any, Any, Answer]
    ) -> Answer:
        """For the server's direct path (api/server.py): a GET of a routed path whose head the
        caller has checked against `max_header_bytes`, rate-limited and counted as above, its
        answer (`read`, awaited only when the request is allowed) returned instead of sent."""
        started = time.perf_counter()
        running = request_metrics.started("GET", template)
        status = 500
        try:
            if limiter is not None:
                verdict = await limiter.check(self.client_address.of(scope), scope["path"])
                if not verdict.allowed:
                    answer = too_many_requests_answer(verdict.retry_after_seconds)
                    status = answer[0]
                    return answer
            answer = await read
            status = answer[0]
            return answer
        finally:
            read.close()  # a read never awaited (refused, or the limiter failed) is discarded; else a no-op
            request_metrics.finished(running, "GET", template, status, time.perf_counter() - started)


class RouteGuardMiddleware:
    """The route guard around each route handler, inside CORS."""

    def __init__(self, app: ASGIApp, guard: RouteGuard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        await self.guard(self.app, scope, receive, send)


class _ObservedSend:
    """`send`, noting the status answered (500 until a response starts) and when the body ended."""

    __slots__ = ("_send", "finished", "status")

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status = 500
        self.finished = 0.0

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body" and not message.get("more_body", False):
            self.finished = time.perf_counter()
        await self._send(message)


async def _head_too_large(send: Send) -> None:
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(_HEAD_TOO_LARGE)).encode()),
        (b"cache-control", b"no-store"),
        (b"connection", b"close"),
    ]
    await send(cast(Any, {"type": "http.response.start", "status": 431, "headers": headers}))
    await send(cast(Any, {"type": "http.response.body", "body": _HEAD_TOO_LARGE}))
