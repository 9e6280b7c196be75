"""RQ entry points for notifications. Jobs take IDs, open their own session and reload state."""

import asyncio

from impactchain.db.session import create_engine, create_sessionmaker, unit_of_work
from impactchain.settings import get_settings
from workers.notifications import service
from workers.notifications.repository import NotificationRepository


def send_thank_you(donation_id: int) -> str:
    """Record (and deliver) the thank-you for one donation; idempotent per donation."""
    if isinstance(donation_id, bool) or not isinstance(donation_id, int) or donation_id <= 0:
        raise ValueError(f"donation_id must be a positive int, got {donation_id!r}")
    return asyncio.run(_send_thank_you(donation_id))


async def _send_thank_you(donation_id: int) -> str:
    engine = create_engine(get_settings().sqlalchemy_url, pooled=False)
    try:
        async with unit_of_work(create_sessionmaker(engine)) as session:
            outcome = await service.send_thank_you(NotificationRepository(session), donation_id)
    finally:
        await engine.dispose()
    return outcome.status
