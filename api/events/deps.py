"""Dependency providers for the events area."""

from litestar.di import NamedDependency, Provide

from api.events.repository import EventRepository
from api.events.service import EventService
from api.kit.database import Database


def provide_event_service(database: NamedDependency[Database]) -> EventService:
    return EventService(EventRepository(database))


EVENT_DEPENDENCIES = {"event_service": Provide(provide_event_service, sync_to_thread=False)}
