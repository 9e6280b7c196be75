"""HTTP endpoints for funding rounds."""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from api.kit.cursor import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from api.kit.problems import problem_responses
from api.rounds.deps import ROUND_DEPENDENCIES
from api.rounds.schemas import (
    RoundDonationItem,
    RoundDonationList,
    RoundEventItem,
    RoundEventList,
    RoundItem,
    RoundList,
    RoundRead,
)
from api.rounds.service import RoundService

Cursor = Annotated[str | None, QueryParameter(description="`nextCursor` from the previous page.")]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description="Page size.")]
RoundAddress = Annotated[str, PathParameter(description="The round's address (any letter case).")]


class RoundController(Controller):
    path = "/v1/rounds"
    tags = ("rounds",)
    dependencies = ROUND_DEPENDENCIES

    @get(responses=problem_responses(400))
    async def list_rounds(
        self,
        round_service: NamedDependency[RoundService],
        founder: Annotated[
            str | None, QueryParameter(description="Only this founder's rounds (any letter case).")
        ] = None,
        cursor: Cursor = None,
        limit: Limit = DEFAULT_PAGE_SIZE,
    ) -> RoundList:
        """List funding rounds newest first (by creation block, then log index), one page at a time."""
        page = await round_service.list_rounds(founder=founder, cursor=cursor, limit=limit)
        return RoundList(items=[RoundItem.from_model(round_) for round_ in page.items], next_cursor=page.next_cursor)

    @get("/{address:str}", responses=problem_responses(400, 404))
    async def get_round(self, round_service: NamedDependency[RoundService], address: RoundAddress) -> RoundRead:
        """Get one round with what it has raised, per currency and in all."""
        return RoundRead.from_detail(await round_service.get_round(address))

    @get("/{address:str}/donations", responses=problem_responses(400, 404))
    async def list_round_donations(
        self,
        round_service: NamedDependency[RoundService],
        address: RoundAddress,
        donor: Annotated[
            str | None, QueryParameter(description="Only this donor's donations (any letter case).")
        ] = None,
        cursor: Cursor = None,
        limit: Limit = DEFAULT_PAGE_SIZE,
    ) -> RoundDonationList:
        """List a round's donations newest first, one page at a time."""
        page = await round_service.list_donations(address, donor=donor, cursor=cursor, limit=limit)
        return RoundDonationList(
            items=[RoundDonationItem.from_model(donation) for donation in page.items], next_cursor=page.next_cursor
        )

    @get("/{address:str}/events", responses=problem_responses(400, 404))
    async def list_round_events(
        self,
        round_service: NamedDependency[RoundService],
        address: RoundAddress,
        event: Annotated[
            str | None, QueryParameter(description="Only events of this name, e.g. MilestoneApproved.")
        ] = None,
        cursor: Cursor = None,
        limit: Limit = DEFAULT_PAGE_SIZE,
    ) -> RoundEventList:
        """List a round's events other than donations (finalized, milestones, payouts, carbon offsets,
        refunds, cancellation, settlement) newest first, one page at a time."""
        page = await round_service.list_events(address, event=event, cursor=cursor, limit=limit)
        return RoundEventList(items=[RoundEventItem.from_model(e) for e in page.items], next_cursor=page.next_cursor)
