"""Serving the API with uvicorn, with limits for slow and idle clients.

uvicorn closes idle keep-alive connections (`timeout_keep_alive`) and caps concurrent
connections (`limit_concurrency`), but it waits forever for a request head sent a byte at a
time, for a body that never completes, and lets a head grow without bound. The protocol below
adds those three limits: the whole head within `api_header_timeout_seconds` of its first byte
(or of the connection opening), the body within `api_body_timeout_seconds` of the head, and at
most `api_max_header_bytes` of request line and headers (431).

It also answers the hot reads itself: a complete GET that the edge's direct reads take
(api/kit/edge.py, `DirectEdge.match`) runs in a `DirectCycle` that writes the edge's answer in one
write, without uvicorn's ASGI scope, cycle, events and messages, the edge's send wrappers and
uvicorn's per-header checks — a quarter of such a request's instructions. Everything else goes
to uvicorn and the app unchanged."""

import asyncio
import os
import tempfile
from dataclasses import dataclass
from typing import Any, ClassVar, cast

import httptools
import uvicorn
from litestar import Litestar
from uvicorn._types import ASGI3Application
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol, RequestResponseCycle

from api.kit.edge import DIRECT_EDGE, DirectEdge, DirectRequest
from api.kit.route_guard import Answer
from impactchain.settings import Settings, get_settings

_HEAD_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 32\r\nconnection: close\r\n\r\nrequest header fields too large\n"
)


class _HeadTooLargeError(Exception):
    """Raised from a parser callback to stop parsing a head over the limit."""


@dataclass(frozen=True, slots=True)
class ReadLimits:
    header_timeout: float
    body_timeout: float
    max_head_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "ReadLimits":
        return cls(
            settings.api_header_timeout_seconds, settings.api_body_timeout_seconds, settings.api_max_header_bytes
        )


# What a connection is reading, as of the end of its last `data_received`.
_IDLE, _HEAD, _BODY = 0, 1, 2


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with head/body read deadlines and a cap on the head's size.

    A deadline is armed only for a request still incomplete when the data at hand is parsed: a
    request that arrives whole (every GET of a keep-alive client, nearly) costs no timer, where
    arming one at each parser callback cost two timers and three cancellations a request."""

    # None: from the settings in the environment (what each worker process reads).
    limits: ClassVar[ReadLimits | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = type(self).limits or ReadLimits.from_settings(get_settings())
        self._header_timeout = limits.header_timeout
        self._body_timeout = limits.body_timeout
        self._max_head_bytes = limits.max_head_bytes
        self._deadline: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        self._head_too_large = False
        # A new connection owes its first head; the deadline for it is armed when it opens.
        self._reading = _HEAD
        # What the armed deadline is for; None: re-arm for whatever is being read (a head began).
        self._armed_for: int | None = _HEAD
        # The app's direct reads, answered here without ASGI (None: every request goes to the app).
        state = getattr(self.app, "state", None)
        self._direct: DirectEdge | None = state.get(DIRECT_EDGE) if state is not None else None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self._header_timeout)  # the first head, within the header timeout of the connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        reading = self._reading
        if reading == self._armed_for:
            return
        self._armed_for = reading
        if reading == _IDLE:
            self._disarm()
        else:  # from now: the first byte of a head, or the end of one
            self._arm(self._header_timeout if reading == _HEAD else self._body_timeout)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        self._reading = _HEAD
        self._armed_for = None

    # on_url and on_header do what uvicorn's do, inline: a call less per callback.
    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_bytes += len(name) + len(value) + 4
        if self._head_bytes > self._max_head_bytes:
            self._count(0)  # raises
        name = name.lower()
        if name == b"expect" and value.lower() == b"100-continue":
            self.expect_100_continue = True
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._reading = _BODY
        if self._direct is not None and self._answer_directly(self._direct):
            return
        super().on_headers_complete()
        cycle = self.cycle
        if cycle is not None and not isinstance(cycle.transport, HeadWithBody):
            cycle.transport = HeadWithBody(self.transport, self.loop)  # type: ignore[assignment]

    def _answer_directly(self, direct: DirectEdge) -> bool:
        """Start (or queue behind the request before it) a `DirectCycle` when the head is a GET
        the edge's direct reads answer; False, having changed nothing, otherwise."""
        parser = self.parser
        if parser.get_method() != b"GET" or parser.get_http_version() != "1.1" or self.root_path or self.access_log:
            return False
        limit = self.limit_concurrency
        if limit is not None and (len(self.connections) >= limit or len(self.tasks) >= limit):
            return False  # uvicorn's 503
        url = httptools.parse_url(self.url)
        raw_path: bytes = url.path
        if b"%" in raw_path or not raw_path.isascii():
            return False
        path = raw_path.decode("ascii")
        query_string: bytes = url.query or b""
        request = direct.match(path, query_string, self.headers)
        if request is None:
            return False
        scope = self.scope
        scope["method"] = "GET"
        scope["path"] = path
        scope["raw_path"] = raw_path
        scope["query_string"] = query_string
        cycle = DirectCycle(self, direct, request, parser.should_keep_alive())
        existing, self.cycle = self.cycle, cycle
        if existing is None or existing.response_complete:
            self._start_asgi_task(cycle, self.app)
        else:  # pipelined: answered in order, once the one before has been
            self.flow.pause_reading()
            self.pipeline.appendleft((cycle, self.app))
        return True

    def on_message_complete(self) -> None:
        self._reading = _IDLE
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        if not self._head_too_large:
            super().send_400_response(msg)
            return
        self.transport.write(_HEAD_TOO_LARGE)
        self.transport.close()

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self._max_head_bytes:
            self._head_too_large = True
            raise _HeadTooLargeError

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


class _NoWaiter:
    """The message event of a cycle that never waits for the request's body (it has none)."""

    def set(self) -> None:
        pass


_NO_WAITER = cast(asyncio.Event, _NoWaiter())
_SERVER_ERROR: Answer = (
    500,
    [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"21"), (b"connection", b"close")],
    b"Internal Server Error",
)


class DirectCycle(RequestResponseCycle):
    """In the place of uvicorn's request-response cycle, for a GET the edge answers directly
    (api/kit/edge.py, `DirectEdge`): the protocol keeps its pipelining, flow control, keep-alive,
    shutdown and disconnect handling through the same flags, and `run_asgi` (started as uvicorn
    starts a cycle, in turn) writes the whole response in one write — the bytes uvicorn would
    write for the same answer, without the ASGI messages, the edge's send wrappers or uvicorn's
    header checks (the edge's headers are its own constants, hex digests and numbers)."""

    def __init__(
        self, protocol: HttpToolsProtocol, direct: DirectEdge, request: DirectRequest, keep_alive: bool
    ) -> None:
        # Not RequestResponseCycle.__init__: only the state the protocol reads is kept.
        self.scope = protocol.scope
        self.transport = protocol.transport
        self.flow = protocol.flow
        self.logger = protocol.logger
        self.default_headers = protocol.server_state.default_headers
        self.message_event = _NO_WAITER
        self.on_response = protocol.on_response_complete
        self.disconnected = False
        self.keep_alive = keep_alive
        self.body = bytearray()
        self.more_body = True
        self.response_started = False
        self.response_complete = False
        self._direct = direct
        self._request = request

    async def run_asgi(self, app: ASGI3Application) -> None:
        closes = False  # the answer itself says `connection: close`
        try:
            status, headers, body = await self._direct.answer(self.scope, self._request)  # type: ignore[arg-type]
        except BaseException as exc:  # as uvicorn answers an app that fails before its response
            self.logger.error("Exception in ASGI application\n", exc_info=exc)
            status, headers, body = _SERVER_ERROR
            self.keep_alive, closes = False, True
        if self.flow.write_paused and not self.disconnected:
            await self.flow.drain()
        if self.disconnected:
            return
        self.response_started = self.response_complete = True
        head = [STATUS_LINE[status]]
        for name, value in self.default_headers:
            head += (name, b": ", value, b"\r\n")
        for name, value in headers:
            head += (name, b": ", value, b"\r\n")
        if not self.keep_alive and not closes:
            head.append(b"connection: close\r\n")
        head += (b"\r\n", body)
        self.transport.write(b"".join(head))
        if not self.keep_alive:
            self.transport.close()
        self.on_response()


def create_worker_app() -> Litestar:
    """The app in one of several worker processes, which start afresh: logs and traces set up first."""
    from api.app import create_app
    from impactchain.observability import configure_observability

    settings = get_settings()
    configure_observability(settings, "api")
    return create_app(settings)


class HeadWithBody:
    """The transport a response is written through, holding its first write (the head) until the
    next (the body) so that both leave in one write: one syscall and one TCP segment instead of
    two, and one wake-up of the client. Whatever is held leaves at the latest on the event loop's
    next turn (a response without a body, an interim 100 Continue) or before the connection closes.
    """

    __slots__ = ("_held", "_loop", "_started", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None
        self._started = False

    def write(self, data: bytes) -> None:
        if not self._started:
            self._started = True
            self._held = data
            self._loop.call_soon(self.flush)
            return
        held, self._held = self._held, None
        self._transport.write(held + data if held is not None else data)

    def flush(self) -> None:
        held, self._held = self._held, None
        if held is not None and not self._transport.is_closing():
            self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def serve(settings: Settings, *, workers: int) -> None:
    """Run the API; with `workers` > 1, that many processes accept on the one port."""
    limits: dict[str, Any] = {
        "http": GuardedHttpToolsProtocol,
        "timeout_keep_alive": settings.api_keep_alive_seconds,
        "limit_concurrency": settings.api_max_connections,
        "log_level": "info",
        # Whom a request comes from is the app's to decide (api/kit/client_address.py, only from
        # IMPACTCHAIN_API_TRUSTED_PROXIES); uvicorn's own rewrite would trust X-Forwarded-For from
        # 127.0.0.1 behind the app's back, and costs a middleware per request.
        "proxy_headers": False,
        # Logs go through impactchain.observability (JSON, redacted): the app logs each request
        # itself when IMPACTCHAIN_API_ACCESS_LOG is on; uvicorn's own line (with the client's IP) never.
        "log_config": None,
        "access_log": False,
    }
    if workers == 1:
        from api.app import create_app

        uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port, **limits)
        return
    # Each worker builds its app (and reads its settings) from the environment; their metrics
    # are summed through prometheus_client's multiprocess directory.
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="impactchain-api-metrics-"))
    uvicorn.run(
        "api.server:create_worker_app",
        factory=True,
        host=settings.api_host,
        port=settings.api_port,
        workers=workers,
        **limits,
    )
