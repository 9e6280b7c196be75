"""Dependency providers for the status area."""

from litestar.di import NamedDependency, Provide

from api.kit.chain import ChainNode
from api.kit.database import Database
from api.status.repository import StatusRepository
from api.status.service import StatusService


def provide_status_service(
    database: NamedDependency[Database], chain_node: NamedDependency[ChainNode]
) -> StatusService:
    return StatusService(StatusRepository(database), chain_node)


STATUS_DEPENDENCIES = {"status_service": Provide(provide_status_service, sync_to_thread=False)}
