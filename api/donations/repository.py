"""All SQL for donations."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.kit.cursor import LogPosition, newest_first
from impactchain.models import Donation


class DonationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list_newest_first(
        self, *, donor: str | None, request_id: int | None = None, before: LogPosition | None, limit: int
    ) -> Sequence[Donation]:
        """Up to `limit` donations in (block_number, log_index) descending order, strictly before `before`."""
        statement = newest_first(select(Donation), Donation, before, limit)
        if donor is not None:
            statement = statement.where(col(Donation.donor) == donor)
        if request_id is not None:
            statement = statement.where(col(Donation.request_id) == request_id)
        result = await self._session.execute(statement)
        return result.scalars().all()
