"""Dependency providers for the contracts area."""

from litestar.di import NamedDependency, Provide

from api.contracts.service import ContractsService
from api.kit.chain import ChainNode
from impactchain.settings import Settings


def provide_contracts_service(
    chain_node: NamedDependency[ChainNode], settings: NamedDependency[Settings]
) -> ContractsService:
    return ContractsService(chain_node, settings.deployments_dir)


CONTRACTS_DEPENDENCIES = {"contracts_service": Provide(provide_contracts_service, sync_to_thread=False)}
