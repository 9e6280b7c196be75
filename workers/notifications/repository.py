"""SQL for notification jobs."""

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from impactchain.models import Donation, Notification, RoundDonation


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def donation(self, chain_id: int, tx_hash: str, log_index: int) -> Donation | None:
        statement = select(Donation).where(
            col(Donation.chain_id) == chain_id, col(Donation.tx_hash) == tx_hash, col(Donation.log_index) == log_index
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def round_donation(self, chain_id: int, tx_hash: str, log_index: int) -> RoundDonation | None:
        statement = select(RoundDonation).where(
            col(RoundDonation.chain_id) == chain_id,
            col(RoundDonation.tx_hash) == tx_hash,
            col(RoundDonation.log_index) == log_index,
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def add_once(self, notification: Notification) -> bool:
        """Insert unless this event already has one; True when this call inserted it."""
        statement = (
            insert(Notification)
            .values(
                chain_id=notification.chain_id,
                tx_hash=notification.tx_hash,
                log_index=notification.log_index,
                donation_id=notification.donation_id,
                round_donation_id=notification.round_donation_id,
                kind=notification.kind,
                recipient=notification.recipient,
                message=notification.message,
            )
            .on_conflict_do_nothing(constraint="uq_notifications_event")
        )
        result = await self.session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]
