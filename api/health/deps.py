"""Dependency providers for the health check."""

from litestar.di import NamedDependency, Provide

from api.health.repository import HealthRepository
from api.health.service import HealthService
from api.kit.chain import ChainNode
from api.kit.database import Database


def provide_health_service(
    database: NamedDependency[Database], chain_node: NamedDependency[ChainNode]
) -> HealthService:
    return HealthService(HealthRepository(database), chain_node)


HEALTH_DEPENDENCIES = {"health_service": Provide(provide_health_service, sync_to_thread=False)}
