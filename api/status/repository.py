"""SQL for the indexing status."""

from collections.abc import Sequence

import asyncpg

from api.kit.database import Database

_CHECKPOINTS = (
    "SELECT name, block_number, block_hash, updated_at, finalized_block FROM indexer_checkpoints"
    " WHERE chain_id = $1 ORDER BY name"
)


class StatusRepository:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def checkpoints(self, chain_id: int) -> Sequence[asyncpg.Record]:
        """Each indexer's checkpoint on this chain, by name."""
        return await self._database.fetch(_CHECKPOINTS, chain_id)
