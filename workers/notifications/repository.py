"""SQL for notification jobs."""

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from impactchain.models import Donation, Notification


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def donation(self, donation_id: int) -> Donation | None:
        return await self.session.get(Donation, donation_id)

    async def add_once(self, notification: Notification) -> bool:
        """Insert unless this donation already has one; True when this call inserted it."""
        statement = (
            insert(Notification)
            .values(
                donation_id=notification.donation_id,
                kind=notification.kind,
                recipient=notification.recipient,
                message=notification.message,
            )
            .on_conflict_do_nothing(index_elements=["donation_id"])
        )
        result = await self.session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]
