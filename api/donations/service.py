"""Rules for reading donations: donor filter, page size and cursors."""

from api.donations.repository import DonationRepository
from api.kit.addresses import parse_address
from api.kit.cursor import Page, decode_cursor, page_of
from impactchain.models import Donation


class DonationService:
    def __init__(self, repository: DonationRepository) -> None:
        self._repository = repository

    async def list_donations(
        self, *, donor: str | None, request_id: int | None = None, cursor: str | None, limit: int
    ) -> Page[Donation]:
        """One page, newest first; `next_cursor` is set only when more donations follow."""
        # Addresses are stored lowercase; accept any well-formed casing from the client.
        donor_key = parse_address("donor", donor).lower() if donor is not None else None
        before = decode_cursor("cursor", cursor) if cursor is not None else None
        rows = await self._repository.list_newest_first(
            donor=donor_key, request_id=request_id, before=before, limit=limit + 1
        )
        return page_of(rows, limit)
