"""Dependency providers for the health check."""

from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from api.health.repository import HealthRepository
from api.health.service import HealthService
from api.kit.chain import ChainNode


def provide_health_service(state: State, chain_node: NamedDependency[ChainNode]) -> HealthService:
    # The engine rather than the request session: a failed ping must not leave a session to commit.
    return HealthService(HealthRepository(state.db_engine), chain_node)


HEALTH_DEPENDENCIES = {"health_service": Provide(provide_health_service, sync_to_thread=False)}
