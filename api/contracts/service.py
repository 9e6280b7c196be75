"""Which contracts are deployed on the connected chain, from the deployment manifest."""

import logging
from pathlib import Path

from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE

from api.kit.chain import ChainNode
from api.kit.problems import ApiError
from impactchain.registry import DeployedContract, DeploymentManifest, ManifestError, load_manifest

logger = logging.getLogger(__name__)


class ManifestUnavailableError(ApiError):
    """No usable deployment manifest for the connected chain, or it lacks a contract."""

    status_code = HTTP_503_SERVICE_UNAVAILABLE
    slug = "manifest-unavailable"
    title = "Contracts not deployed"

    def __init__(self, chain_id: int, cause: ManifestError) -> None:
        # The cause names server paths; it goes to the log, the chain id to the client.
        super().__init__(f"no usable deployment manifest for chain {chain_id}; run `impactchain deploy`")
        self.chain_id = chain_id
        self.cause = cause


class ContractsService:
    def __init__(self, node: ChainNode, deployments_dir: Path) -> None:
        self._node = node
        self._deployments_dir = deployments_dir

    async def current_manifest(self) -> DeploymentManifest:
        """The manifest for the chain id the node reports; read afresh so a redeploy shows at once."""
        chain_id = await self._node.chain_id()
        try:
            return load_manifest(self._deployments_dir, chain_id)
        except ManifestError as exc:
            logger.warning("deployment manifest unavailable: %s", exc)
            raise ManifestUnavailableError(chain_id, exc) from exc

    async def deployed(self, name: str) -> DeployedContract:
        manifest = await self.current_manifest()
        try:
            return manifest.contract(name)
        except ManifestError as exc:
            logger.warning("deployment manifest incomplete: %s", exc)
            raise ManifestUnavailableError(manifest.chain_id, exc) from exc
