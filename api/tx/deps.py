"""Dependency providers for the transactions area."""

from litestar.di import NamedDependency, Provide

from api.contracts.service import ContractsService
from api.kit.chain import ChainNode
from api.tx.service import TxService
from impactchain.settings import Settings


def provide_tx_service(chain_node: NamedDependency[ChainNode], settings: NamedDependency[Settings]) -> TxService:
    return TxService(chain_node, ContractsService(chain_node, settings.deployments_dir))


TX_DEPENDENCIES = {"tx_service": Provide(provide_tx_service, sync_to_thread=False)}
