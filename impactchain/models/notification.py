"""Notifications sent to donors. Owned by the workers."""

from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, func
from sqlmodel import Field, SQLModel


class Notification(SQLModel, table=True):
    """A thank-you for one donation; unique per donation so a re-run job cannot send twice."""

    __tablename__ = "notifications"

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    donation_id: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    kind: str = Field(max_length=32)
    recipient: str = Field(max_length=42)
    message: str
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
