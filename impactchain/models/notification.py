"""Notifications sent to donors. Owned by the workers."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, DateTime, Integer, UniqueConstraint, func
from sqlmodel import Field, SQLModel

from impactchain.db.types import ADDRESS, HASH


class Notification(SQLModel, table=True):
    """A thank-you for one donation event, unique per event's chain identity (`chain_id`,
    `tx_hash`, `log_index`) so that no re-run job, reorg or rebuild sends it twice. The donation
    row it was made from: `donation_id` (HelpDesk, a `donations` row) or `round_donation_id` (a
    `round_donations` row), exactly one of the two; a rebuild gives the row a new id, the
    identity stays. The identity is NULL only on notifications recorded before it was kept
    whose donation a reorg had already removed."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("(donation_id IS NULL) <> (round_donation_id IS NULL)", name="ck_notifications_one_donation"),
        UniqueConstraint("chain_id", "tx_hash", "log_index", name="uq_notifications_event"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    chain_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    tx_hash: str | None = Field(default=None, max_length=66, sa_type=HASH, nullable=True)
    log_index: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    donation_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    round_donation_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    kind: str = Field(max_length=32)
    recipient: str = Field(max_length=42, sa_type=ADDRESS)
    message: str
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
