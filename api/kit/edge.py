"""What every response carries at the edge: its request id, security headers, a Cache-Control
fitted to the route, an ETag (and 304 on a match), and brotli or gzip when the client asks."""

import hashlib
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import brotli
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.kit.direct_reads import DirectReads
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
        compressible = self._compression is not None and len(body) >= self._compression.minimum_size
        if compressible and not any(h[0].lower() == b"content-encoding" for h in response_headers):
            # Whether or not this one is compressed, the representation depends on Accept-Encoding.
            response_headers.append((b"vary", b"Accept-Encoding"))
        else:
            compressible = False
        encoding = self._encoding if compressible else None
        if self._tagged and 200 <= status < 300:
            # SHA-1 as a content fingerprint, not a signature: with the CPU's SHA instructions it is
            # the cheapest collision-safe hash hashlib offers (16 KiB: ~26 us, BLAKE2b ~36 us).
            # Each encoding of the body is its own representation, with its own ETag.
            digest = hashlib.sha1(body, usedforsecurity=False).hexdigest().encode()
            etag = b'"' + digest + (b"-" + encoding if encoding is not None else b"") + b'"'
            response_headers += [(b"etag", etag), (b"cache-control", self._cache_control)]
            if self._if_none_match is not None and _matches(self._if_none_match, etag):
                kept = [h for h in response_headers if h[0].lower() not in (b"content-length", b"content-type")]
                await self._send(cast(Any, {"type": "http.response.start", "status": 304, "headers": kept}))
                await self._send(cast(Any, {"type": "http.response.body", "body": b"", "more_body": False}))
                return
        else:
            # Errors are never cached.
            response_headers.append((b"cache-control", NO_STORE if status >= 400 else self._cache_control))
        if encoding is not None and self._compression is not None:
            body = self._compression.compress(body, encoding)
            response_headers = [h for h in response_headers if h[0].lower() != b"content-length"]
            response_headers += [(b"content-encoding", encoding), (b"content-length", str(len(body)).encode())]
            message = cast(Any, {"type": "http.response.body", "body": body, "more_body": False})
        await self._send(cast(Any, {**start, "headers": response_headers}))
        await self._send(message)


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    if if_none_match.strip() == b"*":
        return True
    return any(candidate.strip().removeprefix(b"W/") == etag for candidate in if_none_match.split(b","))
