"""Every event of the platform's contracts, projected by the indexer and decoded by each
contract's ABI: what explorers query when no dedicated table answers."""

from typing import Any

from sqlalchemy import BigInteger, Column, Index, PrimaryKeyConstraint, UniqueConstraint, literal_column, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from impactchain.db.types import ADDRESS, HASH, row_number
from impactchain.event_store import ARGS_KEY, KIND_KEY


class ContractEvent(SQLModel, table=True):
    """One event of a platform contract, `contract_name` as the deployment manifest names it, its
    arguments as JSON: integers as decimal strings, addresses checksummed, bytes as 0x-hex."""

    __tablename__ = "contract_events"
    __table_args__ = (
        PrimaryKeyConstraint("block_number", "log_index", "chain_id", name="contract_events_pkey"),
        Index("ix_contract_events_contract_position", "contract", "block_number", "log_index"),
        # Also every read by contract name alone or event alone: one scan per (name, event) pair
        # of `event_kinds`, merged (api/events/repository.py, migrations 0012 and 0013).
        Index("ix_contract_events_kind_position", text(KIND_KEY), "block_number", "log_index"),
        # No pending list (migration 0011): an `args @>` read never scans unsorted recent entries.
        Index(
            "ix_contract_events_args",
            literal_column(ARGS_KEY).label("filterable_args"),
            postgresql_using="gin",
            postgresql_ops={"filterable_args": "jsonb_path_ops"},
            postgresql_with={"fastupdate": "off"},
        ),
    )

    id: int | None = Field(default=None, sa_column=row_number("contract_events"))
    chain_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    contract: str = Field(max_length=42, sa_type=ADDRESS)
    contract_name: str = Field(max_length=64)
    event: str = Field(max_length=64)
    args: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False))
    block_hash: str = Field(max_length=66, sa_type=HASH)
    tx_hash: str = Field(max_length=66, sa_type=HASH)
    log_index: int


class EventKind(SQLModel, table=True):
    """Each (contract name, event) the event store has held, with its `KIND_KEY`: what a read by
    contract name alone or by event alone expands to, one index scan per kind. Written by the
    indexer with the events and never removed with them (a kind a reorg took away costs such a
    read one empty probe). `key` is unique: no two kinds share an index key."""

    __tablename__ = "event_kinds"
    __table_args__ = (UniqueConstraint("key", name="uq_event_kinds_key"),)

    contract_name: str = Field(max_length=64, primary_key=True)
    event: str = Field(max_length=64, primary_key=True)
    key: int = Field(sa_column=Column(BigInteger, nullable=False))
