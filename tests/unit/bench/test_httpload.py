"""bench/httpload.c, the API bench's load generator: every answer counted once, its latency kept,
non-200 answers counted as such, and an answer it cannot frame is an error, not a figure."""

import array
import socket
import socketserver
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.api_load import build_httpload


class _Answers(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64  # every client's connect accepted at once (5 by default: SYNs retried after 1 s)

    def __init__(self, chunked: bool = False, delay: float = 0.0, idle_timeout: float | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.chunked = chunked
        self.delay = delay
        self.idle_timeout = idle_timeout
        self.connections = 0
        self.lock = threading.Lock()
        self.answered = 0
        self.not_found = 0
        self.paths: set[bytes] = set()


class _Handler(socketserver.BaseRequestHandler):
    server: _Answers

    def handle(self) -> None:
        with self.server.lock:
            self.server.connections += 1
        # As a server's keep-alive timeout does: an idle connection is closed.
        self.request.settimeout(self.server.idle_timeout)
        # Each write its own segment at once (an answer comes in two), without Nagle's wait for an ACK.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buffer = b""
        while True:
            while b"\r\n\r\n" not in buffer:
                try:
                    data = self.request.recv(65536)
                except TimeoutError:
                    return
                if not data:
                    return
                buffer += data
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            time.sleep(self.server.delay)
            with self.server.lock:
                self.server.paths.add(head.split(b" ")[1])
                self.server.answered += 1
                missing = self.server.answered % 3 == 0
                self.server.not_found += missing
            body = b"x" * (70_000 if self.server.answered % 5 == 0 else 17)  # one past the first buffer
            status = b"404 Not Found" if missing else b"200 OK"
            framing = b"transfer-encoding: chunked" if self.server.chunked else b"Content-Length: %d" % len(body)
            # The answer in two writes, as a server may send it: the client must wait for the rest.
            self.request.sendall(b"HTTP/1.1 " + status + b"\r\n" + framing + b"\r\n\r\n" + body[:5])
            self.request.sendall(body[5:])


@pytest.fixture
def httpload() -> Path:
    return build_httpload()


def _serving(server: _Answers) -> Iterator[_Answers]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def answers() -> Iterator[_Answers]:
    yield from _serving(_Answers())


@pytest.fixture
def chunked_answers() -> Iterator[_Answers]:
    yield from _serving(_Answers(chunked=True))


@pytest.fixture
def slow_answers() -> Iterator[_Answers]:
    yield from _serving(_Answers(delay=0.02))


@pytest.fixture
def impatient_answers() -> Iterator[_Answers]:
    yield from _serving(_Answers(idle_timeout=0.05))


def _run(
    httpload: Path, port: int, tmp_path: Path, clients: int = 4, rate: float | None = None
) -> subprocess.CompletedProcess[str]:
    latencies = tmp_path / "latencies"
    command = [str(httpload), str(port), "/v1/donations?limit=5", str(clients), "0.3", "identity", str(latencies)]
    command += [str(rate)] if rate is not None else []
    return subprocess.run(command, capture_output=True, text=True, timeout=30)


def _latencies(tmp_path: Path) -> "array.array[int]":
    return array.array("Q", (tmp_path / "latencies").read_bytes())


def test_every_answer_is_counted_once_with_its_latency(httpload: Path, answers: _Answers, tmp_path: Path) -> None:
    done = _run(httpload, answers.server_address[1], tmp_path)

    assert done.returncode == 0, done.stderr
    requests, errors = (int(part) for part in done.stdout.split())
    assert requests == answers.answered > 20
    assert errors == answers.not_found > 0
    assert answers.paths == {b"/v1/donations?limit=5"}
    latencies = _latencies(tmp_path)
    assert len(latencies) == requests
    assert all(0 < ns < 10**10 for ns in latencies)


def test_an_answer_without_content_length_stops_the_run(
    httpload: Path, chunked_answers: _Answers, tmp_path: Path
) -> None:
    done = _run(httpload, chunked_answers.server_address[1], tmp_path, clients=1)

    assert done.returncode == 2
    assert "without Content-Length" in done.stderr


def test_a_refused_connection_is_an_error(httpload: Path, tmp_path: Path) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    done = _run(httpload, port, tmp_path)

    assert done.returncode == 2
    assert "connect" in done.stderr


def test_at_a_fixed_rate_every_scheduled_request_is_sent_and_answered(
    httpload: Path, answers: _Answers, tmp_path: Path
) -> None:
    done = _run(httpload, answers.server_address[1], tmp_path, rate=200)

    assert done.returncode == 0, done.stderr
    requests, errors = (int(part) for part in done.stdout.split())
    assert requests == answers.answered == 60  # 200 a second for 0.3 s, neither more nor fewer
    assert errors == answers.not_found == 20
    assert len(_latencies(tmp_path)) == 60


def test_at_a_fixed_rate_a_slow_server_s_queue_counts_in_the_latency(
    httpload: Path, slow_answers: _Answers, tmp_path: Path
) -> None:
    # One connection served in 20 ms, asked every 5 ms: the 60 requests wait their turn, and each
    # latency runs from when its request fell due, not from when it could be sent.
    done = _run(httpload, slow_answers.server_address[1], tmp_path, clients=1, rate=200)

    assert done.returncode == 0, done.stderr
    latencies = sorted(_latencies(tmp_path))
    assert len(latencies) == slow_answers.answered == 60
    assert latencies[0] >= 20_000_000  # the first answer took the server's 20 ms
    assert latencies[-1] > 800_000_000  # the last fell due at 0.295 s and was answered after ~1.2 s


def test_a_rate_that_is_not_positive_is_refused(httpload: Path, answers: _Answers, tmp_path: Path) -> None:
    done = _run(httpload, answers.server_address[1], tmp_path, rate=0)

    assert done.returncode == 2
    assert "must be positive" in done.stderr


def test_at_a_fixed_rate_a_connection_the_server_let_go_idle_is_opened_again(
    httpload: Path, impatient_answers: _Answers, tmp_path: Path
) -> None:
    # 8 connections in turn at 40 a second: each idles 200 ms between requests, and the server
    # closes a connection idle for 50 ms. Every request is still answered, on new connections.
    done = _run(httpload, impatient_answers.server_address[1], tmp_path, clients=8, rate=40)

    assert done.returncode == 0, done.stderr
    requests, _ = (int(part) for part in done.stdout.split())
    assert requests == impatient_answers.answered == 12
    assert impatient_answers.connections > 8
