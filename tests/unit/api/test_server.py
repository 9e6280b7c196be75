"""The server's limits for slow and idle clients, on a real socket: a head sent too slowly, a body
that never completes and an oversized head are cut off; a prompt request is served."""

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from api.server import GuardedHttpToolsProtocol, ReadLimits
from impactchain.devstack.ports import free_port

HEADER_TIMEOUT = 0.5
BODY_TIMEOUT = 0.5


class _Protocol(GuardedHttpToolsProtocol):
    limits = ReadLimits(header_timeout=HEADER_TIMEOUT, body_timeout=BODY_TIMEOUT, max_head_bytes=2048)


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    port = free_port()
    config = uvicorn.Config(_app, host="127.0.0.1", port=port, http=_Protocol, timeout_keep_alive=1, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield port
    server.should_exit = True
    thread.join(timeout=5)


def _closed_within(sock: socket.socket, seconds: float) -> tuple[bool, bytes]:
    """Whether the server closed the connection within `seconds`, and what it sent before."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        return False, received
    return True, received


def test_a_prompt_request_is_served(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        closed, received = _closed_within(sock, 5)

    assert closed
    assert received.startswith(b"HTTP/1.1 200")


def test_a_head_sent_too_slowly_is_cut_off(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        started = time.monotonic()
        sock.sendall(b"GET / HTTP/1.1\r\nhost: x\r\n")  # never the blank line
        closed, received = _closed_within(sock, 5)

    assert closed
    assert received == b""
    assert HEADER_TIMEOUT <= time.monotonic() - started < HEADER_TIMEOUT + 2


def test_a_connection_that_never_sends_is_cut_off(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        closed, _ = _closed_within(sock, 5)

    assert closed


def test_a_body_that_never_completes_is_cut_off(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nshort")
        closed, received = _closed_within(sock, 5)

    assert closed
    assert not received.startswith(b"HTTP/1.1 200")


def test_an_oversized_head_is_a_431(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nhost: x\r\nx-padding: " + b"a" * 4096 + b"\r\n\r\n")
        closed, received = _closed_within(sock, 5)

    assert closed
    assert received.startswith(b"HTTP/1.1 431")
