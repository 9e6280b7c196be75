"""HTTP endpoints for donations."""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency

from api.donations.deps import DONATION_DEPENDENCIES
from api.donations.schemas import DonationItem, DonationList
from api.donations.service import DonationService
from api.kit.params import DEFAULT_LIMIT, Cursor, Limit, address_query, int64_query
from api.kit.problems import READ_PROBLEMS


class DonationController(Controller):
    path = "/v1/donations"
    tags = ("donations",)
    dependencies = DONATION_DEPENDENCIES

    @get(responses=READ_PROBLEMS)
    async def list_donations(
        self,
        donation_service: NamedDependency[DonationService],
        donor: Annotated[str | None, address_query("Only this donor's donations (any letter case).")] = None,
        request_id: Annotated[
            int | None, int64_query("requestId", "Only donations to this help request (0 = general fund).")
        ] = None,
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> DonationList:
        """List donations newest first (by block, then log index), one page at a time."""
        page = await donation_service.list_donations(donor=donor, request_id=request_id, cursor=cursor, limit=limit)
        return DonationList(items=[DonationItem.from_row(row) for row in page.items], next_cursor=page.next_cursor)
