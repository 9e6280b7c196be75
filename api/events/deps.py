"""Dependency providers for the events area."""

from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from api.events.repository import EventRepository
from api.events.service import EventService


def provide_event_service(db_session: NamedDependency[AsyncSession]) -> EventService:
    return EventService(EventRepository(db_session))


EVENT_DEPENDENCIES = {"event_service": Provide(provide_event_service, sync_to_thread=False)}
