"""HTTP endpoints for donations."""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency

from api.donations.deps import DONATION_DEPENDENCIES, provide_donation_service
from api.donations.schemas import DonationItem, DonationList
from api.donations.service import DonationService
from api.kit import direct_reads
from api.kit.direct_reads import DirectRead, Query
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
        return await donation_page(donation_service, donor=donor, request_id=request_id, cursor=cursor, limit=limit)


async def donation_page(
    service: DonationService,
    *,
    donor: str | None = None,
    request_id: int | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> DonationList:
    page = await service.list_donations(donor=donor, request_id=request_id, cursor=cursor, limit=limit)
    return DonationList(items=DonationItem.from_rows(page.items), next_cursor=page.next_cursor)


# `list_donations`, answered by the edge when its query is plainly valid (api/kit/direct_reads.py).
DIRECT_READS = [
    DirectRead(
        "/v1/donations",
        provide_donation_service,
        donation_page,
        query={
            "donor": Query("donor", direct_reads.ADDRESS),
            "requestId": Query("request_id", direct_reads.INT64),
            "cursor": Query("cursor", direct_reads.CURSOR),
            "limit": Query("limit", direct_reads.LIMIT),
        },
    )
]
