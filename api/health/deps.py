"""Dependency providers for the probes."""

from litestar.di import NamedDependency, Provide

from api.health.repository import HealthRepository
from api.health.service import HealthService
from api.kit.chain import ChainNode
from api.kit.database import Database
from impactchain.settings import Settings


def provide_health_service(
    database: NamedDependency[Database], chain_node: NamedDependency[ChainNode], settings: NamedDependency[Settings]
) -> HealthService:
    # The indexer holds `indexer_confirmations` blocks back on purpose; only lag past that counts.
    allowed = settings.api_ready_max_lag_blocks + settings.indexer_confirmations
    return HealthService(HealthRepository(database), chain_node, allowed_lag_blocks=allowed)


HEALTH_DEPENDENCIES = {"health_service": Provide(provide_health_service, sync_to_thread=False)}
