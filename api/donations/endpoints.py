"""HTTP endpoints for donations."""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api.donations.deps import DONATION_DEPENDENCIES
from api.donations.schemas import DonationItem, DonationList
from api.donations.service import DonationService
from api.kit.cursor import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from api.kit.problems import problem_responses


class DonationController(Controller):
    path = "/v1/donations"
    tags = ("donations",)
    dependencies = DONATION_DEPENDENCIES

    @get(responses=problem_responses(400))
    async def list_donations(
        self,
        donation_service: NamedDependency[DonationService],
        donor: Annotated[
            str | None, QueryParameter(description="Only this donor's donations (any letter case).")
        ] = None,
        request_id: Annotated[
            int | None,
            QueryParameter(
                name="requestId", ge=0, description="Only donations to this help request (0 = general fund)."
            ),
        ] = None,
        cursor: Annotated[str | None, QueryParameter(description="`nextCursor` from the previous page.")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description="Page size.")] = DEFAULT_PAGE_SIZE,
    ) -> DonationList:
        """List donations newest first (by block, then log index), one page at a time."""
        page = await donation_service.list_donations(donor=donor, request_id=request_id, cursor=cursor, limit=limit)
        return DonationList(
            items=[DonationItem.from_model(donation) for donation in page.items],
            next_cursor=page.next_cursor,
        )
