"""The deployment manifest on the wire."""

from typing import Any

from eth_utils import to_checksum_address

from api.kit.schemas import CamelStruct
from impactchain.registry import DeployedContract, DeploymentManifest


class DeployedContractItem(CamelStruct):
    """Where one contract lives, the block it was deployed in (where indexing starts), and its ABI."""

    address: str
    block: int
    abi: list[dict[str, Any]]

    @classmethod
    def from_registry(cls, contract: DeployedContract) -> "DeployedContractItem":
        return cls(address=to_checksum_address(contract.address), block=contract.block, abi=contract.abi)


class DeploymentRead(CamelStruct):
    """Every contract of ImpactChain deployed on the connected chain, by name."""

    chain_id: int
    contracts: dict[str, DeployedContractItem]

    @classmethod
    def from_registry(cls, manifest: DeploymentManifest) -> "DeploymentRead":
        contracts = {name: DeployedContractItem.from_registry(c) for name, c in manifest.contracts.items()}
        return cls(chain_id=manifest.chain_id, contracts=contracts)
