"""Rules for the health check: each part answers within a few seconds or counts as down."""

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass

from api.health.repository import HealthRepository
from api.kit.chain import ChainNode

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class HealthReport:
    database_ok: bool
    chain_ok: bool

    @property
    def ok(self) -> bool:
        return self.database_ok and self.chain_ok


class HealthService:
    def __init__(self, repository: HealthRepository, node: ChainNode) -> None:
        self._repository = repository
        self._node = node

    async def check(self) -> HealthReport:
        database_ok, chain_ok = await asyncio.gather(
            _answers("database", self._repository.ping()), _answers("chain", self._node.block_number())
        )
        return HealthReport(database_ok=database_ok, chain_ok=chain_ok)


async def _answers(part: str, probe: Awaitable[object]) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            await probe
    except Exception as exc:  # any failure means the part is down; the log says which.
        logger.warning("health check: %s is down: %r", part, exc)
        return False
    return True
