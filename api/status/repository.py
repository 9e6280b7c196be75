"""SQL for the indexing status."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from impactchain.models import IndexerCheckpoint


class StatusRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def checkpoints(self, chain_id: int) -> Sequence[IndexerCheckpoint]:
        statement = (
            select(IndexerCheckpoint)
            .where(col(IndexerCheckpoint.chain_id) == chain_id)
            .order_by(col(IndexerCheckpoint.name))
        )
        result = await self._session.execute(statement)
        return result.scalars().all()
