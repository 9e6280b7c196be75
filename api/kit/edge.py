"""What every response carries at the edge: its request id, security headers, a Cache-Control
fitted to the route, an ETag (and 304 on a match), and brotli or gzip when the client asks."""

import hashlib
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import brotli
from litestar.datastructures import State
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from api.kit.direct_reads import DirectRead, DirectReads, answer, sends_to_litestar
from api.kit.rate_limit import EXEMPT_PREFIXES, RateLimiter
from api.kit.request_context import RequestContext
from api.kit.route_guard import Answer

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


_POLICY_PREFIXES = tuple(prefix for prefix, _ in CACHE_POLICY)


def cache_control_for(path: str) -> bytes:
    if not path.startswith(_POLICY_PREFIXES):  # the reads: one call instead of a call per prefix
        return REVALIDATE
    for prefix, policy in CACHE_POLICY:
        if path.startswith(prefix):
            return policy
    return REVALIDATE


@dataclass(frozen=True, slots=True)
class Compression:
    """Fast levels: a 22 KB page costs brotli 2 ~60 us (q4: ~115 us, 2% smaller) and gzip 1
    ~50 us (level 6: ~95 us, 9% smaller) on this kind of machine, about what the rest of the
    request costs; bodies under `minimum_size` are sent as they are."""

    brotli_quality: int = 2
    gzip_level: int = 1
    minimum_size: int = 1024

    def encoding_for(self, accept_encoding: bytes | None) -> bytes | None:
        """br when the client takes it, else gzip when it takes that, else None. Taking means
        named (or `*`) without `q=0`: `br;q=0` is a refusal (RFC 9110 §12.5.3)."""
        if not accept_encoding:
            return None
        if b";" not in accept_encoding:  # the usual header ("gzip, deflate, br"): no weights to read
            codings = {coding.strip().lower() for coding in accept_encoding.split(b",")}
            refused: set[bytes] = set()
        else:
            codings, refused = _weighed_codings(accept_encoding)
        for encoding in (b"br", b"gzip"):
            if encoding in codings or (b"*" in codings and encoding not in refused):
                return encoding
        return None

    def compress(self, body: bytes, encoding: bytes) -> bytes:
        if encoding == b"br":
            return bytes(brotli.compress(body, quality=self.brotli_quality, mode=brotli.MODE_TEXT))
        compressor = zlib.compressobj(self.gzip_level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        return compressor.compress(body) + compressor.flush()


def _weighed_codings(accept_encoding: bytes) -> tuple[set[bytes], set[bytes]]:
    """The content codings an Accept-Encoding header takes, and those it refuses (`q=0`)."""
    taken: set[bytes] = set()
    refused: set[bytes] = set()
    for item in accept_encoding.split(b","):
        coding, *parameters = (part.strip() for part in item.split(b";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition(b"=")
            if name.strip().lower() == b"q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = 0.0  # an unreadable weight takes nothing
        (taken if weight > 0 else refused).add(coding.lower())
    return taken - refused, refused


class EdgeMiddleware:
    """Around the whole app: the request's context (its id, echoed, and its log line), security
    headers and Cache-Control on every response, an ETag on every successful GET, answered with
    304 when it matches If-None-Match (the body is hashed once, after encoding, and before
    compressing: a revalidated page is never compressed), and a body of `minimum_size` or more
    compressed when Accept-Encoding asks. One layer and one wrapped `send` for all of it: each
    layer costs every request a coroutine and a call per message. The hot reads are answered here
    when their input is plainly valid (`direct_reads`), everything else by the app."""

    def __init__(
        self,
        app: ASGIApp,
        access_log: bool = True,
        compression: Compression | None = None,
        direct_reads: DirectReads | None = None,
    ) -> None:
        self.app = app
        self.access_log = access_log
        self.compression = compression
        self.direct_reads = direct_reads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        context = RequestContext(scope)
        headers = [*SECURITY_HEADERS, _DOCS_CSP if path.startswith("/schema") else _API_CSP, context.header]
        if_none_match = accept_encoding = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = bytes(value)
            elif name == b"accept-encoding":
                accept_encoding = bytes(value)
        encoding = self.compression.encoding_for(accept_encoding) if self.compression is not None else None
        if scope["method"] in ("GET", "HEAD"):
            edge = _EdgeSend(send, headers, cache_control_for(path), if_none_match, self.compression, encoding)
        else:
            edge = _EdgeSend(send, headers, NO_STORE, None, self.compression, encoding, tagged=False)
        try:
            if self.direct_reads is None or not await self.direct_reads.serve(scope, receive, edge):
                await self.app(scope, receive, edge)
        finally:
            context.close(scope["method"], path, edge.status, self.access_log)


class _EdgeSend:
    """Holds the response start until the body is known, to add the edge's headers and, when
    `tagged`, its ETag (2xx only) or turn it into a 304, and to compress the body. `status` is
    what was answered (500 until a response starts)."""

    __slots__ = (
        "_cache_control",
        "_compression",
        "_encoding",
        "_headers",
        "_if_none_match",
        "_send",
        "_start",
        "_tagged",
        "status",
    )

    def __init__(
        self,
        send: Send,
        headers: list[tuple[bytes, bytes]],
        cache_control: bytes,
        if_none_match: bytes | None,
        compression: Compression | None,
        encoding: bytes | None,
        *,
        tagged: bool = True,
    ) -> None:
        self._send = send
        self._headers = headers
        self._cache_control = cache_control
        self._if_none_match = if_none_match
        self._compression = compression
        self._encoding = encoding
        self._tagged = tagged
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
        body: bytes = message.get("body", b"")
        if message.get("more_body", False):
            # A streamed body is sent as it comes: no ETag, not compressed.
            response_headers.append((b"cache-control", NO_STORE if status >= 400 else self._cache_control))
            await self._send(cast(Any, {**start, "headers": response_headers}))
            await self._send(message)
            return
        status, response_headers, body = finish(
            status,
            response_headers,
            body,
            self._cache_control,
            self._if_none_match,
            self._compression,
            self._encoding,
            tagged=self._tagged,
        )
        await self._send(cast(Any, {"type": "http.response.start", "status": status, "headers": response_headers}))
        await self._send(cast(Any, {"type": "http.response.body", "body": body, "more_body": False}))


def finish(
    status: int,
    response_headers: list[tuple[bytes, bytes]],
    body: bytes,
    cache_control: bytes,
    if_none_match: bytes | None,
    compression: Compression | None,
    encoding: bytes | None,
    *,
    tagged: bool = True,
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """A whole response as the edge sends it: `response_headers` (the app's, without
    Cache-Control, then the edge's) with Vary, ETag and Cache-Control added, turned into a 304 on a
    match, or compressed. Shared by `_EdgeSend` and the server's direct path (api/server.py)."""
    compressible = compression is not None and len(body) >= compression.minimum_size
    if compressible and not any(h[0].lower() == b"content-encoding" for h in response_headers):
        # Whether or not this one is compressed, the representation depends on Accept-Encoding.
        response_headers.append((b"vary", b"Accept-Encoding"))
    else:
        compressible = False
    encoding = encoding if compressible else None
    if tagged and 200 <= status < 300:
        # SHA-1 as a content fingerprint, not a signature: with the CPU's SHA instructions it is
        # the cheapest collision-safe hash hashlib offers (16 KiB: ~26 us, BLAKE2b ~36 us).
        # Each encoding of the body is its own representation, with its own ETag.
        digest = hashlib.sha1(body, usedforsecurity=False).hexdigest().encode()
        etag = b'"' + digest + (b"-" + encoding if encoding is not None else b"") + b'"'
        response_headers += [(b"etag", etag), (b"cache-control", cache_control)]
        if if_none_match is not None and _matches(if_none_match, etag):
            kept = [h for h in response_headers if h[0].lower() not in (b"content-length", b"content-type")]
            return 304, kept, b""
    else:
        # Errors are never cached.
        response_headers.append((b"cache-control", NO_STORE if status >= 400 else cache_control))
    if encoding is not None and compression is not None:
        body = compression.compress(body, encoding)
        response_headers = [h for h in response_headers if h[0].lower() != b"content-length"]
        response_headers += [(b"content-encoding", encoding), (b"content-length", str(len(body)).encode())]
    return status, response_headers, body


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    if if_none_match.strip() == b"*":
        return True
    return any(candidate.strip().removeprefix(b"W/") == etag for candidate in if_none_match.split(b","))


# Where the app's state holds its `DirectEdge`, for the server.
DIRECT_EDGE = "direct_edge"


class DirectRequest:
    """A GET the edge answers without ASGI: the direct read, its arguments, and the headers the
    edge reads. (A plain class: a frozen dataclass's __init__ costs a call per field.)"""

    __slots__ = ("accept_encoding", "if_none_match", "parameters", "read")

    def __init__(
        self,
        read: DirectRead,
        parameters: dict[str, Any],
        if_none_match: bytes | None,
        accept_encoding: bytes | None,
    ) -> None:
        self.read = read
        self.parameters = parameters
        self.if_none_match = if_none_match
        self.accept_encoding = accept_encoding


class DirectEdge:
    """The edge and the direct reads for the server's protocol (api/server.py), which answers a
    plainly valid hot read without building an ASGI scope, cycle and messages: what `EdgeMiddleware`
    and `DirectReads` do for such a request, with the answer returned whole (status, headers,
    body) for the protocol to write. `match` declines (None) whatever the ASGI path should see —
    then the protocol hands the request to uvicorn unchanged, and the edge answers it as before."""

    def __init__(self, edge: EdgeMiddleware, reads: DirectReads, state: State) -> None:
        self._access_log = edge.access_log
        self._compression = edge.compression
        self._reads = reads
        self._guard = reads.guard
        self._state = state

    def match(self, path: str, query_string: bytes, headers: list[tuple[bytes, bytes]]) -> DirectRequest | None:
        """The request, when a direct read answers a GET of `path` with these (lower-case) headers."""
        matched = self._reads.match(path, query_string)
        if matched is None:
            return None
        if_none_match = accept_encoding = None
        size = 0
        for name, value in headers:
            size += len(name) + len(value) + 4
            if name == b"if-none-match":
                if_none_match = value
            elif name == b"accept-encoding":
                accept_encoding = value
            elif sends_to_litestar(name, value, _NOT_DIRECT):
                return None
        if size > self._guard.max_header_bytes:  # the 431 is the ASGI path's
            return None
        return DirectRequest(matched[0], matched[1], if_none_match, accept_encoding)

    async def answer(self, scope: HTTPScope, request: DirectRequest) -> Answer:
        """The whole response to `request`; `scope` has the request's path, headers and client."""
        path: str = scope["path"]
        context = RequestContext(scope)
        status = 500
        try:
            read = answer(request.read, request.parameters, self._state.database, "GET", path)
            status, headers, body = await self._guard.answer(scope, self._limiter(path), request.read.template, read)
            headers += [*SECURITY_HEADERS, _API_CSP, context.header]
            compression = self._compression
            encoding = compression.encoding_for(request.accept_encoding) if compression is not None else None
            return finish(status, headers, body, cache_control_for(path), request.if_none_match, compression, encoding)
        finally:
            # As the edge logs it: the status the app answered (a 304 is logged as the 200 it revalidates).
            context.close("GET", path, status, self._access_log)

    def _limiter(self, path: str) -> RateLimiter | None:
        limiter: RateLimiter | None = self._state.get("rate_limiter")
        return None if path.startswith(EXEMPT_PREFIXES) else limiter


# Headers that send a request the ASGI way: CORS (Litestar's), a body, an upgrade.
_NOT_DIRECT = frozenset({b"origin", b"content-length", b"transfer-encoding", b"expect", b"upgrade"})
