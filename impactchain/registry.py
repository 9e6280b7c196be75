"""The deployment manifest: which contract lives where on which chain, with its ABI.

`deployments/<chain_id>.json` = {"chain_id": N, "contracts": {"<Name>": {"address": "0x…",
"block": N, "abi": [...]}}}. The deploy script writes it; the indexer and the API read it.
"""

import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from eth_typing import ABI
from eth_utils import to_checksum_address
from pydantic import BaseModel, Field, ValidationError

if TYPE_CHECKING:  # web3 costs a process ~0.5 s to import; the indexer never needs it
    from web3 import Web3
    from web3.contract import Contract


class ManifestError(Exception):
    """The manifest for a chain is missing, unreadable, or lacks a contract."""


class DeployedContract(BaseModel):
    address: str = Field(pattern=r"^0x[0-9a-fA-F]{40}$")
    block: int = Field(ge=0)
    abi: list[dict[str, Any]] = Field(default_factory=list)
    # The compiled contract it was built from (the key may differ: a proxy is keyed by the
    # interface it serves) and the keccak of its creation bytecode: a rebuilt contract is
    # redeployed by `deploy`.
    contract_type: str | None = None
    bytecode_hash: str | None = None


class DeploymentManifest(BaseModel):
    chain_id: int = Field(gt=0)
    contracts: dict[str, DeployedContract]

    def contract(self, name: str) -> DeployedContract:
        try:
            return self.contracts[name]
        except KeyError:
            raise ManifestError(
                f"contract {name!r} is not in the manifest for chain {self.chain_id}; run `impactchain deploy`"
            ) from None


def manifest_path(deployments_dir: Path, chain_id: int) -> Path:
    return deployments_dir / f"{chain_id}.json"


def load_manifest(deployments_dir: Path, chain_id: int) -> DeploymentManifest:
    """The manifest as it is on disk now; parsed once per version of the file."""
    path = manifest_path(deployments_dir, chain_id)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ManifestError(f"no deployment manifest at {path}; run `impactchain deploy`") from None
    # Keyed by modification time and size: a redeploy (an atomic replace) is seen at once.
    return _parse_manifest(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _parse_manifest(path: Path, mtime_ns: int, size: int) -> DeploymentManifest:
    try:
        return DeploymentManifest.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise ManifestError(f"no deployment manifest at {path}; run `impactchain deploy`") from None
    except ValidationError as exc:
        raise ManifestError(f"deployment manifest {path} is invalid: {exc}") from exc


def contract_at(w3: "Web3", manifest: DeploymentManifest, name: str, address: str | None = None) -> "Contract":
    """A web3 contract with the ABI of manifest entry `name`, at its address or at `address` (e.g.
    a funding round: a clone with the ABI of the `FundingRound` entry)."""
    deployed = manifest.contract(name)
    return w3.eth.contract(address=to_checksum_address(address or deployed.address), abi=cast(ABI, deployed.abi))


def write_manifest(deployments_dir: Path, manifest: DeploymentManifest) -> Path:
    """Write atomically, so a reader never sees half a manifest."""
    deployments_dir.mkdir(parents=True, exist_ok=True)
    path = manifest_path(deployments_dir, manifest.chain_id)
    fd, tmp = tempfile.mkstemp(dir=deployments_dir, prefix=".manifest-", suffix=".json")
    with os.fdopen(fd, "w") as handle:
        json.dump(manifest.model_dump(mode="json"), handle, indent=2)
        handle.write("\n")
    # Public facts (addresses, blocks): readable by the services' own users, whoever deployed.
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path
