"""Serving the API with uvicorn, with limits for slow and idle clients.

uvicorn closes idle keep-alive connections (`timeout_keep_alive`) and caps concurrent
connections (`limit_concurrency`), but it waits forever for a request head sent a byte at a
time, for a body that never completes, and lets a head grow without bound. The protocol below
adds those three limits: the whole head within `api_header_timeout_seconds` of its first byte
(or of the connection opening), the body within `api_body_timeout_seconds` of the head, and at
most `api_max_header_bytes` of request line and headers (431)."""

import asyncio
import os
import tempfile
from dataclasses import dataclass
from typing import Any, ClassVar

import uvicorn
from litestar import Litestar
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

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

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._reading = _BODY
        super().on_headers_complete()
        cycle = self.cycle
        if cycle is not None and not isinstance(cycle.transport, HeadWithBody):
            cycle.transport = HeadWithBody(self.transport, self.loop)  # type: ignore[assignment]

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
