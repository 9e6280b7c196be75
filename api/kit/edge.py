"""What every response carries at the edge, and what every request may not exceed:
its request id, security headers, a Cache-Control fitted to the route, an ETag (and 304 on a
match), and a cap on the request head's size."""

import hashlib
from collections.abc import Sequence
from typing import Any, cast

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.kit.request_context import RequestContext

# A JSON API: no document a browser should render, frame or sniff. The OpenAPI UIs under
# /schema load their scripts and styles from a CDN and get a CSP that allows exactly that.
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
]
_API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
_DOCS_CSP = (
    b"content-security-policy",
    b"default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    b"font-src https://fonts.gstatic.com; img-src 'self' data: https://cdn.jsdelivr.net https://cdn.redoc.ly; "
    b"connect-src 'self'; worker-src blob:; frame-ancestors 'none'",
)

NO_STORE = b"no-store"
# Reads of indexed data change as blocks arrive: a cache may keep them but must revalidate
# (a cheap 304 thanks to the ETag).
REVALIDATE = b"no-cache"
# (path prefix, Cache-Control) — the first match wins; anything else is REVALIDATE.
CACHE_POLICY: Sequence[tuple[str, bytes]] = (
    ("/v1/tx/", NO_STORE),
    ("/health", NO_STORE),
    ("/metrics", NO_STORE),
    ("/v1/status", NO_STORE),
    ("/v1/contracts", b"public, max-age=60"),
    ("/schema", b"public, max-age=300"),
)


def cache_control_for(path: str) -> bytes:
    for prefix, policy in CACHE_POLICY:
        if path.startswith(prefix):
            return policy
    return REVALIDATE


class EdgeMiddleware:
    """Around the whole app: the request's context (its id, echoed, and its log line), security
    headers and Cache-Control on every response, and an ETag on every successful GET, answered
    with 304 when it matches If-None-Match (the body is hashed once, after encoding). One layer
    and one wrapped `send` for all of it: each layer costs every request a coroutine and a call
    per message."""

    def __init__(self, app: ASGIApp, access_log: bool = True) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        context = RequestContext(scope)
        headers = [*SECURITY_HEADERS, _DOCS_CSP if path.startswith("/schema") else _API_CSP, context.header]
        if scope["method"] in ("GET", "HEAD"):
            edge = _EdgeSend(send, headers, cache_control_for(path), tagged=True, if_none_match=_if_none_match(scope))
        else:
            edge = _EdgeSend(send, headers, NO_STORE, tagged=False, if_none_match=None)
        try:
            await self.app(scope, receive, edge)
        finally:
            context.close(scope["method"], path, edge.status, self.access_log)


def _if_none_match(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            return bytes(value)
    return None


class _EdgeSend:
    """Holds the response start until the body is known, to add the edge's headers and, when
    `tagged`, its ETag (2xx only) or turn it into a 304. `status` is what was answered (500
    until a response starts)."""

    __slots__ = ("_cache_control", "_headers", "_if_none_match", "_send", "_start", "_tagged", "status")

    def __init__(
        self,
        send: Send,
        headers: list[tuple[bytes, bytes]],
        cache_control: bytes,
        *,
        tagged: bool,
        if_none_match: bytes | None,
    ) -> None:
        self._send = send
        self._headers = headers
        self._cache_control = cache_control
        self._tagged = tagged
        self._if_none_match = if_none_match
        self._start: Any = None
        self.status = 500

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._start = message
            self.status = message["status"]
            return
        start = self._start
        if start is None or message["type"] != "http.response.body":
            await self._send(message)
            return
        self._start = None
        status: int = start["status"]
        response_headers = [h for h in start.get("headers", ()) if h[0].lower() != b"cache-control"]
        response_headers += self._headers
        if not self._tagged or not 200 <= status < 300 or message.get("more_body", False):
            # Errors are never cached; a streamed body is sent as it comes, without an ETag.
            response_headers.append((b"cache-control", NO_STORE if status >= 400 else self._cache_control))
            await self._send(cast(Any, {**start, "headers": response_headers}))
            await self._send(message)
            return
        # SHA-1 as a content fingerprint, not a signature: with the CPU's SHA instructions it is
        # the cheapest collision-safe hash hashlib offers (16 KiB: ~26 us, BLAKE2b ~36 us).
        digest = hashlib.sha1(message.get("body", b""), usedforsecurity=False).hexdigest()
        etag = b'"' + digest.encode() + b'"'
        response_headers += [(b"etag", etag), (b"cache-control", self._cache_control)]
        if self._if_none_match is not None and _matches(self._if_none_match, etag):
            kept = [h for h in response_headers if h[0].lower() not in (b"content-length", b"content-type")]
            await self._send(cast(Any, {"type": "http.response.start", "status": 304, "headers": kept}))
            await self._send(cast(Any, {"type": "http.response.body", "body": b"", "more_body": False}))
            return
        await self._send(cast(Any, {**start, "headers": response_headers}))
        await self._send(message)


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    if if_none_match.strip() == b"*":
        return True
    return any(candidate.strip().removeprefix(b"W/") == etag for candidate in if_none_match.split(b","))


class RequestHeadLimitMiddleware:
    """Refuses with 431 a request whose header lines add up to more than `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and sum(len(k) + len(v) + 4 for k, v in scope["headers"]) > self.max_bytes:
            body = (
                b'{"type":"about:blank","title":"Request Header Fields Too Large","status":431,'
                b'"detail":"the request headers are larger than this API accepts","errors":[]}'
            )
            await send(
                cast(
                    Any,
                    {
                        "type": "http.response.start",
                        "status": 431,
                        "headers": [
                            (b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"cache-control", NO_STORE),
                            (b"connection", b"close"),
                        ],
                    },
                )
            )
            await send(cast(Any, {"type": "http.response.body", "body": body}))
            return
        await self.app(scope, receive, send)
