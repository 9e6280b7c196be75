"""All SQL for platform events."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.kit.cursor import LogPosition, newest_first
from impactchain.models import ContractEvent


class EventRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list_newest_first(
        self,
        *,
        contract_name: str | None,
        contract: str | None,
        event: str | None,
        args: dict[str, Any],
        before: LogPosition | None,
        limit: int,
    ) -> Sequence[ContractEvent]:
        """Up to `limit` events by (block_number, log_index) descending, strictly before `before`;
        `args` must be contained in an event's arguments (JSONB @>, served by a GIN index)."""
        statement = newest_first(select(ContractEvent), ContractEvent, before, limit)
        if contract_name is not None:
            statement = statement.where(col(ContractEvent.contract_name) == contract_name)
        if contract is not None:
            statement = statement.where(col(ContractEvent.contract) == contract)
        if event is not None:
            statement = statement.where(col(ContractEvent.event) == event)
        if args:
            statement = statement.where(col(ContractEvent.args).contains(args))
        return (await self._session.execute(statement)).scalars().all()
