"""The server answers the direct reads itself, without ASGI (api/server.py, `DirectCycle`), with the
bytes Litestar's own answer has once served: on real sockets, against the API served with the
direct path and the same API served wholly by Litestar."""

import asyncio
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import pytest
import uvicorn
from litestar import Litestar
from prometheus_client import REGISTRY

from api.app import create_app
from api.kit import edge as edge_module
from api.kit.edge import DIRECT_EDGE, DirectEdge, EdgeMiddleware
from api.kit.request_metrics import APP_NAME
from api.server import DirectCycle, GuardedHttpToolsProtocol
from bench.api_load import load
from impactchain.devstack.ports import free_port
from impactchain.settings import Settings
from tests.integration.api.kit.test_direct_reads import UNKNOWN_ROUND, _paths
from tests.support.servers import serving

# The same id on both sides: the one header that would differ otherwise (besides the date).
REQUEST_ID = "test-request-1"


@contextmanager
def _serving(app: Litestar) -> Iterator[int]:
    """`app` served on a free port as `impactchain api` serves it, in a thread of its own."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        http=GuardedHttpToolsProtocol,
        proxy_headers=False,
        log_config=None,
        access_log=False,
        timeout_keep_alive=5,
    )
    with serving(config):
        yield port


def _wholly_litestar(settings: Settings) -> Litestar:
    """The API with neither the server's direct path nor the edge's direct reads."""
    app = create_app(settings)
    del app.state[DIRECT_EDGE]
    assert isinstance(app.asgi_handler, EdgeMiddleware)
    app.asgi_handler.direct_reads = None
    return app


@pytest.fixture
async def keys(db: asyncpg.Connection, database_url: str) -> dict[str, Any]:
    return await load(database_url, 3000)


@pytest.fixture
def ports(settings: Settings) -> Iterator[tuple[int, int]]:
    """(the API as served, the API served wholly by Litestar)."""
    with _serving(create_app(settings)) as direct, _serving(_wholly_litestar(settings)) as litestar:
        yield direct, litestar


@pytest.fixture
def direct_answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the server's direct path answered."""
    answered: list[str] = []
    original = DirectEdge.answer

    async def counted(self: DirectEdge, scope: Any, request: Any) -> Any:
        answered.append(scope["path"])
        return await original(self, scope, request)

    monkeypatch.setattr(DirectEdge, "answer", counted)
    return answered


@pytest.fixture(autouse=True)
def _server_logs_reach_caplog(monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn's loggers, as another test's server may have configured them (not propagating)."""
    for name in ("uvicorn", "uvicorn.error"):
        monkeypatch.setattr(logging.getLogger(name), "propagate", True)
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)


@contextmanager
def _no_server_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    with caplog.at_level(logging.ERROR):
        yield
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR], caplog.text


async def _connection(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port)


def _request(path: str, *headers: str, method: str = "GET") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "host: 127.0.0.1", f"x-request-id: {REQUEST_ID}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _response(reader: asyncio.StreamReader) -> bytes:
    """One response off the connection, without its Date header (it changes by the second)."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    lines = head.split(b"\r\n")
    length = next((int(line.split(b":")[1]) for line in lines if line.lower().startswith(b"content-length:")), 0)
    body = await asyncio.wait_for(reader.readexactly(length), 10)
    return b"\r\n".join(line for line in lines if not line.startswith(b"date:")) + body


async def _answer(port: int, request: bytes) -> bytes:
    reader, writer = await _connection(port)
    try:
        writer.write(request)
        return await _response(reader)
    finally:
        writer.close()


def _etag(response: bytes) -> str:
    head = response.split(b"\r\n\r\n")[0]
    return next(line.split(b": ", 1)[1].decode() for line in head.split(b"\r\n") if line.startswith(b"etag:"))


@pytest.mark.parametrize("encoding", ["identity", "br", "gzip, deflate"])
async def test_direct_answers_are_litestars_byte_for_byte(
    keys: dict[str, Any],
    ports: tuple[int, int],
    direct_answers: list[str],
    encoding: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    direct, litestar = ports
    paths = _paths(keys)
    with _no_server_errors(caplog):
        for path in paths:
            if path == f"/v1/rounds/{UNKNOWN_ROUND}":
                continue  # below: a 404 is an error the edge logs, and the check above would see it
            request = _request(path, f"accept-encoding: {encoding}")
            answered = await _answer(direct, request)
            assert answered == await _answer(litestar, request), path

    assert direct_answers == [path.split("?")[0] for path in paths if path != f"/v1/rounds/{UNKNOWN_ROUND}"]


async def test_not_found_and_a_bad_cursor_are_litestars_problems(
    db: asyncpg.Connection, ports: tuple[int, int], direct_answers: list[str]
) -> None:
    direct, litestar = ports
    for path in (f"/v1/rounds/{UNKNOWN_ROUND}", "/v1/donations?cursor=abc"):
        answered = await _answer(direct, _request(path))
        assert answered.startswith((b"HTTP/1.1 404", b"HTTP/1.1 400")), answered
        assert answered == await _answer(litestar, _request(path)), path
    assert len(direct_answers) == 2


async def test_a_matching_if_none_match_is_a_304_as_litestar_answers_it(
    keys: dict[str, Any], ports: tuple[int, int], direct_answers: list[str]
) -> None:
    direct, litestar = ports
    for encoding in ("identity", "br"):
        path = f"/v1/rounds/{keys['small']}/donations"
        etag = _etag(await _answer(direct, _request(path, f"accept-encoding: {encoding}")))
        revalidated = _request(path, f"accept-encoding: {encoding}", f"if-none-match: {etag}")
        answered = await _answer(direct, revalidated)

        assert answered.startswith(b"HTTP/1.1 304 Not Modified\r\n")
        assert answered.endswith(b"\r\n\r\n")
        assert f"etag: {etag}".encode() in answered
        assert answered == await _answer(litestar, revalidated)
    assert len(direct_answers) == 4


async def test_compression_follows_accept_encoding(
    keys: dict[str, Any], ports: tuple[int, int], direct_answers: list[str]
) -> None:
    direct, _ = ports
    answers = {
        encoding: await _answer(direct, _request("/v1/events?limit=50", f"accept-encoding: {encoding}"))
        for encoding in ("br", "gzip", "br;q=0, gzip", "identity")
    }

    assert b"content-encoding: br\r\n" in answers["br"]
    assert b"content-encoding: gzip\r\n" in answers["gzip"]
    assert b"content-encoding: gzip\r\n" in answers["br;q=0, gzip"]
    assert b"content-encoding" not in answers["identity"]
    assert all(b"vary: Accept-Encoding\r\n" in answer for answer in answers.values())
    assert len(direct_answers) == 4


async def test_pipelined_requests_are_answered_in_order_and_close_is_honoured(
    keys: dict[str, Any], ports: tuple[int, int], direct_answers: list[str]
) -> None:
    direct, litestar = ports
    small, big = keys["small"], keys["big"]
    # Direct reads around requests the app answers (a slow and a fast read, /health, a POST, a
    # read with an Origin), the last asking to close.
    requests = [
        _request("/v1/donations?limit=200"),
        _request(f"/v1/rounds/{small}"),
        _request("/health"),
        _request(f"/v1/rounds/{big}", "origin: https://elsewhere.example"),
        _request("/v1/tx/donate", "content-type: application/json", "content-length: 2", method="POST") + b"{}",
        _request("/v1/events?limit=3"),
        _request(f"/v1/rounds/{big}", "connection: close"),
    ]
    one_by_one = [await _answer(litestar, request) for request in requests]

    reader, writer = await _connection(direct)
    writer.write(b"".join(requests))
    pipelined = [await _response(reader) for _ in requests]
    closed = await asyncio.wait_for(reader.read(), 5)
    writer.close()

    for request, answer, expected in zip(requests, pipelined, one_by_one, strict=True):
        if request.startswith(b"GET /health "):  # its body names its checks' timings: the status only
            assert answer.split(b"\r\n")[0] == expected.split(b"\r\n")[0] == b"HTTP/1.1 200 OK"
        else:
            assert answer == expected, request
    assert pipelined[-1].split(b"\r\n\r\n")[0].endswith(b"connection: close")
    assert closed == b""  # closed after the last answer
    assert direct_answers == ["/v1/donations", f"/v1/rounds/{small}", "/v1/events", f"/v1/rounds/{big}"]


async def test_a_client_over_its_limit_gets_the_429_problem(
    db: asyncpg.Connection, settings: Settings, redis_url: str, direct_answers: list[str]
) -> None:
    limited = settings.model_copy(update={"api_rate_limit_per_minute": 2})
    with _serving(create_app(limited)) as port:
        reader, writer = await _connection(port)
        statuses = []
        for _ in range(3):
            writer.write(_request("/v1/donations"))
            statuses.append(await _response(reader))
        writer.close()

    refused = statuses[-1]
    assert [answer.split(b"\r\n")[0] for answer in statuses] == [b"HTTP/1.1 200 OK"] * 2 + [
        b"HTTP/1.1 429 Too Many Requests"
    ]
    assert b"content-type: application/problem+json\r\n" in refused
    assert b"retry-after: " in refused and b"cache-control: no-store\r\n" in refused
    assert f"x-request-id: {REQUEST_ID}\r\n".encode() in refused
    assert b"x-content-type-options: nosniff\r\n" in refused
    assert b'"status":429' in refused
    assert direct_answers == ["/v1/donations"] * 3


@pytest.fixture
def held_reads(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """(set when a direct read has begun, set to let it go on)."""
    begun, go_on = threading.Event(), threading.Event()
    original = edge_module.answer

    async def held(*args: Any) -> Any:
        begun.set()
        await asyncio.to_thread(go_on.wait, 10)  # the server's loop runs on meanwhile
        return await original(*args)

    monkeypatch.setattr(edge_module, "answer", held)
    return begun, go_on


async def test_a_client_that_leaves_mid_read_is_not_written_to_and_the_server_goes_on(
    db: asyncpg.Connection,
    settings: Settings,
    held_reads: tuple[threading.Event, threading.Event],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    begun, go_on = held_reads
    ends: list[tuple[bool, bool]] = []
    run = DirectCycle.run_asgi

    async def observed(self: DirectCycle, app: Any) -> None:
        await run(self, app)
        ends.append((self.disconnected, self.response_complete))

    monkeypatch.setattr(DirectCycle, "run_asgi", observed)
    with _no_server_errors(caplog), _serving(create_app(settings)) as port:
        _, writer = await _connection(port)
        writer.write(_request("/v1/donations"))
        await asyncio.wait_for(asyncio.to_thread(begun.wait), 10)
        writer.close()
        await writer.wait_closed()
        await asyncio.sleep(0.2)  # the server sees the connection go
        go_on.set()
        answered = await _answer(port, _request("/v1/donations"))

    assert answered.startswith(b"HTTP/1.1 200 OK")
    # (disconnected, answered) of each: the first gone before its answer, which was not written;
    # the second answered (either may end first: both wait on the same release).
    assert sorted(ends) == [(False, True), (True, False)]
    in_progress = {"method": "GET", "path": "/v1/donations", "status_code": "200", "app_name": APP_NAME}
    assert REGISTRY.get_sample_value("impactchain_api_requests_in_progress", in_progress) == 0


async def test_a_direct_path_that_fails_is_uvicorns_500_and_the_connection_closes(
    db: asyncpg.Connection, settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def failing(self: DirectEdge, scope: Any, request: Any) -> Any:
        raise RuntimeError("the edge failed")

    monkeypatch.setattr(DirectEdge, "answer", failing)
    with caplog.at_level(logging.ERROR), _serving(create_app(settings)) as port:
        reader, writer = await _connection(port)
        writer.write(_request("/v1/donations"))
        answered = await _response(reader)
        closed = await asyncio.wait_for(reader.read(), 5)
        writer.close()

    assert answered == (
        b"HTTP/1.1 500 Internal Server Error\r\nserver: uvicorn\r\ncontent-type: text/plain; charset=utf-8\r\n"
        b"content-length: 21\r\nconnection: close\r\n\r\nInternal Server Error"
    )
    assert closed == b""
    assert "the edge failed" in caplog.text
