"""Every event of the platform's contracts, projected by the indexer and decoded by each
contract's ABI: what explorers query when no dedicated table answers."""

from typing import Any

from sqlalchemy import BigInteger, Column, Index, PrimaryKeyConstraint, UniqueConstraint, literal_column, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from impactchain.db.types import ADDRESS, HASH, row_number

# The event store's index by (contract name, event) is keyed by a 64-bit hash of the kind instead
# of the two names: an initial sync builds it at the head, and a b-tree of a million bigint keys
# builds in about 40% of the time of one led by two names (migration 0013). A read names the same
# expression (`kind_key`). It is exact: `event_kinds` holds every kind stored with its hash, unique,
# so a kind whose hash another kind has is refused when first written, never mixed up in a read.
# (Parenthesized as PostgreSQL prints it back, which the schema check compares with.)
KIND_KEY = "hashtextextended((contract_name || '.') || event, 0)"

# Arguments that are quantities (amounts, running totals, vote weights) are not in the arguments'
# index: nearly every value is distinct, so they were most of its entries and of its build
# (1,000,000 events: 4.0 s with them, 1.0 s without). Filtering events by an exact wei amount
# is not a read anyone makes; `/v1/events?arg=` refuses these names and says so.
QUANTITY_ARGUMENTS = (
    "amount",
    "value",
    "weight",
    "donorTotal",
    "maticEquivalent",
    "previousVotes",
    "newVotes",
    "carbonAmount",
    "raisedEquivalent",
    "approvedTotal",
    "releasedTotal",
    "goalAmount",
    "credits",
    "payment",
    "deposit",
    "extraAmount",
    "refundAmount",
    "vestedAmount",
    "totalWithdrawn",
    "totalFunded",
    "allocated",
)
# The indexed expression; a read must spell it exactly so (`ARGS_KEY @> …`) for the index to serve.
ARGS_KEY = "(args - '{" + ",".join(QUANTITY_ARGUMENTS) + "}'::text[])"


def kind_key(param: str) -> str:
    """SQL: the row's kind is `param`'s, a placeholder holding `kind(contract_name, event)`, by the index.
    The hash alone: a second condition on the names would be exact too, but PostgreSQL would take
    the two as independent and expect far fewer rows than the kind has (a sort of all of them
    instead of reading the index backwards: seconds instead of a tenth of a millisecond)."""
    return f"{KIND_KEY} = hashtextextended({param}, 0)"


# The kinds of the events stored, listed (for stores filled by other means than the indexer: a
# bench's generated rows).
LIST_EVENT_KINDS = (
    f"INSERT INTO event_kinds SELECT contract_name, event, {KIND_KEY} "  # noqa: S608 - constant SQL
    "FROM (SELECT DISTINCT contract_name, event FROM contract_events) AS stored ON CONFLICT DO NOTHING"
)


def kind(contract_name: str, event: str) -> str:
    """The value `kind_key` compares with (names are identifiers: no dot in either)."""
    return f"{contract_name}.{event}"


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
