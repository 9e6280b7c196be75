"""Funding rounds, their donations and the rest of their events, projected by the indexer from
FundingRoundFactory's `RoundCreated` and each round's own events."""

from typing import Any

from sqlalchemy import BigInteger, Column, Index, PrimaryKeyConstraint, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from impactchain.db.types import ADDRESS, HASH, Wei, row_number


class FundingRoundRecord(SQLModel, table=True):
    """One round the factory created (`RoundCreated`). Owned by the indexer; addresses and hashes
    are lowercase hex; `deadline` is a unix timestamp; `salt` is the CREATE2 salt."""

    __tablename__ = "funding_rounds"
    __table_args__ = (
        UniqueConstraint("chain_id", "address", name="uq_funding_rounds_chain_address"),
        Index("ix_funding_rounds_position", "block_number", "log_index"),
        Index("ix_funding_rounds_founder_position", "founder", "block_number", "log_index"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    chain_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    factory: str = Field(max_length=42, sa_type=ADDRESS)
    address: str = Field(max_length=42, sa_type=ADDRESS)
    round_index: int = Field(sa_column=Column(BigInteger, nullable=False))
    founder: str = Field(max_length=42, sa_type=ADDRESS)
    salt: str = Field(max_length=66, sa_type=HASH)
    metadata_cid: str = Field(sa_column=Column(Text, nullable=False))
    goal: int = Field(sa_column=Column(Wei, nullable=False))
    deadline: int = Field(sa_column=Column(BigInteger, nullable=False))
    milestones: int = Field(sa_column=Column(BigInteger, nullable=False))
    implementation: str = Field(max_length=42, sa_type=ADDRESS)
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False))
    block_hash: str = Field(max_length=66, sa_type=HASH)
    tx_hash: str = Field(max_length=66, sa_type=HASH)
    log_index: int
    # Distinct donors so far (see RoundDonor), kept with the donations.
    donors: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))


class RoundDonation(SQLModel, table=True):
    """One `Donated` log of a funding round: `amount` of `currency` (the zero address for native
    MATIC), counted as `matic_equivalent` towards the goal; `donor_total` is the donor's running
    MATIC-equivalent total in this round."""

    __tablename__ = "round_donations"
    __table_args__ = (
        PrimaryKeyConstraint("block_number", "log_index", "chain_id", name="round_donations_pkey"),
        Index("ix_round_donations_tx_log", "tx_hash", "log_index"),
        Index("ix_round_donations_round_position", "round", "block_number", "log_index"),
        Index("ix_round_donations_donor_position", "donor", "block_number", "log_index"),
    )

    id: int | None = Field(default=None, sa_column=row_number("round_donations"))
    chain_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    round: str = Field(max_length=42, sa_type=ADDRESS)
    donor: str = Field(max_length=42, sa_type=ADDRESS)
    currency: str = Field(max_length=42, sa_type=ADDRESS)
    amount: int = Field(sa_column=Column(Wei, nullable=False))
    matic_equivalent: int = Field(sa_column=Column(Wei, nullable=False))
    donor_total: int = Field(sa_column=Column(Wei, nullable=False))
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False))
    block_hash: str = Field(max_length=66, sa_type=HASH)
    tx_hash: str = Field(max_length=66, sa_type=HASH)
    log_index: int


class RoundEvent(SQLModel, table=True):
    """Any other event of a funding round (finalized, milestone defined, evidence, approved,
    rejected, released, withdrawn, streamed, carbon offset, refunded, cancelled, settled…) with its
    arguments as JSON: integers as decimal strings, addresses checksummed, bytes as 0x-hex."""

    __tablename__ = "round_events"
    __table_args__ = (
        PrimaryKeyConstraint("block_number", "log_index", "chain_id", name="round_events_pkey"),
        Index("ix_round_events_round_position", "round", "block_number", "log_index"),
    )

    id: int | None = Field(default=None, sa_column=row_number("round_events"))
    chain_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    round: str = Field(max_length=42, sa_type=ADDRESS)
    event: str = Field(max_length=64)
    args: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False))
    block_hash: str = Field(max_length=66, sa_type=HASH)
    tx_hash: str = Field(max_length=66, sa_type=HASH)
    log_index: int


class RoundTotal(SQLModel, table=True):
    """What a round has raised in one currency: the sums and count of its `round_donations` rows,
    kept by the indexer in the transaction that writes or rolls them back."""

    __tablename__ = "round_totals"

    chain_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    round: str = Field(max_length=42, sa_type=ADDRESS, primary_key=True)
    currency: str = Field(max_length=42, sa_type=ADDRESS, primary_key=True)
    amount: int = Field(sa_column=Column(Wei, nullable=False))
    matic_equivalent: int = Field(sa_column=Column(Wei, nullable=False))
    donations: int = Field(sa_column=Column(BigInteger, nullable=False))


class RoundDonor(SQLModel, table=True):
    """A donor who has donated to a round (one row however many donations): what keeps
    `funding_rounds.donors` a count of distinct donors as donations come and are rolled back."""

    __tablename__ = "round_donors"

    chain_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    round: str = Field(max_length=42, sa_type=ADDRESS, primary_key=True)
    donor: str = Field(max_length=42, sa_type=ADDRESS, primary_key=True)
