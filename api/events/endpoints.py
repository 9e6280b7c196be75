"""HTTP endpoints for platform events."""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api.events.deps import EVENT_DEPENDENCIES
from api.events.schemas import EventItem, EventList
from api.events.service import EventService
from api.kit.cursor import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from api.kit.problems import problem_responses


class EventController(Controller):
    path = "/v1/events"
    tags = ("events",)
    dependencies = EVENT_DEPENDENCIES

    @get(responses=problem_responses(400))
    async def list_events(
        self,
        event_service: NamedDependency[EventService],
        contract: Annotated[
            str | None, QueryParameter(description="A contract's manifest name (e.g. DAOCore) or its address.")
        ] = None,
        event: Annotated[str | None, QueryParameter(description="Only events of this name, e.g. VoteCast.")] = None,
        arg: Annotated[
            list[str] | None,
            QueryParameter(
                description="name:value, repeatable (up to 4, all must hold): only events with that argument, "
                "e.g. voter:0x70997970C51812dc3A010C7d01b50e0d17dc79C8 or proposalId:42."
            ),
        ] = None,
        cursor: Annotated[str | None, QueryParameter(description="`nextCursor` from the previous page.")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description="Page size.")] = DEFAULT_PAGE_SIZE,
    ) -> EventList:
        """List every event of the platform's contracts newest first (by block, then log index): votes,
        proposals, transfers, badges, auctions, streams, matching claims, carbon retirements…"""
        page = await event_service.list_events(
            contract=contract, event=event, args=arg or [], cursor=cursor, limit=limit
        )
        return EventList(items=[EventItem.from_model(e) for e in page.items], next_cursor=page.next_cursor)
