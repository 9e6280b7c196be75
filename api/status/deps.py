"""Dependency providers for the status area."""

from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from api.kit.chain import ChainNode
from api.status.repository import StatusRepository
from api.status.service import StatusService


def provide_status_service(
    db_session: NamedDependency[AsyncSession], chain_node: NamedDependency[ChainNode]
) -> StatusService:
    return StatusService(StatusRepository(db_session), chain_node)


STATUS_DEPENDENCIES = {"status_service": Provide(provide_status_service, sync_to_thread=False)}
