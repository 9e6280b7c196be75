"""Run the ape deploy script (`scripts/deploy.py`) in the project, from Python."""

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from impactchain.settings import PROJECT_ROOT


class DeployError(RuntimeError):
    """An ape script (deploy, keeper) failed; the message carries its output."""


def compiled_contract_type(name: str) -> dict[str, Any]:
    """A contract type (ABI, bytecode) from ape's build output, for deploying without ape."""
    contract_types: dict[str, dict[str, Any]] = json.loads((PROJECT_ROOT / ".build" / "__local__.json").read_text())[
        "contractTypes"
    ]
    return contract_types[name]


def ape_environment(deployments_dir: Path | None = None) -> dict[str, str]:
    """Environment in which ape compiles offline (solc shim) and keeps caches in the checkout."""
    env = dict(os.environ)
    env.setdefault("APE_DATA_FOLDER", str(PROJECT_ROOT / ".ape"))
    env.setdefault("SOLCX_BINARY_PATH", str(PROJECT_ROOT / "toolchain" / "solcx"))
    # ape-solidity compiles in place when the checkout lies under TMPDIR (see the Makefile).
    tmp = PROJECT_ROOT / ".ape" / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    env.setdefault("TMPDIR", str(tmp))
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
    if deployments_dir is not None:
        env["IMPACTCHAIN_DEPLOYMENTS_DIR"] = str(deployments_dir)
    return env


def deploy(
    network: str, *, deployments_dir: Path | None = None, account: str | None = None, args: Sequence[str] = ()
) -> str:
    """Deploy to `network` (an ape network choice or an RPC URL); returns the script's output.
    `args` are more of the script's options (e.g. `--force`, `--toucan-tco2 0x…`)."""
    return run_ape_script("deploy", network, deployments_dir=deployments_dir, account=account, args=args)


def run_ape_script(
    script: str,
    network: str,
    *,
    deployments_dir: Path | None = None,
    account: str | None = None,
    args: Sequence[str] = (),
) -> str:
    """Run `ape run <script>` from scripts/ on `network`; returns its output or raises DeployError."""
    ape = Path(sys.executable).parent / "ape"
    cmd = [str(ape), "run", script, "--network", network]
    if account:
        cmd += ["--account", account]
    cmd += list(args)
    result = subprocess.run(cmd, cwd=PROJECT_ROOT, env=ape_environment(deployments_dir), capture_output=True, text=True)
    if result.returncode != 0:
        raise DeployError(f"`{' '.join(cmd)}` failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout
