"""RQ entry points for notifications. Jobs take IDs, open their own session and reload state."""

import asyncio
from collections.abc import Awaitable, Callable

from impactchain.db.session import create_engine, create_sessionmaker, unit_of_work
from impactchain.settings import get_settings
from workers.notifications import service
from workers.notifications.repository import NotificationRepository


def send_thank_you(donation_id: int) -> str:
    """Record (and deliver) the thank-you for one HelpDesk donation; idempotent per donation."""
    _require_id("donation_id", donation_id)
    return asyncio.run(_run(service.send_thank_you, donation_id))


def send_round_thank_you(round_donation_id: int) -> str:
    """Record (and deliver) the thank-you for one funding-round donation; idempotent per donation."""
    _require_id("round_donation_id", round_donation_id)
    return asyncio.run(_run(service.send_round_thank_you, round_donation_id))


def _require_id(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")


async def _run(
    send: Callable[[NotificationRepository, int], Awaitable[service.ThankYouOutcome]], donation_id: int
) -> str:
    engine = create_engine(get_settings().sqlalchemy_url, pooled=False)
    try:
        async with unit_of_work(create_sessionmaker(engine)) as session:
            outcome = await send(NotificationRepository(session), donation_id)
    finally:
        await engine.dispose()
    return outcome.status
