"""HTTP endpoints for the deployed contracts."""

from litestar import Controller, get
from litestar.di import NamedDependency

from api.contracts.deps import CONTRACTS_DEPENDENCIES
from api.contracts.schemas import DeploymentRead
from api.contracts.service import ContractsService
from api.kit.problems import problem_responses


class ContractsController(Controller):
    path = "/v1/contracts"
    tags = ("contracts",)
    dependencies = CONTRACTS_DEPENDENCIES

    @get(responses=problem_responses(429, 503))
    async def get_deployment(self, contracts_service: NamedDependency[ContractsService]) -> DeploymentRead:
        """Get the addresses, deployment blocks and ABIs of the contracts on the connected chain."""
        return DeploymentRead.from_registry(await contracts_service.current_manifest())
