"""Jobs written in the same transaction as the rows that cause them, enqueued after commit."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Index, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class OutboxJob(SQLModel, table=True):
    """A job to enqueue on RQ. Owned by the indexer; `enqueued_at` is set once RQ has it. A job
    about an event takes the event's chain identity as its arguments: [chain id, tx hash, log index]."""

    __tablename__ = "job_outbox"
    __table_args__ = (
        Index("ix_job_outbox_pending", "id", postgresql_where=text("enqueued_at IS NULL")),
        # A rollback's delete finds the jobs of the rows it undoes by their event.
        Index("ix_job_outbox_pending_event", "function", "args", postgresql_where=text("enqueued_at IS NULL")),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    function: str = Field(max_length=200)
    args: list[Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
    enqueued_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
