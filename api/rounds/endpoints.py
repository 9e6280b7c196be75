"""HTTP endpoints for funding rounds."""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from api.kit import direct_reads
from api.kit.addresses import ADDRESS_PATTERN
from api.kit.direct_reads import DirectRead
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
        page = await round_service.list_rounds(founder=founder, cursor=cursor, limit=limit)
        return RoundList(items=[RoundItem.from_row(row) for row in page.items], next_cursor=page.next_cursor)

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
        page = await round_service.list_donations(address, donor=donor, cursor=cursor, limit=limit)
        return RoundDonationList(
            items=[RoundDonationItem.from_row(row) for row in page.items], next_cursor=page.next_cursor
        )

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
        page = await round_service.list_events(address, event=event, cursor=cursor, limit=limit)
        return RoundEventList(items=[RoundEventItem.from_row(row) for row in page.items], next_cursor=page.next_cursor)


async def round_read(service: RoundService, *, address: str) -> RoundRead:
    return RoundRead.from_detail(await service.get_round(address))


# `get_round`, answered by the edge when the address is plainly one (api/kit/direct_reads.py).
DIRECT_READS = [
    DirectRead(
        "/v1/rounds/{address}", provide_round_service, round_read, path_parameter=("address", direct_reads.ADDRESS)
    )
]
