"""RQ entry points for notifications. Jobs take the chain identity of the event they are about
(chain id, tx hash, log index), open their own session and reload state."""

import asyncio
import re
from collections.abc import Awaitable, Callable

from impactchain.db.session import create_engine, create_sessionmaker, unit_of_work
from impactchain.settings import get_settings
from workers.notifications import service
from workers.notifications.repository import NotificationRepository

_TX_HASH = re.compile(r"^0x[0-9a-f]{64}$")


def send_thank_you(chain_id: int, tx_hash: str, log_index: int) -> str:
    """Record (and deliver) the thank-you for one HelpDesk donation; idempotent per event."""
    return asyncio.run(_run(service.send_thank_you, event_identity(chain_id, tx_hash, log_index)))


def send_round_thank_you(chain_id: int, tx_hash: str, log_index: int) -> str:
    """Record (and deliver) the thank-you for one funding-round donation; idempotent per event."""
    return asyncio.run(_run(service.send_round_thank_you, event_identity(chain_id, tx_hash, log_index)))


def event_identity(chain_id: object, tx_hash: object, log_index: object) -> service.EventIdentity:
    """The job's arguments checked: a positive chain id, a lowercase 0x tx hash, a log index >= 0."""
    if isinstance(chain_id, bool) or not isinstance(chain_id, int) or chain_id <= 0:
        raise ValueError(f"chain_id must be a positive int, got {chain_id!r}")
    if not isinstance(tx_hash, str) or not _TX_HASH.match(tx_hash):
        raise ValueError(f"tx_hash must be a lowercase 0x-prefixed 32-byte hex string, got {tx_hash!r}")
    if isinstance(log_index, bool) or not isinstance(log_index, int) or log_index < 0:
        raise ValueError(f"log_index must be an int >= 0, got {log_index!r}")
    return service.EventIdentity(chain_id, tx_hash, log_index)


async def _run(
    send: Callable[[NotificationRepository, service.EventIdentity], Awaitable[service.ThankYouOutcome]],
    event: service.EventIdentity,
) -> str:
    engine = create_engine(get_settings().sqlalchemy_url, pooled=False)
    try:
        async with unit_of_work(create_sessionmaker(engine)) as session:
            outcome = await send(NotificationRepository(session), event)
    finally:
        await engine.dispose()
    return outcome.status
