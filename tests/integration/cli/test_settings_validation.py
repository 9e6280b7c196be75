"""Every process checks its settings before it starts: a bad one is one line on stderr naming the
variable, exit code 2, no traceback — run as an operator runs it, `python -m impactchain …`."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from impactchain.devstack.anvil import anvil_binary
from impactchain.devstack.ports import free_port
from impactchain.settings import PROJECT_ROOT

GOOD = {"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/postgres", "REDIS_URL": "redis://127.0.0.1:6379/11"}


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("IMPACTCHAIN_", "OTEL_", "LOG_")) and k not in ("DATABASE_URL", "REDIS_URL")
    }
    return subprocess.run(
        [sys.executable, "-m", "impactchain", *args],
        env={**base, **env},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_refused(result: subprocess.CompletedProcess[str], variable: str) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"impactchain: {variable} "), line
    return line


@pytest.mark.parametrize(
    ("command", "env", "variable"),
    [
        ("api", {**GOOD, "DATABASE_URL": "mysql://app:hunter22@db/x"}, "DATABASE_URL"),
        ("api", {**GOOD, "IMPACTCHAIN_API_PORT": "eighty"}, "IMPACTCHAIN_API_PORT"),
        ("indexer", {**GOOD, "REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL"),
        ("indexer", {**GOOD, "IMPACTCHAIN_RPC_URL": "ws://127.0.0.1:8546"}, "IMPACTCHAIN_RPC_URL"),
        ("worker", {"REDIS_URL": GOOD["REDIS_URL"]}, "DATABASE_URL"),
        ("worker", {**GOOD, "LOG_LEVEL": "chatty"}, "LOG_LEVEL"),
        ("dev", {"IMPACTCHAIN_RPC_URL": "ftp://node"}, "IMPACTCHAIN_RPC_URL"),
        ("dev", {"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, "OTEL_EXPORTER_OTLP_ENDPOINT"),
        ("keeper", {"IMPACTCHAIN_APE_NETWORK": "polygon:amoy:node"}, "IMPACTCHAIN_KEEPER_ACCOUNT"),
        ("migrate", {"DATABASE_URL": "sqlite:///x.db"}, "DATABASE_URL"),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_code_2(command: str, env: dict[str, str], variable: str) -> None:
    line = assert_refused(run_cli(command, **env), variable)
    assert "hunter22" not in line


@pytest.fixture
def real_chain_node() -> Iterator[str]:
    """anvil posing as Polygon Amoy (chain id 80002): a network where no test key may sign."""
    port = free_port()
    node = subprocess.Popen(
        [str(anvil_binary()), "--host", "127.0.0.1", "--port", str(port), "--chain-id", "80002", "--silent"],
        stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "anvil did not start"
                time.sleep(0.05)
        yield url
    finally:
        node.terminate()
        node.wait(10)


def test_the_keeper_asks_the_node_and_refuses_a_real_chain_without_its_account(real_chain_node: str) -> None:
    line = assert_refused(run_cli("keeper", IMPACTCHAIN_RPC_URL=real_chain_node), "IMPACTCHAIN_KEEPER_ACCOUNT")
    assert "chain id 80002" in line
