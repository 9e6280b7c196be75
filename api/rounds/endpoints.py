"""HTTP endpoints for funding rounds."""

import re
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from api.kit import direct_reads
from api.kit.addresses import ADDRESS_PATTERN
from api.kit.direct_reads import DirectRead, Query
from api.kit.params import DEFAULT_LIMIT, Cursor, Limit, address_query
from api.kit.problems import READ_PROBLEMS, problem_responses
from api.rounds.deps import ROUND_DEPENDENCIES, provide_round_service
from api.rounds.schemas import (
    RoundDonationItem,
    RoundDonationList,
    RoundEventItem,
    RoundEventList,
    RoundItem,
    RoundList,
    RoundRead,
)
from api.rounds.service import EVENT_NAME_PATTERN, RoundService

RoundAddress = Annotated[
    str, PathParameter(description="The round's address (any letter case).", schema_extra={"pattern": ADDRESS_PATTERN})
]
ONE_ROUND_PROBLEMS = problem_responses(400, 404, 429, 503)


class RoundController(Controller):
    path = "/v1/rounds"
    tags = ("rounds",)
    dependencies = ROUND_DEPENDENCIES

    @get(responses=READ_PROBLEMS)
    async def list_rounds(
        self,
        round_service: NamedDependency[RoundService],
        founder: Annotated[str | None, address_query("Only this founder's rounds (any letter case).")] = None,
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> RoundList:
        """List funding rounds newest first (by creation block, then log index), one page at a time."""
        return await round_page(round_service, founder=founder, cursor=cursor, limit=limit)

    @get("/{address:str}", responses=ONE_ROUND_PROBLEMS)
    async def get_round(self, round_service: NamedDependency[RoundService], address: RoundAddress) -> RoundRead:
        """Get one round with what it has raised, per currency and in all."""
        return await round_read(round_service, address=address)

    @get("/{address:str}/donations", responses=ONE_ROUND_PROBLEMS)
    async def list_round_donations(
        self,
        round_service: NamedDependency[RoundService],
        address: RoundAddress,
        donor: Annotated[str | None, address_query("Only this donor's donations (any letter case).")] = None,
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> RoundDonationList:
        """List a round's donations newest first, one page at a time."""
        return await round_donation_page(round_service, address=address, donor=donor, cursor=cursor, limit=limit)

    @get("/{address:str}/events", responses=ONE_ROUND_PROBLEMS)
    async def list_round_events(
        self,
        round_service: NamedDependency[RoundService],
        address: RoundAddress,
        event: Annotated[
            str | None,
            QueryParameter(
                description="Only events of this name, e.g. MilestoneApproved.",
                schema_extra={"pattern": EVENT_NAME_PATTERN},
            ),
        ] = None,
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> RoundEventList:
        """List a round's events other than donations (finalized, milestones, payouts, carbon offsets,
        refunds, cancellation, settlement) newest first, one page at a time."""
        return await round_event_page(round_service, address=address, event=event, cursor=cursor, limit=limit)


async def round_page(
    service: RoundService, *, founder: str | None = None, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> RoundList:
    page = await service.list_rounds(founder=founder, cursor=cursor, limit=limit)
    return RoundList(items=[RoundItem.from_row(row) for row in page.items], next_cursor=page.next_cursor)


async def round_read(service: RoundService, *, address: str) -> RoundRead:
    return RoundRead.from_detail(await service.get_round(address))


async def round_donation_page(
    service: RoundService,
    *,
    address: str,
    donor: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> RoundDonationList:
    page = await service.list_donations(address, donor=donor, cursor=cursor, limit=limit)
    items = RoundDonationItem.from_rows(page.items)
    return RoundDonationList(items=items, next_cursor=page.next_cursor)


async def round_event_page(
    service: RoundService,
    *,
    address: str,
    event: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> RoundEventList:
    page = await service.list_events(address, event=event, cursor=cursor, limit=limit)
    return RoundEventList(items=RoundEventItem.from_rows(page.items), next_cursor=page.next_cursor)


EVENT_NAME = direct_reads.QueryRule(re.compile(EVENT_NAME_PATTERN.strip("^$")))
ADDRESS_SEGMENT = ("address", direct_reads.ADDRESS)
PAGE = {"cursor": Query("cursor", direct_reads.CURSOR), "limit": Query("limit", direct_reads.LIMIT)}

# The handlers above, answered by the edge when their input is plainly valid (api/kit/direct_reads.py).
DIRECT_READS = [
    DirectRead(
        "/v1/rounds",
        provide_round_service,
        round_page,
        query={"founder": Query("founder", direct_reads.ADDRESS), **PAGE},
    ),
    DirectRead("/v1/rounds/{address}", provide_round_service, round_read, path_parameter=ADDRESS_SEGMENT),
    DirectRead(
        "/v1/rounds/{address}/donations",
        provide_round_service,
        round_donation_page,
        query={"donor": Query("donor", direct_reads.ADDRESS), **PAGE},
        path_parameter=ADDRESS_SEGMENT,
    ),
    DirectRead(
        "/v1/rounds/{address}/events",
        provide_round_service,
        round_event_page,
        query={"event": Query("event", EVENT_NAME), **PAGE},
        path_parameter=ADDRESS_SEGMENT,
    ),
]
