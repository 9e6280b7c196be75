"""Rules for reading donations: donor filter, page size and cursors."""

from collections.abc import Sequence
from dataclasses import dataclass

from api.donations.cursor import LogPosition, decode_cursor, encode_cursor
from api.donations.repository import DonationRepository
from api.kit.addresses import parse_address
from impactchain.models import Donation

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class DonationPage:
    donations: Sequence[Donation]
    next_cursor: str | None


class DonationService:
    def __init__(self, repository: DonationRepository) -> None:
        self._repository = repository

    async def list_donations(
        self, *, donor: str | None, request_id: int | None = None, cursor: str | None, limit: int
    ) -> DonationPage:
        """One page, newest first; `next_cursor` is set only when more donations follow."""
        # Addresses are stored lowercase; accept any well-formed casing from the client.
        donor_key = parse_address("donor", donor).lower() if donor is not None else None
        before = decode_cursor("cursor", cursor) if cursor is not None else None
        # One row beyond the page tells whether another page follows without a COUNT.
        rows = await self._repository.list_newest_first(
            donor=donor_key, request_id=request_id, before=before, limit=limit + 1
        )
        page = rows[:limit]
        if len(rows) <= limit:
            return DonationPage(donations=page, next_cursor=None)
        last = page[-1]
        next_cursor = encode_cursor(LogPosition(block_number=last.block_number, log_index=last.log_index))
        return DonationPage(donations=page, next_cursor=next_cursor)
