"""Every event of the platform's contracts, projected by the indexer and decoded by each
contract's ABI: what explorers query when no dedicated table answers."""

from typing import Any

from sqlalchemy import BigInteger, Column, Index, PrimaryKeyConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from impactchain.db.types import row_number


class ContractEvent(SQLModel, table=True):
    """One event of a platform contract, `contract_name` as the deployment manifest names it, its
    arguments as JSON: integers as decimal strings, addresses checksummed, bytes as 0x-hex."""

    __tablename__ = "contract_events"
    __table_args__ = (
        PrimaryKeyConstraint("block_number", "log_index", "chain_id", name="contract_events_pkey"),
        Index("ix_contract_events_contract_position", "contract", "block_number", "log_index"),
        # Also every read by contract name alone or event alone: one scan per (name, event) pair,
        # merged (api/events/repository.py, migration 0012).
        Index("ix_contract_events_contract_event_position", "contract_name", "event", "block_number", "log_index"),
        # No pending list (migration 0011): an `args @>` read never scans unsorted recent entries.
        Index(
            "ix_contract_events_args",
            "args",
            postgresql_using="gin",
            postgresql_ops={"args": "jsonb_path_ops"},
            postgresql_with={"fastupdate": "off"},
        ),
    )

    id: int | None = Field(default=None, sa_column=row_number("contract_events"))
    chain_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    contract: str = Field(max_length=42)
    contract_name: str = Field(max_length=64)
    event: str = Field(max_length=64)
    args: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False))
    block_hash: str = Field(max_length=66)
    tx_hash: str = Field(max_length=66)
    log_index: int
