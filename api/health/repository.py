"""The database side of the probes."""

from collections.abc import Sequence

from api.kit.database import Database


class HealthRepository:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def ping(self) -> None:
        """Raise unless a pooled connection answers `SELECT 1`."""
        await self._database.fetch("SELECT 1")

    async def checkpoint_heights(self, chain_id: int) -> Sequence[tuple[str, int]]:
        """Each indexer's checkpointed block on `chain_id`, by name."""
        rows = await self._database.fetch(
            "SELECT name, block_number FROM indexer_checkpoints WHERE chain_id = $1 ORDER BY name", chain_id
        )
        return [(row["name"], row["block_number"]) for row in rows]
