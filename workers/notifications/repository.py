"""SQL for notification jobs."""

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from impactchain.models import Donation, Notification, RoundDonation


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def donation(self, donation_id: int) -> Donation | None:
        return await self.session.get(Donation, donation_id)

    async def round_donation(self, round_donation_id: int) -> RoundDonation | None:
        return await self.session.get(RoundDonation, round_donation_id)

    async def add_once(self, notification: Notification) -> bool:
        """Insert unless this donation already has one; True when this call inserted it."""
        for_round = notification.round_donation_id is not None
        statement = (
            insert(Notification)
            .values(
                donation_id=notification.donation_id,
                round_donation_id=notification.round_donation_id,
                kind=notification.kind,
                recipient=notification.recipient,
                message=notification.message,
            )
            .on_conflict_do_nothing(index_elements=["round_donation_id" if for_round else "donation_id"])
        )
        result = await self.session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]
