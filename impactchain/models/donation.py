"""Donations into HelpDesk escrow, projected by the indexer from `Donated` events."""

from sqlalchemy import BigInteger, Column, Index, PrimaryKeyConstraint
from sqlmodel import Field, SQLModel

from impactchain.db.types import ADDRESS, HASH, Wei, row_number


class Donation(SQLModel, table=True):
    """One `Donated` log. Owned by the indexer; addresses and hashes are lowercase hex.

    `donor_total` is the donor's running total for this request and currency; `currency` is the
    zero address for the native token.
    """

    __tablename__ = "donations"
    __table_args__ = (
        PrimaryKeyConstraint("block_number", "log_index", "chain_id", name="donations_pkey"),
        Index("ix_donations_tx_log", "tx_hash", "log_index"),
        Index("ix_donations_donor_position", "donor", "block_number", "log_index"),
        Index("ix_donations_request_position", "request_id", "block_number", "log_index"),
    )

    id: int | None = Field(default=None, sa_column=row_number("donations"))
    chain_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    contract: str = Field(max_length=42, sa_type=ADDRESS)
    request_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    donor: str = Field(max_length=42, sa_type=ADDRESS)
    currency: str = Field(max_length=42, sa_type=ADDRESS)
    amount: int = Field(sa_column=Column(Wei, nullable=False))
    donor_total: int = Field(sa_column=Column(Wei, nullable=False))
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False))
    block_hash: str = Field(max_length=66, sa_type=HASH)
    tx_hash: str = Field(max_length=66, sa_type=HASH)
    log_index: int
