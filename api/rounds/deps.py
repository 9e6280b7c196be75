"""Dependency providers for the funding-rounds area."""

from litestar.di import NamedDependency, Provide

from api.kit.database import Database
from api.rounds.repository import RoundRepository
from api.rounds.service import RoundService


def provide_round_service(database: NamedDependency[Database]) -> RoundService:
    return RoundService(RoundRepository(database))


ROUND_DEPENDENCIES = {"round_service": Provide(provide_round_service, sync_to_thread=False)}
