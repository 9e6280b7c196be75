"""Rules for the probes: each part answers within a few seconds or counts as down, and the API is
ready only while every indexer keeps up with the chain."""

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from api.health.repository import HealthRepository
from api.kit.chain import ChainNode

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 5.0

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class HealthReport:
    database_ok: bool
    chain_ok: bool

    @property
    def ok(self) -> bool:
        return self.database_ok and self.chain_ok


@dataclass(frozen=True, slots=True)
class IndexerLag:
    name: str
    lag_blocks: int


@dataclass(frozen=True, slots=True)
class ReadinessReport:
    """Ready: the database and the node answer, at least one indexer has checkpointed on this
    chain, and none trails the head by more than `allowed_lag_blocks`."""

    database_ok: bool
    chain_ok: bool
    head: int | None
    allowed_lag_blocks: int
    indexers: tuple[IndexerLag, ...]

    @property
    def lagging(self) -> tuple[IndexerLag, ...]:
        return tuple(indexer for indexer in self.indexers if indexer.lag_blocks > self.allowed_lag_blocks)

    @property
    def ok(self) -> bool:
        return self.database_ok and self.chain_ok and bool(self.indexers) and not self.lagging

    def reasons(self) -> list[str]:
        """Why the API is not ready, in words an operator can act on; empty when it is."""
        reasons = []
        if not self.database_ok:
            reasons.append("database unavailable (or not migrated)")
        if not self.chain_ok:
            reasons.append("chain node unavailable")
        if self.database_ok and self.chain_ok and not self.indexers:
            reasons.append("no indexer has checkpointed on this chain yet")
        reasons += [
            f"indexer {indexer.name} trails the head by {indexer.lag_blocks} blocks (allowed {self.allowed_lag_blocks})"
            for indexer in self.lagging
        ]
        return reasons


class HealthService:
    def __init__(self, repository: HealthRepository, node: ChainNode, *, allowed_lag_blocks: int = 0) -> None:
        self._repository = repository
        self._node = node
        self._allowed_lag_blocks = allowed_lag_blocks

    async def check(self) -> HealthReport:
        database_ok, chain_ok = await asyncio.gather(
            _answers("database", self._repository.ping()), _answers("chain", self._node.block_number())
        )
        return HealthReport(database_ok=database_ok, chain_ok=chain_ok)

    async def readiness(self) -> ReadinessReport:
        chain = await _answer("chain", asyncio.gather(self._node.chain_id(), self._node.block_number()))
        if chain is None:
            database_ok = await _answers("database", self._repository.ping())
            return self._report(database_ok=database_ok, head=None, heights=())
        chain_id, head = chain
        heights = await _answer("database", self._repository.checkpoint_heights(chain_id))
        return self._report(database_ok=heights is not None, head=head, heights=heights or ())

    def _report(self, *, database_ok: bool, head: int | None, heights: Sequence[tuple[str, int]]) -> ReadinessReport:
        indexers: tuple[IndexerLag, ...] = ()
        if head is not None:
            # A checkpoint can briefly lead a lagging load-balanced node: never negative.
            indexers = tuple(IndexerLag(name, max(0, head - block)) for name, block in heights)
        return ReadinessReport(
            database_ok=database_ok,
            chain_ok=head is not None,
            head=head,
            allowed_lag_blocks=self._allowed_lag_blocks,
            indexers=indexers,
        )


async def _answers(part: str, probe: Awaitable[object]) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            await probe
    except Exception as exc:  # any failure means the part is down; the log says which.
        logger.warning("health check: %s is down: %r", part, exc)
        return False
    return True


async def _answer(part: str, probe: Awaitable[T]) -> T | None:
    """The probe's result, or None when the part is down (logged like `_answers`)."""
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            return await probe
    except Exception as exc:  # any failure means the part is down; the log says which.
        logger.warning("readiness check: %s is down: %r", part, exc)
        return None
