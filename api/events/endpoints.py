"""HTTP endpoints for platform events."""

import re
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api.events.deps import EVENT_DEPENDENCIES, provide_event_service
from api.events.schemas import EventItem, EventList
from api.events.service import ARG_FILTER_PATTERN, MAX_ARG_FILTERS, EventService
from api.kit import direct_reads
from api.kit.addresses import ADDRESS_PATTERN
from api.kit.direct_reads import DirectRead, Query
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
                "argument, e.g. voter:0x70997970C51812dc3A010C7d01b50e0d17dc79C8 or proposalId:42. Not by a "
                "quantity: amounts, totals and vote weights are not indexed for filtering (the pattern names them).",
                max_items=MAX_ARG_FILTERS,
                schema_extra={"items": {"type": "string", "pattern": ARG_FILTER_PATTERN}},
            ),
        ] = None,
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> EventList:
        """List every event of the platform's contracts newest first (by block, then log index): votes,
        proposals, transfers, badges, auctions, streams, matching claims, carbon retirements…"""
        return await event_page(event_service, contract=contract, event=event, arg=arg, cursor=cursor, limit=limit)


async def event_page(
    service: EventService,
    *,
    contract: str | None = None,
    event: str | None = None,
    arg: list[str] | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> EventList:
    page = await service.list_events(contract=contract, event=event, args=arg or [], cursor=cursor, limit=limit)
    return EventList(items=EventItem.from_rows(page.items), next_cursor=page.next_cursor)


ARG_FILTER = direct_reads.QueryRule(re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}:.+", re.DOTALL))

# `list_events`, answered by the edge when its query is plainly valid (api/kit/direct_reads.py);
# each `arg` is checked by the service, on either path.
DIRECT_READS = [
    DirectRead(
        "/v1/events",
        provide_event_service,
        event_page,
        query={
            "contract": Query("contract", direct_reads.NAME_OR_ADDRESS),
            "event": Query("event", direct_reads.NAME),
            "arg": Query("arg", ARG_FILTER, max_items=MAX_ARG_FILTERS),
            "cursor": Query("cursor", direct_reads.CURSOR),
            "limit": Query("limit", direct_reads.LIMIT),
        },
    )
]
