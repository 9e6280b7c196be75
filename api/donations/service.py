"""Rules for reading donations: donor filter, page size and cursors."""

import asyncpg

from api.donations.repository import DonationRepository
from api.kit.addresses import address_key
from api.kit.cursor import Page, page_of, position_before


class DonationService:
    def __init__(self, repository: DonationRepository) -> None:
        self._repository = repository

    async def list_donations(
        self, *, donor: str | None, request_id: int | None = None, cursor: str | None, limit: int
    ) -> Page[asyncpg.Record]:
        """One page, newest first; `next_cursor` is set only when more donations follow."""
        donor_key = address_key("donor", donor)
        before = position_before(cursor)
        rows = await self._repository.list_newest_first(
            donor=donor_key, request_id=request_id, before=before, limit=limit + 1
        )
        return page_of(rows, limit)
