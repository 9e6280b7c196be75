"""Indexer bookkeeping: the durable checkpoint and recent block hashes for reorg checks."""

from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, func
from sqlmodel import Field, SQLModel

from impactchain.db.types import HASH


class IndexerCheckpoint(SQLModel, table=True):
    """The last block an indexer fully processed, written in the same transaction as its rows."""

    __tablename__ = "indexer_checkpoints"

    name: str = Field(primary_key=True, max_length=64)
    chain_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False))
    block_hash: str = Field(max_length=66, sa_type=HASH)
    # The chain's finalized block when the checkpoint was saved (None: the chain serves no
    # `finalized` tag); indexed rows above it are unconfirmed.
    finalized_block: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    updated_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )


class IndexedBlock(SQLModel, table=True):
    """A block hash the indexer saw; the last few per indexer let it find a reorg's fork point."""

    __tablename__ = "indexed_blocks"

    indexer: str = Field(primary_key=True, max_length=64)
    block_number: int = Field(sa_column=Column(BigInteger, primary_key=True))
    block_hash: str = Field(max_length=66, sa_type=HASH)


class IndexerProjection(SQLModel, table=True):
    """A projection a stream feeds: listed once it holds every event the stream stored. A
    projection the stream does not list yet (one added later) is first replayed from
    `contract_events` up to the stream's checkpoint (`replayed_to`; NULL: followed from the start)."""

    __tablename__ = "indexer_projections"

    stream: str = Field(primary_key=True, max_length=64)
    projection: str = Field(primary_key=True, max_length=64)
    chain_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    replayed_to: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    added_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )


class DeferredIndex(SQLModel, table=True):
    """A secondary index of the event store dropped for an initial sync, with the statement that
    builds it again when the sync reaches the head (one build instead of a million row updates)."""

    __tablename__ = "indexer_deferred_indexes"

    name: str = Field(primary_key=True, max_length=128)
    table_name: str = Field(max_length=64)
    definition: str
    deferred_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
