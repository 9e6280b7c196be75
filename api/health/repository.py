"""The database side of the health check."""

from api.kit.database import Database


class HealthRepository:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def ping(self) -> None:
        """Raise unless a pooled connection answers `SELECT 1`."""
        await self._database.fetch("SELECT 1")
