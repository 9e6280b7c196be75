"""The database side of the health check."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


class HealthRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def ping(self) -> None:
        """Raise unless a pooled connection answers `SELECT 1`."""
        async with self._engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
