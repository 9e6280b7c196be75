"""Notifications sent to donors. Owned by the workers."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, DateTime, func
from sqlmodel import Field, SQLModel


class Notification(SQLModel, table=True):
    """A thank-you for one donation: to HelpDesk (`donation_id`, a `donations` row) or to a funding
    round (`round_donation_id`, a `round_donations` row), exactly one of the two; unique per
    donation so a re-run job cannot send twice."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("(donation_id IS NULL) <> (round_donation_id IS NULL)", name="ck_notifications_one_donation"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    donation_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, unique=True))
    round_donation_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, unique=True))
    kind: str = Field(max_length=32)
    recipient: str = Field(max_length=42)
    message: str
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
