"""the event store's kind index keyed by a hash, and its arguments' index without quantities

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 02:00:00

An initial sync builds the event store's secondary indexes once, at the head, and they were half
of its time to the end (1,000,000 events, docs/SCALING.md). Measured one at a time on that
store: the b-tree over (contract name, event, block, log index) 2.0 s, the GIN over every
argument 4.0 s; keyed by `hashtextextended` of the (name, event) kind the b-tree takes 0.8 s, and
the GIN without the quantities (amounts, totals, vote weights: nearly every value distinct, most
of its entries) 1.1 s.

A hashed key has no order, so the distinct kinds a read by contract name alone or by event alone
expands to come from `event_kinds`, which the indexer keeps with the events; filled here from the
store, each with its key, unique (a read compares the hash alone: exact while no two kinds share
one, which the constraint guarantees). The deferred definitions of an initial sync under way go
with the old indexes.

The expressions are written out as impactchain/models/events.py has them (a read must spell them
exactly so for PostgreSQL to use the index); a migration keeps the text it ran.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KIND_KEY = "hashtextextended((contract_name || '.') || event, 0)"
_QUANTITIES = (
    "{amount,value,weight,donorTotal,maticEquivalent,previousVotes,newVotes,carbonAmount,raisedEquivalent,"
    "approvedTotal,releasedTotal,goalAmount,credits,payment,deposit,extraAmount,refundAmount,vestedAmount,"
    "totalWithdrawn,totalFunded,allocated}"
)


def upgrade() -> None:
    op.create_table(
        "event_kinds",
        sa.Column("contract_name", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("contract_name", "event"),
        sa.UniqueConstraint("key", name="uq_event_kinds_key"),
    )
    op.execute(
        f"INSERT INTO event_kinds SELECT contract_name, event, {_KIND_KEY} "  # noqa: S608 - constant SQL
        "FROM (SELECT DISTINCT contract_name, event FROM contract_events) kinds"
    )
    _drop(("ix_contract_events_contract_event_position", "ix_contract_events_args"))
    op.execute(
        f"CREATE INDEX ix_contract_events_kind_position ON contract_events ({_KIND_KEY}, block_number, log_index)"
    )
    op.execute(
        f"CREATE INDEX ix_contract_events_args ON contract_events USING gin "
        f"((args - '{_QUANTITIES}'::text[]) jsonb_path_ops) WITH (fastupdate = off)"
    )


def downgrade() -> None:
    _drop(("ix_contract_events_kind_position", "ix_contract_events_args"))
    op.execute(
        "CREATE INDEX ix_contract_events_contract_event_position "
        "ON contract_events (contract_name, event, block_number, log_index)"
    )
    op.execute(
        "CREATE INDEX ix_contract_events_args ON contract_events USING gin (args jsonb_path_ops) WITH (fastupdate = off)"
    )
    op.drop_table("event_kinds")


def _drop(names: Sequence[str]) -> None:
    # A partitioned table's index goes with its partitions' indexes. An initial sync may have it
    # deferred: its record goes too, or the sync would build the old definition at the head.
    for name in names:
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute(sa.text("DELETE FROM indexer_deferred_indexes WHERE name = :name").bindparams(name=name))
