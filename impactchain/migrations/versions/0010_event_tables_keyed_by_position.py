"""event tables keyed by their log's position, ready to be partitioned by block range

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 12:00:00

The event tables (the event store and the projections of one row per log: donations, round
donations, round events) grow without bound; past a configured size the indexer partitions
them by `block_number` (impactchain/db/partitions.py). On a partitioned table every unique index
must contain the partition key, so neither the primary key on `id` nor the unique
(tx_hash, log_index) could stay. Each table is keyed instead by where its log sits on its chain,
(block_number, log_index, chain_id): one row per log, as before; and since its leading columns
are the API's page order, it also serves as the position index, which goes. `id` stays (its
sequence numbers rows as before; notifications name the row they were made from) without an
index: nothing looks a row up by it. The thank-you worker finds a donation by its event's
(chain_id, tx_hash, log_index): (tx_hash, log_index) stays there as a plain index.

Keyed this way before it ever grows, a table is partitioned later without building an index:
the old table becomes the first partition and its indexes become the partitions' as they are.
On a populated database this revision builds the new key once, under the table's lock as any
index build in a migration: 1.5 s for 2 M events on the 2-core machine of docs/SCALING.md.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT_TABLES = ("contract_events", "donations", "round_donations", "round_events")
# Tables whose rows are found by their event's transaction (the thank-you worker's lookup).
LOOKED_UP_BY_TRANSACTION = ("donations", "round_donations")
# Position indexes the new key makes redundant (the others never had one).
POSITION_INDEXES = {"contract_events": "ix_contract_events_position", "donations": "ix_donations_position"}


def upgrade() -> None:
    for table in EVENT_TABLES:
        op.drop_constraint(f"{table}_pkey", table, type_="primary")
        op.drop_constraint(f"uq_{table}_tx_log", table, type_="unique")
        op.create_primary_key(f"{table}_pkey", table, ["block_number", "log_index", "chain_id"])
        if table in POSITION_INDEXES:
            op.drop_index(POSITION_INDEXES[table], table_name=table)
        if table in LOOKED_UP_BY_TRANSACTION:
            op.create_index(f"ix_{table}_tx_log", table, ["tx_hash", "log_index"], unique=False)


def downgrade() -> None:
    partitioned = op.get_bind().execute(
        sa.text("SELECT relname FROM pg_class WHERE relkind = 'p' AND relname = ANY(:tables)"),
        {"tables": list(EVENT_TABLES)},
    )
    names = [row[0] for row in partitioned]
    if names:
        # A partitioned table cannot have a key without the partition key: merging the partitions
        # back into one table is a rewrite of every row, for an operator to decide on, not a downgrade.
        raise RuntimeError(f"{', '.join(names)} partitioned: restore a backup from before revision 0010 instead")
    for table in EVENT_TABLES:
        if table in LOOKED_UP_BY_TRANSACTION:
            op.drop_index(f"ix_{table}_tx_log", table_name=table)
        if table in POSITION_INDEXES:
            op.create_index(POSITION_INDEXES[table], table, ["block_number", "log_index"], unique=False)
        op.drop_constraint(f"{table}_pkey", table, type_="primary")
        op.create_unique_constraint(f"uq_{table}_tx_log", table, ["tx_hash", "log_index"])
        op.create_primary_key(f"{table}_pkey", table, ["id"])
