"""All SQL for funding rounds."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.kit.cursor import LogPosition, newest_first
from impactchain.funding import ROUND_STATUSES
from impactchain.models import FundingRoundRecord, RoundDonation, RoundEvent

# The events that set a round's status, and the status each sets.
_STATUS_EVENTS = ("RoundFinalized", "RoundCancelled", "RoundSettled")


@dataclass(frozen=True, slots=True)
class Raised:
    """What a round received in one currency."""

    currency: str
    amount: int
    matic_equivalent: int
    donations: int


class RoundRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list_newest_first(
        self, *, founder: str | None, before: LogPosition | None, limit: int
    ) -> Sequence[FundingRoundRecord]:
        """Up to `limit` rounds by creation, (block_number, log_index) descending, strictly before `before`."""
        statement = select(FundingRoundRecord)
        if founder is not None:
            statement = statement.where(col(FundingRoundRecord.founder) == founder)
        return (await self._session.execute(newest_first(statement, FundingRoundRecord, before, limit))).scalars().all()

    async def by_address(self, address: str) -> FundingRoundRecord | None:
        result = await self._session.execute(
            select(FundingRoundRecord).where(col(FundingRoundRecord.address) == address).limit(1)
        )
        return result.scalars().first()

    async def raised(self, address: str) -> list[Raised]:
        """Per currency: the sum of the round's donations, their MATIC equivalent and their count."""
        statement = (
            select(
                col(RoundDonation.currency),
                func.sum(col(RoundDonation.amount)),
                func.sum(col(RoundDonation.matic_equivalent)),
                func.count(),
            )
            .where(col(RoundDonation.round) == address)
            .group_by(col(RoundDonation.currency))
            .order_by(col(RoundDonation.currency))
        )
        rows = (await self._session.execute(statement)).all()
        return [Raised(currency, int(amount), int(equivalent), count) for currency, amount, equivalent, count in rows]

    async def donor_count(self, address: str) -> int:
        statement = select(func.count(func.distinct(col(RoundDonation.donor)))).where(
            col(RoundDonation.round) == address
        )
        return int((await self._session.execute(statement)).scalar_one())

    async def donations_newest_first(
        self, *, round_address: str, donor: str | None, before: LogPosition | None, limit: int
    ) -> Sequence[RoundDonation]:
        statement = select(RoundDonation).where(col(RoundDonation.round) == round_address)
        if donor is not None:
            statement = statement.where(col(RoundDonation.donor) == donor)
        return (await self._session.execute(newest_first(statement, RoundDonation, before, limit))).scalars().all()

    async def status(self, address: str) -> str:
        """The round's status as its latest status event set it (Funding until the first)."""
        statement = (
            select(RoundEvent)
            .where(col(RoundEvent.round) == address, col(RoundEvent.event).in_(_STATUS_EVENTS))
            .order_by(col(RoundEvent.block_number).desc(), col(RoundEvent.log_index).desc())
            .limit(1)
        )
        latest = (await self._session.execute(statement)).scalars().first()
        if latest is None:
            return ROUND_STATUSES[0]
        if latest.event == "RoundFinalized":
            return ROUND_STATUSES[int(latest.args["status"])]
        return "Cancelled" if latest.event == "RoundCancelled" else "Settled"

    async def events_newest_first(
        self, *, round_address: str, event: str | None, before: LogPosition | None, limit: int
    ) -> Sequence[RoundEvent]:
        statement = select(RoundEvent).where(col(RoundEvent.round) == round_address)
        if event is not None:
            statement = statement.where(col(RoundEvent.event) == event)
        return (await self._session.execute(newest_first(statement, RoundEvent, before, limit))).scalars().all()
