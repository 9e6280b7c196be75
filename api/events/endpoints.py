"""HTTP endpoints for platform events."""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api.events.deps import EVENT_DEPENDENCIES
from api.events.schemas import EventItem, EventList
from api.events.service import ARG_FILTER_PATTERN, MAX_ARG_FILTERS, EventService
from api.kit.addresses import ADDRESS_PATTERN
from api.kit.params import DEFAULT_LIMIT, NAME_PATTERN, Cursor, Limit, name_query
from api.kit.problems import READ_PROBLEMS


class EventController(Controller):
    path = "/v1/events"
    tags = ("events",)
    dependencies = EVENT_DEPENDENCIES

    @get(responses=READ_PROBLEMS)
    async def list_events(
        self,
        event_service: NamedDependency[EventService],
        contract: Annotated[
            str | None,
            QueryParameter(
                description="A contract's manifest name (e.g. DAOCore) or its address.",
                schema_extra={"pattern": f"{NAME_PATTERN}|{ADDRESS_PATTERN}"},
            ),
        ] = None,
        event: Annotated[str | None, name_query("Only events of this name, e.g. VoteCast.")] = None,
        arg: Annotated[
            list[str] | None,
            QueryParameter(
                description=f"name:value, repeatable (up to {MAX_ARG_FILTERS}, all must hold): only events with that "
                "argument, e.g. voter:0x70997970C51812dc3A010C7d01b50e0d17dc79C8 or proposalId:42.",
                max_items=MAX_ARG_FILTERS,
                schema_extra={"items": {"type": "string", "pattern": ARG_FILTER_PATTERN}},
            ),
        ] = None,
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> EventList:
        """List every event of the platform's contracts newest first (by block, then log index): votes,
        proposals, transfers, badges, auctions, streams, matching claims, carbon retirements…"""
        page = await event_service.list_events(
            contract=contract, event=event, args=arg or [], cursor=cursor, limit=limit
        )
        return EventList(items=[EventItem.from_row(row) for row in page.items], next_cursor=page.next_cursor)
