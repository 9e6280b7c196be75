"""Dependency providers for the funding-rounds area."""

from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from api.rounds.repository import RoundRepository
from api.rounds.service import RoundService


def provide_round_service(db_session: NamedDependency[AsyncSession]) -> RoundService:
    return RoundService(RoundRepository(db_session))


ROUND_DEPENDENCIES = {"round_service": Provide(provide_round_service, sync_to_thread=False)}
