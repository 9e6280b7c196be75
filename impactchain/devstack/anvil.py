"""Run anvil (Foundry's local EVM node, from npm) as a child process."""

import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from impactchain.settings import PROJECT_ROOT

NPM_ANVIL = PROJECT_ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"

# anvil's and ganache/hardhat's chain ids: their test accounts are public knowledge, so scripts
# may sign with them there and nowhere else.
DEVELOPMENT_CHAIN_IDS = frozenset({31337, 1337})

# anvil's default mnemonic ("test test … junk"): public development keys, never real funds.
DEV_PRIVATE_KEYS = (
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
)


class AnvilError(RuntimeError):
    """anvil could not be found or did not come up."""


def anvil_binary() -> Path:
    if NPM_ANVIL.exists():
        return NPM_ANVIL
    found = shutil.which("anvil")
    if found is None:
        raise AnvilError("anvil not found: run `npm ci` (it ships in @foundry-rs/anvil)")
    return Path(found)


@dataclass
class Anvil:
    """An anvil node on 127.0.0.1:`port`; `state_file` keeps the chain across restarts."""

    port: int
    state_file: Path | None = None
    block_time: float | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        cmd = [str(anvil_binary()), "--host", "127.0.0.1", "--port", str(self.port), "--silent"]
        if self.state_file is not None:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            cmd += ["--state", str(self.state_file), "--state-interval", "10"]
        if self.block_time is not None:
            cmd += ["--block-time", str(self.block_time)]
        return cmd

    def start(self, timeout: float = 20.0) -> "Anvil":
        self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AnvilError(f"anvil exited with code {self.process.returncode} on port {self.port}")
            try:
                httpx.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        raise AnvilError(f"anvil did not answer on {self.url} within {timeout:.0f}s")

    def stop(self, timeout: float = 10.0) -> None:
        # SIGTERM lets anvil write its state file before it exits.
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
