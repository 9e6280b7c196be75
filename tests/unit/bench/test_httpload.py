"""bench/httpload.c, the API bench's load generator: every answer counted once, its latency kept,
non-200 answers counted as such, and an answer it cannot frame is an error, not a figure."""

import array
import socket
import socketserver
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.api_load import build_httpload


class _Answers(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, chunked: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.chunked = chunked
        self.lock = threading.Lock()
        self.answered = 0
        self.not_found = 0
        self.paths: set[bytes] = set()


class _Handler(socketserver.BaseRequestHandler):
    server: _Answers

    def handle(self) -> None:
        buffer = b""
        while True:
            while b"\r\n\r\n" not in buffer:
                data = self.request.recv(65536)
                if not data:
                    return
                buffer += data
            head, _, buffer = buffer.partition(b"\r\n\r\n")
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


def _run(httpload: Path, port: int, tmp_path: Path, clients: int = 4) -> subprocess.CompletedProcess[str]:
    latencies = tmp_path / "latencies"
    command = [str(httpload), str(port), "/v1/donations?limit=5", str(clients), "0.3", "identity", str(latencies)]
    return subprocess.run(command, capture_output=True, text=True, timeout=30)


def test_every_answer_is_counted_once_with_its_latency(httpload: Path, answers: _Answers, tmp_path: Path) -> None:
    done = _run(httpload, answers.server_address[1], tmp_path)

    assert done.returncode == 0, done.stderr
    requests, errors = (int(part) for part in done.stdout.split())
    assert requests == answers.answered > 20
    assert errors == answers.not_found > 0
    assert answers.paths == {b"/v1/donations?limit=5"}
    latencies = array.array("Q", (tmp_path / "latencies").read_bytes())
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
